/**
 * Per-key facts for the visible keys only: type and TTL for a page (pipelined), and on demand the
 * details of one key (encoding, memory usage, length). Read commands only.
 */
import { Args, asInteger, asText, pipeline } from './replyNarrowing';
import type { Database } from './database';

export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | 'ReJSON-RL' | 'none' | 'unknown';

export interface KeyMeta {
  type: KeyType;
  /** Milliseconds to live; -1 no expiry, -2 gone. */
  pttl: number;
}

export interface KeyDetails extends KeyMeta {
  encoding?: string;
  memoryBytes?: number;
  /** Elements (or bytes for a string). */
  length?: number;
}

const KNOWN_TYPES = new Set<string>(['string', 'hash', 'list', 'set', 'zset', 'stream', 'ReJSON-RL', 'none']);

export function toKeyType(name: string): KeyType {
  return KNOWN_TYPES.has(name) ? (name as KeyType) : 'unknown';
}

export async function fetchMeta(db: Database, keys: readonly Buffer[]): Promise<KeyMeta[]> {
  if (keys.length === 0) return [];
  const commands: Args[] = [];
  for (const key of keys) commands.push(['TYPE', key], ['PTTL', key]);
  const replies = await db.batch(commands);
  const out: KeyMeta[] = [];
  for (let i = 0; i < keys.length; i++) {
    const type = replies[2 * i];
    const pttl = replies[2 * i + 1];
    out.push({
      type: type instanceof Error ? 'unknown' : toKeyType(asText(type)),
      pttl: pttl instanceof Error ? -1 : asInteger(pttl),
    });
  }
  return out;
}

const LENGTH_COMMAND: Partial<Record<KeyType, string>> = {
  string: 'STRLEN',
  hash: 'HLEN',
  list: 'LLEN',
  set: 'SCARD',
  zset: 'ZCARD',
  stream: 'XLEN',
};

export async function fetchDetails(db: Database, key: Buffer): Promise<KeyDetails> {
  const [meta] = await fetchMeta(db, [key]);
  const details: KeyDetails = { ...(meta as KeyMeta) };
  const lengthCommand = LENGTH_COMMAND[details.type];
  const commands: Args[] = [
    ['OBJECT', 'ENCODING', key],
    ['MEMORY', 'USAGE', key],
  ];
  if (lengthCommand) commands.push([lengthCommand, key]);
  const [encoding, memory, length] = await pipeline(db, commands);
  if (encoding !== null && encoding !== undefined && !(encoding instanceof Error)) details.encoding = asText(encoding);
  if (typeof memory === 'number') details.memoryBytes = memory;
  if (typeof length === 'number') details.length = length;
  return details;
}

/** "1h 2m", "45s", "3d 4h": the two largest units. */
export function formatTtl(pttl: number): string {
  if (pttl < 0) return pttl === -2 ? 'expired' : 'no expiry';
  if (pttl < 1000) return `${pttl}ms`;
  let s = Math.floor(pttl / 1000);
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  for (const [name, size] of units) {
    if (s >= size || (parts.length === 0 && name === 's')) {
      parts.push(`${Math.floor(s / size)}${name}`);
      s %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
