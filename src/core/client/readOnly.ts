/**
 * Read-only profiles: the allowlist of commands a read-only session may send, checked before a
 * command is encoded (so a refused command never reaches the server).
 *
 * The table is an ALLOWLIST: anything not named here (a write, an admin command, a module command we
 * do not know, a typo) is refused. It was derived from Redis 7.0's `COMMAND INFO`:
 * - every command and subcommand flagged `readonly` and neither `write` nor `admin` nor in `@dangerous`
 *   (so KEYS and SORT_RO, which are `@dangerous`, are refused; SCAN is the way to list keys);
 * - plus connection and introspection commands that change no data: PING, AUTH, HELLO, SELECT, QUIT,
 *   CLIENT SETNAME/GETNAME/ID/INFO/LIST, INFO, CONFIG GET, CLUSTER INFO/SHARDS/SLOTS/NODES..., SLOWLOG
 *   GET/LEN, LATENCY reads, MEMORY STATS/DOCTOR, SCRIPT EXISTS, FUNCTION LIST/STATS, MODULE LIST, ROLE,
 *   the SUBSCRIBE family and PUBSUB introspection, and MULTI/EXEC/DISCARD/WATCH/UNWATCH (a transaction
 *   is only ever as read-only as the commands queued in it, and each of those is checked here too);
 * - RedisJSON's read commands (module commands are not in `COMMAND INFO` of a server without the module).
 * Every command flagged `write` is refused; the admin/dangerous ones allowed above are reads
 * (test/integration/readOnly.test.ts sends every write/admin/dangerous command of the server's own
 * `COMMAND INFO` through a read-only session and checks `INFO commandstats`).
 */
import type { CommandArg } from '../resp/encode';

/** Read commands without subcommands. */
const READ_COMMANDS: ReadonlySet<string> = new Set([
  // Derived from COMMAND INFO (readonly, not write/admin/@dangerous).
  'BITCOUNT',
  'BITFIELD_RO',
  'BITPOS',
  'DBSIZE',
  'DUMP',
  'EVALSHA_RO',
  'EVAL_RO',
  'EXISTS',
  'EXPIRETIME',
  'FCALL_RO',
  'GEODIST',
  'GEOHASH',
  'GEOPOS',
  'GEORADIUSBYMEMBER_RO',
  'GEORADIUS_RO',
  'GEOSEARCH',
  'GET',
  'GETBIT',
  'GETRANGE',
  'HEXISTS',
  'HGET',
  'HGETALL',
  'HKEYS',
  'HLEN',
  'HMGET',
  'HRANDFIELD',
  'HSCAN',
  'HSTRLEN',
  'HVALS',
  'LCS',
  'LINDEX',
  'LLEN',
  'LOLWUT',
  'LPOS',
  'LRANGE',
  'MGET',
  'PEXPIRETIME',
  'PFCOUNT',
  'PTTL',
  'RANDOMKEY',
  'SCAN',
  'SCARD',
  'SDIFF',
  'SINTER',
  'SINTERCARD',
  'SISMEMBER',
  'SMEMBERS',
  'SMISMEMBER',
  'SRANDMEMBER',
  'SSCAN',
  'STRLEN',
  'SUBSTR',
  'SUNION',
  'TOUCH',
  'TTL',
  'TYPE',
  'XLEN',
  'XPENDING',
  'XRANGE',
  'XREAD',
  'XREVRANGE',
  'ZCARD',
  'ZCOUNT',
  'ZDIFF',
  'ZINTER',
  'ZINTERCARD',
  'ZLEXCOUNT',
  'ZMSCORE',
  'ZRANDMEMBER',
  'ZRANGE',
  'ZRANGEBYLEX',
  'ZRANGEBYSCORE',
  'ZRANK',
  'ZREVRANGE',
  'ZREVRANGEBYLEX',
  'ZREVRANGEBYSCORE',
  'ZREVRANK',
  'ZSCAN',
  'ZSCORE',
  'ZUNION',
  // Connection and session state (no data changes).
  'PING',
  'ECHO',
  'AUTH',
  'HELLO',
  'SELECT',
  'QUIT',
  'RESET',
  'READONLY',
  'READWRITE',
  'ASKING',
  'TIME',
  // Transactions: each queued command is checked on its own.
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  // Subscriptions (reads of messages, never a PUBLISH).
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'PSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SSUBSCRIBE',
  'SUNSUBSCRIBE',
  // Server introspection.
  'INFO',
  'ROLE',
  'LASTSAVE',
  // RedisJSON reads.
  'JSON.GET',
  'JSON.MGET',
  'JSON.TYPE',
  'JSON.STRLEN',
  'JSON.OBJLEN',
  'JSON.OBJKEYS',
  'JSON.ARRLEN',
  'JSON.ARRINDEX',
  'JSON.RESP',
]);

/** Container commands: the subcommands that are reads. `*` allows every subcommand. */
const READ_SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    OBJECT: ['ENCODING', 'FREQ', 'IDLETIME', 'REFCOUNT', 'HELP'],
    MEMORY: ['USAGE', 'STATS', 'DOCTOR', 'MALLOC-STATS', 'HELP'],
    XINFO: ['STREAM', 'GROUPS', 'CONSUMERS', 'HELP'],
    CLIENT: ['SETNAME', 'GETNAME', 'ID', 'INFO', 'LIST', 'HELP'],
    CONFIG: ['GET', 'HELP'],
    COMMAND: ['*'],
    CLUSTER: [
      'INFO',
      'SHARDS',
      'SLOTS',
      'NODES',
      'MYID',
      'LINKS',
      'KEYSLOT',
      'COUNTKEYSINSLOT',
      'GETKEYSINSLOT',
      'REPLICAS',
      'SLAVES',
      'HELP',
    ],
    SLOWLOG: ['GET', 'LEN', 'HELP'],
    LATENCY: ['LATEST', 'HISTORY', 'DOCTOR', 'GRAPH', 'HISTOGRAM', 'HELP'],
    SCRIPT: ['EXISTS', 'HELP'],
    FUNCTION: ['LIST', 'STATS', 'DUMP', 'HELP'],
    MODULE: ['LIST', 'HELP'],
    PUBSUB: ['CHANNELS', 'NUMSUB', 'NUMPAT', 'SHARDCHANNELS', 'SHARDNUMSUB', 'HELP'],
    ACL: ['WHOAMI', 'CAT', 'HELP'],
    XGROUP: ['HELP'],
    'JSON.DEBUG': ['MEMORY', 'HELP'],
  }).map(([name, subs]) => [name, new Set(subs)]),
);

/** COMMAND alone (the whole table) is a read; other containers need a subcommand. */
const BARE_CONTAINER_OK: ReadonlySet<string> = new Set(['COMMAND']);

function word(arg: CommandArg | undefined): string {
  if (arg === undefined) return '';
  const text = Buffer.isBuffer(arg) ? arg.subarray(0, 64).toString('latin1') : String(arg).slice(0, 64);
  return text.toUpperCase();
}

/** The command's display name, e.g. `SET`, `CONFIG SET`: printable ASCII only (it is user input). */
function shown(name: string): string {
  return name.replace(/[^\x21-\x7e ]/g, '?');
}

/** The command (and subcommand) a command line names: `['CONFIG', 'SET']` -> 'CONFIG SET'. */
export function commandLabel(args: readonly CommandArg[]): string {
  const name = word(args[0]);
  return shown(READ_SUBCOMMANDS.has(name) && args.length > 1 ? `${name} ${word(args[1])}` : name);
}

/** True when a read-only session may send this command. */
export function isReadCommand(args: readonly CommandArg[]): boolean {
  const name = word(args[0]);
  if (READ_COMMANDS.has(name)) return true;
  const subs = READ_SUBCOMMANDS.get(name);
  if (!subs) return false;
  if (args.length < 2) return BARE_CONTAINER_OK.has(name);
  return subs.has('*') || subs.has(word(args[1]));
}

/** A command refused because the profile is read-only; nothing was sent. */
export class ReadOnlyError extends Error {
  readonly code = 'READ_ONLY_PROFILE';
  constructor(
    /** The refused command (and subcommand), e.g. `SET` or `CONFIG SET`. */
    readonly command: string,
    /** The profile's name, when the connection knows it. */
    readonly profile: string | undefined,
  ) {
    super(
      `${profile ? `Profile "${profile}"` : 'This connection'} is read-only: ${command || 'an empty command'} ${command ? 'is not a read command' : 'was refused'}; nothing was sent. Turn off "readOnly" in the profile to change data.`,
    );
    this.name = 'ReadOnlyError';
  }
}

export function isReadOnlyError(e: unknown): e is ReadOnlyError {
  return e instanceof ReadOnlyError;
}

/** Throws ReadOnlyError when `readOnly` is on and the command is not a read. */
export function assertAllowed(args: readonly CommandArg[], readOnly: boolean | undefined, profile?: string): void {
  if (!readOnly || isReadCommand(args)) return;
  throw new ReadOnlyError(commandLabel(args), profile);
}
