/**
 * What `doctor` (main.ts) and `scan` (scanCommand.ts) share: their flags, reading the connection
 * options from the arguments, printing a problem, and the process's exit status.
 */
import { parseConnectionArgs } from '../core/client/redisCliArgs';
import { isDiagnosedError, type Problem } from '../core/diagnosis/problem';
import type { ConnectionOptions } from '../core/endpoint/options';
import type { SentinelSettings } from '../core/client/sentinel';
import type { NodeNamingSettings } from '../core/client/cluster/naming';
import { connectionOptionsFromArgs, usageExit, UsageError } from './options';
import { clean } from './format';
import type { SentinelFlags } from './topology';

export interface CommandFlags {
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

export function parseCommandFlags(command: string, rest: string[]): CommandFlags {
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

export function printProblem(p: Problem): void {
  process.stderr.write(`PROBLEM ${p.code}: ${p.title}\n  ${clean(p.detail)}\nFix: ${p.fix}\n`);
}

export interface ParsedCommand {
  flags: CommandFlags;
  options: ConnectionOptions;
  sentinel?: SentinelSettings;
}

/**
 * The connection options and flags of `doctor` or `scan` (`argv`: the words after the command), or
 * the exit status when they are wrong (2, a usage error) or name a file that cannot be read (1).
 */
export async function parseCommand(command: 'doctor' | 'scan', argv: string[]): Promise<ParsedCommand | number> {
  const args = parseConnectionArgs(argv);
  let flags: CommandFlags;
  let options: ConnectionOptions;
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
  return { flags, options, ...(sentinel ? { sentinel } : {}) };
}

/** Sets the exit status from a command's result; an unexpected failure exits 1 with one line. */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`redis-tls: unexpected failure: ${e instanceof Error ? clean(e.message) : 'unknown'}\n`);
      process.exitCode = 1;
    },
  );
}
