import { parseConnectionArgs } from '../core/client/redisCliArgs';
import { RedisConnection } from '../core/client/connection';
import { runDoctor } from '../core/client/doctor';
import { isDiagnosedError } from '../core/diagnosis/problem';
import { connectionOptionsFromArgs, usageExit, UsageError } from './options';
import { clean, formatDoctor } from './format';
import { scanToStream } from './scan';
import { runCli } from './cli';

const USAGE = `redis-tls: Redis over verified TLS, with a diagnosis for every failure

Usage:
  redis-tls doctor [rediss://[user@]host:port[/db] | -h HOST -p PORT] [options] [--json]
  redis-tls scan   <connection options> [--pattern GLOB] [--type TYPE] [--count N]
  redis-tls cli    <connection options> [--raw|--no-raw] [-e] [--yes] [COMMAND [ARG...]]

Connection options (as redis-cli):
  -h HOST  -p PORT  -n DB  --user NAME  -u URL
  --tls  --cacert FILE  --cacertdir DIR  --cert FILE  --key FILE  --sni NAME  --insecure
  --tls-min-version TLSv1.2|TLSv1.3  --tls-max-version TLSv1.2|TLSv1.3  --timeout MS

scan prints each key once per line, raw bytes; --count is the SCAN COUNT hint (default 5000).
cli runs one command, or the commands on stdin (one per line), or a redis-cli-like prompt on a
terminal; replies print as redis-cli prints them (raw when stdout is not a terminal).

Secrets never go on the command line: the password comes from REDISCLI_AUTH, a key passphrase
from REDIS_TLS_KEY_PASSPHRASE (or a prompt on a terminal).
Exit status: 0 ok, 1 diagnosed problem, 2 usage error.
`;

interface CommandFlags {
  json: boolean;
  pattern?: string;
  type?: string;
  count: number;
}

function parseCommandFlags(command: string, rest: string[]): CommandFlags {
  const flags: CommandFlags = { json: false, count: 5000 };
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
    else if (a === '--count' && command === 'scan') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--count needs a positive whole number, not "${v}"`);
      flags.count = Number(v);
    } else throw new UsageError(`unknown option for ${command}: ${a}`);
  }
  return flags;
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'cli') return runCli(argv.slice(1));
  if (command !== 'doctor' && command !== 'scan') {
    process.stderr.write(`redis-tls: unknown command "${clean(command)}"\n\n${USAGE}`);
    return 2;
  }
  const args = parseConnectionArgs(argv.slice(1));
  let flags: CommandFlags;
  let options;
  try {
    if (args.errors.length) throw new UsageError(args.errors.join('\n'));
    flags = parseCommandFlags(command, args.rest);
    options = await connectionOptionsFromArgs(args, process.env);
  } catch (e) {
    return usageExit(e);
  }
  for (const w of args.warnings) process.stderr.write(`${w}\n`);

  if (command === 'doctor') {
    const result = await runDoctor(options);
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDoctor(result));
    return result.ok ? 0 : 1;
  }

  let conn: RedisConnection | undefined;
  try {
    conn = await RedisConnection.open({ ...options, commandTimeoutMs: options.commandTimeoutMs ?? 60_000 });
    if (options.tls.enabled && options.tls.verify === 'insecure') process.stderr.write('Warning: certificate verification is OFF (--insecure).\n');
    await scanToStream(conn, { count: flags.count, ...(flags.pattern !== undefined ? { pattern: flags.pattern } : {}), ...(flags.type !== undefined ? { type: flags.type } : {}) }, process.stdout);
    return 0;
  } catch (e) {
    if (isDiagnosedError(e)) {
      const p = e.problem;
      process.stderr.write(`PROBLEM ${p.code}: ${p.title}\n  ${clean(p.detail)}\nFix: ${p.fix}\n`);
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
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`redis-tls: unexpected failure: ${e instanceof Error ? clean(e.message) : 'unknown'}\n`);
    process.exitCode = 1;
  },
);
