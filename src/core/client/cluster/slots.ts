/** Redis Cluster key slots: CRC16/XMODEM with {hashtag} rules (as in the Redis Cluster spec), and which argument of a command is its key. */
import type { CommandArg } from '../../resp/encode';

export const SLOT_COUNT = 16384;

const CRC16_TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (data[i] as number)) & 0xff] as number);
  return crc;
}

/**
 * The hash slot of a key. If the key contains `{...}` with at least one byte between the FIRST `{`
 * and the first `}` after it, only those bytes are hashed.
 */
export function keySlot(key: Buffer | string): number {
  const k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = k.indexOf(0x7b);
  if (open >= 0) {
    const close = k.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(k, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(k) & (SLOT_COUNT - 1);
}

/** Commands whose key is the third word (`OBJECT ENCODING key`, `MEMORY USAGE key`, `XINFO STREAM key`). */
const SUBCOMMAND_KEY = new Set(['OBJECT', 'MEMORY', 'XINFO']);
/** Commands without a key: any master answers (the first one). */
const KEYLESS = new Set([
  'PING',
  'INFO',
  'SCAN',
  'DBSIZE',
  'MODULE',
  'COMMAND',
  'CLUSTER',
  'ECHO',
  'TIME',
  'CLIENT',
  'HELLO',
  'ACL',
  'CONFIG',
  'LATENCY',
  'SLOWLOG',
  'SELECT',
  'QUIT',
]);
export function commandWord(arg: CommandArg | undefined): string {
  if (arg === undefined) return '';
  return (Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg)).toUpperCase();
}

/** The routing key of a command, or undefined for keyless commands. */
export function commandKey(args: readonly CommandArg[]): CommandArg | undefined {
  const name = commandWord(args[0]);
  if (KEYLESS.has(name)) return undefined;
  if (SUBCOMMAND_KEY.has(name)) return args[2];
  return args[1];
}
