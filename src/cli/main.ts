import { clean } from './format';
import { exitWith, parseCommand } from './commandLine';

const USAGE = `redis-tls: Redis over verified TLS, with a diagnosis for every failure

Usage:
  redis-tls doctor [rediss://[user@]host:port[/db] | -h HOST -p PORT] [options] [--json]
  redis-tls scan   <connection options> [--pattern GLOB] [--type TYPE] [--count N] [--raw | --no-raw]
  redis-tls cli    <connection options> [--raw|--no-raw] [-e] [-3] [--read-only] [--yes] [COMMAND [ARG...]]
  redis-tls audit  <connection options> [--plaintext-port N] [--json]   TLS posture of an endpoint
  redis-tls check-conf FILE [--json] [--cwd DIR]                         TLS checks of a redis.conf

Connection options (as redis-cli):
  -h HOST  -p PORT  -n DB  --user NAME  -u URL
  --tls  --cacert FILE  --cacertdir DIR  --cert FILE  --key FILE  --sni NAME  --insecure
  --tls-min-version TLSv1.2|TLSv1.3  --tls-max-version TLSv1.2|TLSv1.3  --timeout MS

scan prints each key once per line; --count is the SCAN COUNT hint (default 5000). As redis-cli:
on a terminal keys are quoted ("a\\nb", \\xNN escapes), else raw bytes; --raw / --no-raw force either.
cli runs one command, or the commands on stdin (one per line), or a redis-cli-like prompt on a
terminal; replies print as redis-cli prints them (raw when stdout is not a terminal). -3 speaks
RESP3 (as redis-cli -3); --read-only refuses every command that is not a read; "3 PING" repeats.

Cluster (the options address any node, the seed):
  --cluster  every node verified and reported (doctor), every primary scanned once (scan)
  --node-names seed|announced   verify each node against the seed's name (default) or the name it announces
  --node-name ADDR|ID|PATTERN=NAME   verify matching nodes against NAME (repeatable; * wildcards)
Sentinel (the options address a sentinel):
  --sentinel NAME  the service; doctor reports the sentinel's answer and the primary's handshake
  --primary-sni NAME  --primary-cacert FILE  --primary-cert FILE --primary-key FILE  (data nodes' TLS)
  --sentinel-user NAME  --replica (a replica instead of the primary)
  --user and REDISCLI_AUTH are the data nodes' credentials; the sentinel's password is REDIS_TLS_SENTINEL_AUTH.

Secrets never go on the command line: the password comes from REDISCLI_AUTH, a key passphrase
from REDIS_TLS_KEY_PASSPHRASE (or a prompt on a terminal).
Exit status: 0 ok, 1 diagnosed problem, 2 usage error.
`;

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  // Each command loads only its own modules. (`scan` normally runs from its own bundle: entry.ts.)
  if (command === 'cli') return (await import('./cli')).runCli(argv.slice(1));
  if (command === 'check-conf') return (await import('./checkConf')).runCheckConf(argv.slice(1));
  if (command === 'audit') return (await import('./audit')).runAudit(argv.slice(1));
  if (command === 'scan') return (await import('./scanCommand')).runScanCommand(argv.slice(1));
  if (command !== 'doctor') {
    process.stderr.write(`redis-tls: unknown command "${clean(command)}"\n\n${USAGE}`);
    return 2;
  }
  const parsed = await parseCommand('doctor', argv.slice(1));
  if (typeof parsed === 'number') return parsed;
  const { flags, options, sentinel } = parsed;
  if (flags.cluster || sentinel) {
    const { sentinelDoctor, clusterDoctor } = await import('./topology');
    const { formatTopologyDoctor } = await import('./format');
    const result = sentinel ? await sentinelDoctor(sentinel) : await clusterDoctor(options, flags.naming);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatTopologyDoctor(result));
    return result.ok ? 0 : 1;
  }
  const { runDoctor } = await import('../core/client/doctor');
  const { formatDoctor } = await import('./format');
  const result = await runDoctor(options);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDoctor(result));
  return result.ok ? 0 : 1;
}

exitWith(main(process.argv.slice(2)));
