/**
 * Saving an edited value document: the change against what the document showed, written with no lost
 * writes and no lost TTL.
 *
 * 1. Both texts are parsed (`document.ts`); an invalid edit throws DocumentError before anything is sent.
 * 2. The change is planned per type, for the part the document shows only (a capped document edits its
 *    part and leaves the rest of the value alone).
 * 3. `WATCH key` and a read of the shown part (plus the type and the expiry time) go out back to back;
 *    if the part differs from what the document showed, the save stops: `conflict` (the caller offers
 *    Compare / Overwrite / Reload; Overwrite saves again against a fresh read of the server's part).
 * 4. `MULTI`, the writes, the expiry re-applied where a write drops it (`PEXPIREAT` to the exact
 *    instant read under WATCH), `EXEC`, back to back. A nil EXEC means the key changed in between:
 *    the check runs again (a change outside the part does not conflict).
 * The compare reads at most the shown part, which the caps bound (redisTls.values.maxBytes /
 * maxElements), so no digest is needed to keep it cheap.
 *
 * Both batches go out in one tick on the key's connection, so no other command of a shared connection
 * can land inside the transaction. In a cluster, the key's slot owner gets them (`keyCommander`).
 */
import { ClusterRouter } from '../client/cluster';
import { Database } from '../keys/database';
import { prettyJson } from '../keys/format';
import type { DocumentKind } from '../keys/values';
import { Args, asArray, asOptionalBuffer, asText } from '../keys/replyNarrowing';
import { parseDocument, scoreValue, stringBody, type EditableType, type EditedValue } from './document';

/** Which part of the value a document shows. */
export interface DocumentScope {
  /** Byte offset (strings) or index (lists) of the first shown byte/element. */
  offset?: number;
  /** The document shows the whole value. */
  whole: boolean;
  /** No part follows this one (the end of the value is in the document). */
  last: boolean;
}

export interface SaveRequest {
  key: Buffer;
  type: EditableType;
  kind: DocumentKind;
  scope: DocumentScope;
  /** The document as it was read from the server. */
  original: string;
  /** The document as the user wants it. */
  edited: string;
}

/** The conflict cause when the key is still there with its type but the part shown differs. */
export const VALUE_CHANGED = 'its value changed';

export type SaveResult =
  | { status: 'unchanged' }
  /** `commands`: how many write commands ran; `notes`: what the user should know (e.g. the key became empty). */
  | { status: 'saved'; commands: number; notes: string[] }
  /**
   * The shown part changed on the server since the document was read; nothing was written. `cause`:
   * what changed ("its value changed", "the key was deleted", "the key is now a list").
   */
  | { status: 'conflict'; reason: string; cause: string };

/** An edit the document format allows but Redis cannot apply to this part; nothing was written. */
export class UnsupportedEditError extends Error {
  readonly code = 'UNSUPPORTED_EDIT';
  constructor(message: string) {
    super(`${message} Nothing was written.`);
    this.name = 'UnsupportedEditError';
  }
}

/** A write failed inside the transaction (e.g. the server refused a command). */
export class SaveFailedError extends Error {
  readonly code = 'SAVE_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SaveFailedError';
  }
}

interface Plan {
  /** Reads of the shown part, sent under WATCH. */
  verify: Args[];
  /** Whether the replies to `verify` still match the document as it was read. */
  matches(replies: unknown[]): boolean;
  writes: Args[];
  /** The writes may drop the key's TTL (DEL + RPUSH): re-apply it. */
  dropsTtl: boolean;
  notes: string[];
}

const MAX_ATTEMPTS = 3;

/** The database view on which a key's transaction must run: the slot owner in a cluster. */
export function keyCommander(db: Database, key: Buffer): Database {
  if (db.connection instanceof ClusterRouter) return new Database(db.connection.clientForKey(key), 0, 0);
  return db;
}

function sameBytes(a: unknown, b: Buffer): boolean {
  const got = asOptionalBuffer(a);
  return got !== null && got.equals(b);
}

function key(b: Buffer): string {
  return b.toString('latin1');
}

export async function saveValue(db: Database, request: SaveRequest): Promise<SaveResult> {
  // Parse the edit first: invalid input stops here, before anything is sent.
  const edited = parseDocument(request.type, request.kind, request.edited);
  const original = parseDocument(request.type, request.kind, request.original);
  const plan = planChange(request, original, edited);
  if (plan.writes.length === 0) return { status: 'unchanged' };
  const target = keyCommander(db, request.key);
  for (let attempt = 1; ; attempt++) {
    const [, typeReply, expireAtReply, ...verifyReplies] = await target.batch([
      ['WATCH', request.key],
      ['TYPE', request.key],
      ['PEXPIRETIME', request.key],
      ...plan.verify,
    ]);
    const typeNow = typeReply instanceof Error ? '' : asText(typeReply);
    const conflict =
      typeNow !== request.type
        ? typeNow === 'none'
          ? 'the key was deleted'
          : `the key is now a ${typeNow}`
        : verifyReplies.some((r) => r instanceof Error) || !plan.matches(verifyReplies)
          ? VALUE_CHANGED
          : undefined;
    if (conflict) {
      await target.batch([['UNWATCH']]);
      return { status: 'conflict', reason: `${conflict} on the server since the document was opened`, cause: conflict };
    }
    const expireAt = typeof expireAtReply === 'number' ? expireAtReply : -1;
    const ttl: Args[] = plan.dropsTtl && expireAt > 0 ? [['PEXPIREAT', request.key, expireAt]] : [];
    const replies = await target.batch([['MULTI'], ...plan.writes, ...ttl, ['EXEC']]);
    const queued = replies.slice(0, -1).find((r) => r instanceof Error);
    const exec = replies[replies.length - 1];
    if (queued instanceof Error)
      throw new SaveFailedError(`The server refused the write: ${queued.message.slice(0, 200)}`, { cause: queued });
    if (exec instanceof Error) throw new SaveFailedError(`The server refused the write: ${exec.message.slice(0, 200)}`, { cause: exec });
    if (exec === null || exec === undefined) {
      // The key changed between WATCH and EXEC: check the part again.
      if (attempt >= MAX_ATTEMPTS)
        return { status: 'conflict', reason: 'the key kept changing on the server while saving', cause: 'it kept changing while saving' };
      continue;
    }
    const failed = asArray(exec).find((r) => r instanceof Error);
    if (failed instanceof Error)
      throw new SaveFailedError(`A write failed on the server: ${failed.message.slice(0, 200)}`, { cause: failed });
    return { status: 'saved', commands: plan.writes.length + ttl.length, notes: plan.notes };
  }
}

function planChange(request: SaveRequest, original: EditedValue, edited: EditedValue): Plan {
  const k = request.key;
  const scope = request.scope;
  const none: Plan = { verify: [], matches: () => true, writes: [], dropsTtl: false, notes: [] };
  switch (original.type) {
    case 'string': {
      const next = (edited as typeof original).bytes;
      if (next.equals(original.bytes)) return none;
      if (scope.whole) {
        const json = request.kind === 'json';
        return {
          verify: [['GET', k]],
          // A JSON view shows the stored JSON re-indented: compare renderings, not bytes.
          matches: ([r]) =>
            json ? prettyJson(asText(r)) === stringBody(request.original).body.replace(/\n$/, '') : sameBytes(r, original.bytes),
          writes: [['SET', k, next, 'KEEPTTL']],
          dropsTtl: false,
          notes: [],
        };
      }
      const offset = scope.offset ?? 0;
      if (next.length !== original.bytes.length) {
        throw new UnsupportedEditError(
          `This document shows bytes ${offset}–${offset + original.bytes.length - 1} of a larger string: an edit of a part keeps its length (${original.bytes.length} bytes; now ${next.length}).`,
        );
      }
      return {
        verify: [['GETRANGE', k, offset, offset + original.bytes.length - 1]],
        matches: ([r]) => sameBytes(r, original.bytes),
        writes: [['SETRANGE', k, offset, next]],
        dropsTtl: false,
        notes: [],
      };
    }
    case 'hash': {
      const before = new Map(original.fields.map(([f, v]) => [key(f), v]));
      const after = new Map((edited as typeof original).fields.map(([f, v]) => [key(f), v]));
      const set: Buffer[] = [];
      for (const [f, v] of (edited as typeof original).fields) if (!before.get(key(f))?.equals(v)) set.push(f, v);
      const removed = original.fields.filter(([f]) => !after.has(key(f))).map(([f]) => f);
      const writes: Args[] = [];
      if (set.length > 0) writes.push(['HSET', k, ...set]);
      if (removed.length > 0) writes.push(['HDEL', k, ...removed]);
      const fields = original.fields.map(([f]) => f);
      return {
        verify: fields.length > 0 ? [['HMGET', k, ...fields]] : [],
        matches: ([r]) => fields.length === 0 || asArray(r).every((v, i) => sameBytes(v, (original.fields[i] as [Buffer, Buffer])[1])),
        writes,
        dropsTtl: false,
        notes: scope.whole && after.size === 0 && writes.length > 0 ? ['The hash is empty now, so Redis removed the key.'] : [],
      };
    }
    case 'set': {
      const before = new Set(original.members.map(key));
      const after = new Set((edited as typeof original).members.map(key));
      const added = (edited as typeof original).members.filter((m) => !before.has(key(m)));
      const removed = original.members.filter((m) => !after.has(key(m)));
      const writes: Args[] = [];
      if (added.length > 0) writes.push(['SADD', k, ...added]);
      if (removed.length > 0) writes.push(['SREM', k, ...removed]);
      return {
        verify: original.members.length > 0 ? [['SMISMEMBER', k, ...original.members]] : [],
        matches: ([r]) => original.members.length === 0 || asArray(r).every((v) => v === 1),
        writes,
        dropsTtl: false,
        notes: scope.whole && after.size === 0 && writes.length > 0 ? ['The set is empty now, so Redis removed the key.'] : [],
      };
    }
    case 'zset': {
      const before = new Map(original.members.map(([m, s]) => [key(m), s]));
      const after = new Set((edited as typeof original).members.map(([m]) => key(m)));
      const add: Array<string | Buffer> = [];
      for (const [m, s] of (edited as typeof original).members) {
        const old = before.get(key(m));
        if (old === undefined || scoreValue(old) !== scoreValue(s)) add.push(s, m);
      }
      const removed = original.members.filter(([m]) => !after.has(key(m))).map(([m]) => m);
      const writes: Args[] = [];
      if (add.length > 0) writes.push(['ZADD', k, ...add]);
      if (removed.length > 0) writes.push(['ZREM', k, ...removed]);
      const members = original.members.map(([m]) => m);
      return {
        verify: members.length > 0 ? [['ZMSCORE', k, ...members]] : [],
        matches: ([r]) =>
          members.length === 0 ||
          asArray(r).every((v, i) => v !== null && scoreValue(asText(v)) === scoreValue((original.members[i] as [Buffer, string])[1])),
        writes,
        dropsTtl: false,
        notes: scope.whole && after.size === 0 && writes.length > 0 ? ['The sorted set is empty now, so Redis removed the key.'] : [],
      };
    }
    case 'list':
      return planList(request, original.items, (edited as typeof original).items);
    case 'stream':
      return planStream(k, original.entries, (edited as typeof original).entries);
    case 'ReJSON-RL': {
      const next = (edited as typeof original).json;
      if (next === original.json) return none;
      return {
        verify: [['JSON.GET', k]],
        matches: ([r]) => r !== null && prettyJson(asText(r)) === original.json,
        writes: [['JSON.SET', k, '$', next]],
        dropsTtl: true,
        notes: [],
      };
    }
  }
}

function planList(request: SaveRequest, before: Buffer[], after: Buffer[]): Plan {
  const k = request.key;
  const offset = request.scope.offset ?? 0;
  const verify: Args[] = [['LRANGE', k, offset, request.scope.whole ? -1 : offset + before.length - 1]];
  const matches = ([r]: unknown[]): boolean => {
    const items = asArray(r);
    return items.length === before.length && items.every((v, i) => sameBytes(v, before[i] as Buffer));
  };
  const base = { verify, matches, dropsTtl: false, notes: [] as string[] };
  if (after.length === before.length) {
    const writes: Args[] = [];
    after.forEach((v, i) => {
      if (!v.equals(before[i] as Buffer)) writes.push(['LSET', k, offset + i, v]);
    });
    return { ...base, writes };
  }
  const startsWithBefore = after.length > before.length && before.every((v, i) => v.equals(after[i] as Buffer));
  if (startsWithBefore && request.scope.last) return { ...base, writes: [['RPUSH', k, ...after.slice(before.length)]] };
  if (!request.scope.whole) {
    throw new UnsupportedEditError(
      `This document shows elements ${offset}–${offset + before.length - 1} of a larger list: here elements can be changed, or added at the end of the last part; to insert or remove elements, open a document with the whole list (raise redisTls.values.maxElements).`,
    );
  }
  const extra = after.length - before.length;
  if (extra > 0 && before.every((v, i) => v.equals(after[extra + i] as Buffer))) {
    return { ...base, writes: [['LPUSH', k, ...after.slice(0, extra).reverse()]] };
  }
  // Any other reshaping of a whole list: replace it in the transaction (DEL drops the TTL: re-applied).
  const writes: Args[] = [['DEL', k]];
  if (after.length > 0) writes.push(['RPUSH', k, ...after]);
  return {
    ...base,
    writes,
    dropsTtl: after.length > 0,
    notes: after.length === 0 ? ['The list is empty now, so Redis removed the key.'] : [],
  };
}

function planStream(
  k: Buffer,
  before: Array<{ id: string; fields: Array<[Buffer, Buffer]> }>,
  after: Array<{ id: string; fields: Array<[Buffer, Buffer]> }>,
): Plan {
  const same = (a: Array<[Buffer, Buffer]>, b: Array<[Buffer, Buffer]>): boolean =>
    a.length === b.length && a.every(([f, v], i) => f.equals((b[i] as [Buffer, Buffer])[0]) && v.equals((b[i] as [Buffer, Buffer])[1]));
  const beforeById = new Map(before.map((e) => [e.id, e.fields]));
  const afterIds = new Set(after.map((e) => e.id));
  const writes: Args[] = [];
  for (const entry of after) {
    const old = beforeById.get(entry.id);
    if (old === undefined) {
      writes.push(['XADD', k, entry.id, ...entry.fields.flat()]);
    } else if (!same(old, entry.fields)) {
      throw new UnsupportedEditError(
        `Stream entry ${entry.id} was changed: stream entries cannot be changed in place. Delete the entry and add a new one with the id "*".`,
      );
    }
  }
  const removed = before.filter((e) => !afterIds.has(e.id)).map((e) => e.id);
  if (removed.length > 0) writes.push(['XDEL', k, ...removed]);
  const ids = before.map((e) => e.id);
  return {
    // Entries are immutable: the part matches while the shown entries still exist.
    verify: ids.map((id) => ['XRANGE', k, id, id] as Args),
    matches: (replies) => replies.every((r) => asArray(r).length === 1),
    writes,
    dropsTtl: false,
    notes: [],
  };
}
