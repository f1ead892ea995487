/**
 * Key operations that create keys: New Key, Rename Key (no overwrite unless asked), Duplicate Key
 * (COPY). Each refuses to overwrite an existing key unless the caller says the user confirmed it, and
 * in a cluster refuses a two-key command whose keys live in different slots, naming both.
 */
import { ClusterRouter, keySlot } from '../client/cluster';
import { displayBytes } from '../keys/bytes';
import { Database } from '../keys/database';
import { Args, asArray, asInteger } from '../keys/replyNarrowing';
import type { EditableType } from './document';
import { keyCommander, SaveFailedError } from './save';

/** The two keys of a RENAME/COPY hash to different cluster slots; nothing was sent. */
export class CrossSlotError extends Error {
  readonly code = 'CROSS_SLOT';
  constructor(
    readonly from: Buffer,
    readonly to: Buffer,
    readonly fromSlot: number,
    readonly toSlot: number,
  ) {
    super(
      `"${displayBytes(from)}" is in hash slot ${fromSlot} and "${displayBytes(to)}" in slot ${toSlot}: a cluster cannot rename or copy across slots. Give both names the same {hashtag} (e.g. "{${tagHint(from)}}…") so they share a slot.`,
    );
    this.name = 'CrossSlotError';
  }
}

function tagHint(key: Buffer): string {
  const text = displayBytes(key);
  const open = text.indexOf('{');
  const close = open >= 0 ? text.indexOf('}', open + 1) : -1;
  if (close > open + 1) return text.slice(open + 1, close);
  return text.split(':')[0]?.slice(0, 20) || 'tag';
}

/** The target key exists; nothing was changed. */
export class KeyExistsError extends Error {
  readonly code = 'KEY_EXISTS';
  constructor(readonly key: Buffer) {
    super(`The key "${displayBytes(key)}" already exists.`);
    this.name = 'KeyExistsError';
  }
}

/** Refuses (before sending) a two-key command across cluster slots. */
export function assertSameSlot(db: Database, from: Buffer, to: Buffer): void {
  if (!(db.connection instanceof ClusterRouter)) return;
  const a = keySlot(from);
  const b = keySlot(to);
  if (a !== b) throw new CrossSlotError(from, to, a, b);
}

export type FirstValue =
  | { type: 'string'; value: Buffer }
  | { type: 'hash'; field: Buffer; value: Buffer }
  | { type: 'list'; value: Buffer }
  | { type: 'set'; value: Buffer }
  | { type: 'zset'; member: Buffer; score: string }
  | { type: 'stream'; field: Buffer; value: Buffer }
  | { type: 'ReJSON-RL'; json: string };

export interface NewKey {
  key: Buffer;
  first: FirstValue;
  /** Expiry in milliseconds; none when undefined or <= 0. */
  ttlMs?: number;
}

function firstWrite(key: Buffer, first: FirstValue): Args {
  switch (first.type) {
    case 'string':
      return ['SET', key, first.value];
    case 'hash':
      return ['HSET', key, first.field, first.value];
    case 'list':
      return ['RPUSH', key, first.value];
    case 'set':
      return ['SADD', key, first.value];
    case 'zset':
      return ['ZADD', key, first.score, first.member];
    case 'stream':
      return ['XADD', key, '*', first.field, first.value];
    case 'ReJSON-RL':
      return ['JSON.SET', key, '$', first.json];
  }
}

/** Creates a key with its first value (and TTL) atomically; KeyExistsError when the name is taken. */
export async function createKey(db: Database, spec: NewKey): Promise<void> {
  const target = keyCommander(db, spec.key);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [, exists] = await target.batch([
      ['WATCH', spec.key],
      ['EXISTS', spec.key],
    ]);
    if (exists instanceof Error) throw exists;
    if (asInteger(exists) > 0) {
      await target.batch([['UNWATCH']]);
      throw new KeyExistsError(spec.key);
    }
    const ttl: Args[] = spec.ttlMs !== undefined && spec.ttlMs > 0 ? [['PEXPIRE', spec.key, Math.floor(spec.ttlMs)]] : [];
    const replies = await target.batch([['MULTI'], firstWrite(spec.key, spec.first), ...ttl, ['EXEC']]);
    const exec = replies[replies.length - 1];
    const refused = replies.find((r) => r instanceof Error);
    if (refused instanceof Error)
      throw new SaveFailedError(`The server refused to create the key: ${refused.message.slice(0, 200)}`, { cause: refused });
    if (exec === null) continue;
    const failed = asArray(exec).find((r) => r instanceof Error);
    if (failed instanceof Error)
      throw new SaveFailedError(`The server refused to create the key: ${failed.message.slice(0, 200)}`, { cause: failed });
    return;
  }
  throw new KeyExistsError(spec.key);
}

export interface MoveOptions {
  /** The user confirmed replacing an existing target key. */
  overwrite?: boolean;
}

/** RENAMENX, or RENAME when the user confirmed the overwrite. KeyExistsError when the target exists. */
export async function renameKey(db: Database, from: Buffer, to: Buffer, options: MoveOptions = {}): Promise<void> {
  assertSameSlot(db, from, to);
  const target = keyCommander(db, from);
  if (options.overwrite) {
    await target.send(['RENAME', from, to]);
    return;
  }
  if (asInteger(await target.send(['RENAMENX', from, to])) === 0) throw new KeyExistsError(to);
}

/** COPY (TTL included), with REPLACE only when the user confirmed. KeyExistsError when the target exists. */
export async function duplicateKey(db: Database, from: Buffer, to: Buffer, options: MoveOptions = {}): Promise<void> {
  assertSameSlot(db, from, to);
  const target = keyCommander(db, from);
  const copied = asInteger(await target.send(options.overwrite ? ['COPY', from, to, 'REPLACE'] : ['COPY', from, to]));
  if (copied === 0) throw new KeyExistsError(to);
}

/** Types New Key offers (RedisJSON only when the module is loaded). */
export const NEW_KEY_TYPES: readonly EditableType[] = ['string', 'hash', 'list', 'set', 'zset', 'stream', 'ReJSON-RL'];
