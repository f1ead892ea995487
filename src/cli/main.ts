import { parseConnectionArgs } from '../core/client/redisCliArgs';
import { RedisConnection } from '../core/client/connection';
import { isDiagnosedError, type Problem } from '../core/diagnosis/problem';
import { connectionOptionsFromArgs, usageExit, UsageError } from './options';
import { clean } from './format';
import { scanToStream } from './scan';
import type { SentinelFlags } from './topology';
import type { SentinelSettings } from '../core/client/sentinel';
import type { NodeNamingSettings } from '../core/client/cluster/naming';

const USAGE = `redis-tls: Redis over verified TLS, with a diagnosis for every failure

Usage:
  redis-tls doctor [rediss://[user@]host:port[/db] | -h HOST -p PORT] [options] [--json]
  redis-tls scan   <connection options> [--pattern GLOB] [--type TYPE] [--count N] [--raw | --no-raw]
  redis-tls cli    <connection options> [--raw|--no-raw] [-e] [--yes] [COMMAND [ARG...]]
  redis-tls audit  <connection options> [--plaintext-port N] [--json]   TLS posture of an endpoint
  redis-tls check-conf FILE [--json] [--cwd DIR]                         TLS checks of a redis.conf

Connection options (as redis-cli):
  -h HOST  -p PORT  -n DB  --user NAME  -u URL
  --tls  --cacert FILE  --cacertdir DIR  --cert FILE  --key FILE  --sni NAME  --insecure
  --tls-min-version TLSv1.2|TLSv1.3  --tls-max-version TLSv1.2|TLSv1.3  --timeout MS

scan prints each key once per line; --count is the SCAN COUNT hint (default 5000). As redis-cli:
on a terminal keys are quoted ("a\\nb", \\xNN escapes), else raw bytes; --raw / --no-raw force either.
cli runs one command, or the commands on stdin (one per line), or a redis-cli-like prompt on a
terminal; replies print as redis-cli prints them (raw when stdout is not a terminal).

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

interface CommandFlags {
  json: boolean;
  pattern?: string;
  type?: string;
  count: number;
  /** --raw (true) / --no-raw (false); undefined: quoted on a terminal, raw otherwise (redis-cli's rule). */
  raw?: boolean;
  cluster: boolean;
  naming: NodeNamingSettings;
  sentinel?: SentinelFlags;
}

function parseCommandFlags(command: string, rest: string[]): CommandFlags {
  const flags: CommandFlags = { json: false, count: 5000, cluster: false, naming: {} };
  const sentinel: Partial<SentinelFlags> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--json' && command === 'doctor') flags.json = true;
    else if (a === '--pattern' && command === 'scan') flags.pattern = value();
    else if (a === '--type' && command === 'scan') flags.type = value();
    else if (a === '--raw' && command === 'scan') flags.raw = true;
    else if (a === '--no-raw' && command === 'scan') flags.raw = false;
    else if (a === '--count' && command === 'scan') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--count needs a positive whole number, not "${v}"`);
      flags.count = Number(v);
    } else if (a === '--cluster') flags.cluster = true;
    else if (a === '--node-names') {
      const v = value();
      if (v !== 'seed' && v !== 'announced') throw new UsageError(`--node-names is seed or announced, not "${v}"`);
      flags.naming = { ...flags.naming, naming: v };
    } else if (a === '--node-name') {
      const v = value();
      const eq = v.lastIndexOf('=');
      if (eq <= 0 || eq === v.length - 1) throw new UsageError(`--node-name needs ADDRESS=NAME, not "${v}"`);
      flags.naming = { ...flags.naming, map: { ...flags.naming.map, [v.slice(0, eq)]: v.slice(eq + 1) } };
    } else if (a === '--sentinel') sentinel.service = value();
    else if (a === '--primary-sni') sentinel.primarySni = value();
    else if (a === '--primary-cacert') sentinel.primaryCacert = value();
    else if (a === '--primary-cert') sentinel.primaryCert = value();
    else if (a === '--primary-key') sentinel.primaryKey = value();
    else if (a === '--sentinel-user') sentinel.sentinelUser = value();
    else if (a === '--replica') sentinel.replica = true;
    else throw new UsageError(`unknown option for ${command}: ${a}`);
  }
  if (sentinel.service !== undefined) flags.sentinel = { ...sentinel, service: sentinel.service, replica: sentinel.replica ?? false };
  else if (Object.keys(sentinel).length > 0) throw new UsageError('--primary-*, --sentinel-user and --replica need --sentinel NAME');
  if (flags.sentinel && flags.cluster) throw new UsageError('--cluster and --sentinel do not go together');
  return flags;
}

function printProblem(p: Problem): void {
  process.stderr.write(`PROBLEM ${p.code}: ${p.title}\n  ${clean(p.detail)}\nFix: ${p.fix}\n`);
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  // Each command loads only its own modules: `scan` (whose time is measured with process start) does
  // not pay for the certificate, audit and configuration code.
  if (command === 'cli') return (await import('./cli')).runCli(argv.slice(1));
  if (command === 'check-conf') return (await import('./checkConf')).runCheckConf(argv.slice(1));
  if (command === 'audit') return (await import('./audit')).runAudit(argv.slice(1));
  if (command !== 'doctor' && command !== 'scan') {
    process.stderr.write(`redis-tls: unknown command "${clean(command)}"\n\n${USAGE}`);
    return 2;
  }
  const args = parseConnectionArgs(argv.slice(1));
  let flags: CommandFlags;
  let options;
  let sentinel: SentinelSettings | undefined;
  try {
    if (args.errors.length) throw new UsageError(args.errors.join('\n'));
    flags = parseCommandFlags(command, args.rest);
    options = await connectionOptionsFromArgs(args, process.env);
    if (flags.sentinel) sentinel = (await import('./topology')).sentinelSettings(options, flags.sentinel, process.env);
  } catch (e) {
    if (isDiagnosedError(e)) {
      // A file named by a flag cannot be read (FILE_UNREADABLE): a diagnosed problem, before any connection.
      if (command === 'doctor' && argv.includes('--json')) {
        process.stdout.write(
          `${JSON.stringify({ ok: false, problem: e.problem, target: null, tls: null, chain: [], server: null, timings: null, warnings: [] }, null, 2)}\n`,
        );
      } else {
        printProblem(e.problem);
      }
      return 1;
    }
    return usageExit(e);
  }
  for (const w of args.warnings) process.stderr.write(`${w}\n`);

  if (command === 'doctor' && (flags.cluster || sentinel)) {
    const { sentinelDoctor, clusterDoctor } = await import('./topology');
    const { formatTopologyDoctor } = await import('./format');
    const result = sentinel ? await sentinelDoctor(sentinel) : await clusterDoctor(options, flags.naming);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatTopologyDoctor(result));
    return result.ok ? 0 : 1;
  }
  if (command === 'doctor') {
    const { runDoctor } = await import('../core/client/doctor');
    const { formatDoctor } = await import('./format');
    const result = await runDoctor(options);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDoctor(result));
    return result.ok ? 0 : 1;
  }

  let conn: RedisConnection | undefined;
  try {
    if (options.tls.enabled && options.tls.verify === 'insecure')
      process.stderr.write('Warning: certificate verification is OFF (--insecure).\n');
    const quoted = !(flags.raw ?? !process.stdout.isTTY);
    const scan = {
      count: flags.count,
      quoted,
      ...(flags.pattern !== undefined ? { pattern: flags.pattern } : {}),
      ...(flags.type !== undefined ? { type: flags.type } : {}),
    };
    if (sentinel) {
      await (await import('./topology')).sentinelScan(sentinel, scan, process.stdout);
      return 0;
    }
    if (flags.cluster) {
      await (await import('./topology')).clusterScan(options, flags.naming, scan, process.stdout);
      return 0;
    }
    conn = await RedisConnection.open({ ...options, commandTimeoutMs: options.commandTimeoutMs ?? 60_000 });
    await scanToStream(conn, scan, process.stdout);
    return 0;
  } catch (e) {
    if (isDiagnosedError(e)) {
      printProblem(e.problem);
      return 1;
    }
    if (e instanceof Error && /^[A-Z]+ /.test(e.message)) {
      process.stderr.write(`redis-tls: server error: ${clean(e.message.slice(0, 300))}\n`);
      return 1;
    }
    throw e;
  } finally {
    if (conn) await conn.close().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`redis-tls: unexpected failure: ${e instanceof Error ? clean(e.message) : 'unknown'}\n`);
    process.exitCode = 1;
  },
);
