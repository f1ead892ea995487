/**
 * Value readers: one part of a key's value as a read-only text document, capped in bytes or
 * elements, with the position of the next part. Read commands only.
 */
import { displayBytes } from './bytes';
import type { Database } from './database';
import { count, hexDump, isText, jsonLiteral, prettyJson, scoreLiteral } from './format';
import { KeyType, formatTtl, toKeyType } from './keyInfo';
import { Args, asArray, asBuffer, asInteger, asOptionalBuffer, asText, pipeline } from './replyNarrowing';

export interface ValueCaps {
  maxBytes: number;
  maxElements: number;
}

export const DEFAULT_CAPS: ValueCaps = { maxBytes: 1024 * 1024, maxElements: 1000 };

/** Where a part starts: a byte/index offset, a SCAN cursor (hash, set) or a stream id (exclusive). */
export interface ValuePosition {
  offset?: number;
  cursor?: string;
  after?: string;
}

export type DocumentKind = 'json' | 'jsonc' | 'text' | 'hex';

export interface ValuePart {
  type: KeyType;
  kind: DocumentKind;
  text: string;
  /** Set when more follows. */
  next?: ValuePosition;
  /** Human summary, e.g. "hash · 3 fields · TTL 1h". */
  summary: string;
}

/** HSCAN/SSCAN calls of one part at most, whatever the server answers (empty pages, ignored COUNT). */
export const MAX_SCAN_CALLS = 100;
/** A part never holds more than this many times maxElements, whatever the server sends. */
export const MAX_PART_FACTOR = 2;

/**
 * Reads one part of a value. `signal` cancels it (the reads in flight reject with its reason). The caps
 * hold even against a server that ignores COUNT or ranges: no more than `maxElements` elements and
 * MAX_SCAN_CALLS calls per part, and a RedisJSON document larger than `maxBytes` is not fetched.
 */
export async function readValue(
  db: Database,
  key: Buffer,
  position: ValuePosition = {},
  caps: ValueCaps = DEFAULT_CAPS,
  signal?: AbortSignal,
): Promise<ValuePart> {
  const scoped: Database = signal ? withSignal(db, signal) : db;
  return readScoped(scoped, key, position, caps);
}

/** `db` with `signal` on every command (and checked before each). */
function withSignal(db: Database, signal: AbortSignal): Database {
  const scoped = Object.create(db) as Database;
  scoped.send = (args, options) => {
    signal.throwIfAborted();
    return db.send(args, { ...options, signal });
  };
  return scoped;
}

async function readScoped(db: Database, key: Buffer, position: ValuePosition, caps: ValueCaps): Promise<ValuePart> {
  const [typeReply, pttlReply] = await pipeline(db, [
    ['TYPE', key],
    ['PTTL', key],
  ]);
  const type = toKeyType(asText(typeReply));
  const pttl = pttlReply instanceof Error ? -1 : asInteger(pttlReply);
  const ttl = pttl >= 0 ? ` · TTL ${formatTtl(pttl)}` : '';
  const name = displayBytes(key);
  switch (type) {
    case 'none':
      return { type, kind: 'text', text: `The key ${name} does not exist (any more).\n`, summary: 'missing' };
    case 'string':
      return readString(db, key, position, caps, ttl);
    case 'hash':
      return readHash(db, key, name, position, caps, ttl);
    case 'list':
      return readList(db, key, name, position, caps, ttl);
    case 'set':
      return readSet(db, key, name, position, caps, ttl);
    case 'zset':
      return readZset(db, key, name, position, caps, ttl);
    case 'stream':
      return readStream(db, key, name, position, caps, ttl);
    case 'ReJSON-RL':
      return readJson(db, key, caps, ttl);
    default:
      return { type, kind: 'text', text: `The key ${name} has a type this viewer does not read.\n`, summary: 'unknown type' };
  }
}

/** The note of a partial document; empty when the whole value is shown. */
function capNote(shown: string, total: string, hasMore: boolean, isLaterPart: boolean, setting: string): string {
  if (!hasMore && !isLaterPart) return '';
  return `// Showing ${shown} of ${total} (cap: ${setting}).${hasMore ? ' More: "Load Next Part" (CodeLens above or the editor title).' : ' This is the last part.'} A save changes this part only.\n`;
}

async function readString(db: Database, key: Buffer, position: ValuePosition, caps: ValueCaps, ttl: string): Promise<ValuePart> {
  const offset = Math.max(0, position.offset ?? 0);
  const [lengthReply, dataReply] = await pipeline(db, [
    ['STRLEN', key],
    ['GETRANGE', key, offset, offset + caps.maxBytes - 1],
  ]);
  const total = asInteger(lengthReply);
  const data = asBuffer(dataReply);
  const end = offset + data.length;
  const next = end < total ? { offset: end } : undefined;
  const whole = offset === 0 && !next;
  const summary = `string · ${count(total)} bytes${ttl}`;
  const note =
    next || offset > 0
      ? `[redis-tls] Showing bytes ${count(offset)}–${count(Math.max(offset, end - 1))} of ${count(total)} (cap: redisTls.values.maxBytes).${next ? ' More: "Load Next Part" (CodeLens above or the editor title).' : ''} A save changes these bytes only (same length).\n\n`
      : '';
  if (isText(data)) {
    const text = data.toString('utf8');
    if (whole) {
      const json = prettyJson(text);
      if (json !== undefined) return { type: 'string', kind: 'json', text: json + '\n', summary };
    }
    return { type: 'string', kind: 'text', text: note + text, summary, ...(next ? { next } : {}) };
  }
  return {
    type: 'string',
    kind: 'hex',
    text: note + hexDump(data, offset) + '\n',
    summary: `${summary} · binary`,
    ...(next ? { next } : {}),
  };
}

/**
 * HSCAN/SSCAN until `max` elements, the end, or MAX_SCAN_CALLS calls; returns the raw element list
 * and the next cursor. COUNT is only a hint (Redis returns a whole bucket, or a whole small listpack)
 * and a page cannot be resumed in the middle, so a page is kept whole up to twice the cap; beyond that
 * (a server ignoring COUNT) it is cut: `dropped` counts the elements not shown (the cursor moves past them).
 */
async function scanElements(
  db: Database,
  command: 'HSCAN' | 'SSCAN',
  key: Buffer,
  cursor: string,
  max: number,
  perElement: number,
): Promise<{ items: Buffer[]; cursor: string; dropped: number }> {
  const items: Buffer[] = [];
  const limit = MAX_PART_FACTOR * max * perElement;
  let at = cursor;
  let dropped = 0;
  let calls = 0;
  do {
    const want = Math.max(1, Math.min(max - Math.floor(items.length / perElement), 1000));
    const reply = asArray(await db.send([command, key, at, 'COUNT', want] as Args));
    calls++;
    at = asText(reply[0]);
    const page = asArray(reply[1]);
    const room = limit - items.length;
    for (let i = 0; i < page.length && i < room; i++) items.push(asBuffer(page[i]));
    if (page.length > room) dropped = Math.floor((page.length - room) / perElement);
  } while (at !== '0' && items.length < max * perElement && calls < MAX_SCAN_CALLS);
  return { items, cursor: at, dropped };
}

/** The note when the server sent more than asked. */
function droppedNote(dropped: number, what: string): string {
  return dropped > 0
    ? `// The server sent more ${what} than asked for (it ignored COUNT): ${count(dropped)} beyond the cap were not shown and are skipped by "Load Next Part".\n`
    : '';
}

function header(type: string, name: string, size: string, ttl: string): string {
  return `// ${type} ${name} · ${size}${ttl}\n`;
}

/** `n unit` with the unit in the plural when n is not 1 (`plural` defaults to unit + "s"). */
function sizeOf(total: number, unit: string, plural = `${unit}s`): string {
  return `${count(total)} ${total === 1 ? unit : plural}`;
}

/**
 * One part of a collection as a JSONC document: the header line (what, key, size, TTL), the notes
 * (cap, dropped elements), the body, and where the next part starts.
 */
function collectionPart(
  type: ValuePart['type'],
  what: string,
  name: string,
  size: string,
  ttl: string,
  notes: string,
  body: string,
  next: ValuePart['next'] | undefined,
): ValuePart {
  return {
    type,
    kind: 'jsonc',
    summary: `${type} · ${size}${ttl}`,
    text: header(what, name, size, ttl) + notes + body + '\n',
    ...(next ? { next } : {}),
  };
}

async function readHash(
  db: Database,
  key: Buffer,
  name: string,
  position: ValuePosition,
  caps: ValueCaps,
  ttl: string,
): Promise<ValuePart> {
  const total = asInteger(await db.send(['HLEN', key]));
  const { items, cursor, dropped } = await scanElements(db, 'HSCAN', key, position.cursor ?? '0', caps.maxElements, 2);
  const pairs: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i] as Buffer, items[i + 1] as Buffer]);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const next = cursor !== '0' ? { cursor } : undefined;
  const body = pairs.length === 0 ? '{}' : `{\n${pairs.map(([f, v]) => `  ${jsonLiteral(f)}: ${jsonLiteral(v)}`).join(',\n')}\n}`;
  const notes =
    capNote(`${count(pairs.length)} fields`, count(total), !!next, !!position.cursor, 'redisTls.values.maxElements') +
    droppedNote(dropped, 'fields');
  return collectionPart('hash', 'hash', name, sizeOf(total, 'field'), ttl, notes, body, next);
}

async function readSet(db: Database, key: Buffer, name: string, position: ValuePosition, caps: ValueCaps, ttl: string): Promise<ValuePart> {
  const total = asInteger(await db.send(['SCARD', key]));
  const { items, cursor, dropped } = await scanElements(db, 'SSCAN', key, position.cursor ?? '0', caps.maxElements, 1);
  items.sort(Buffer.compare);
  const next = cursor !== '0' ? { cursor } : undefined;
  const body = items.length === 0 ? '[]' : `[\n${items.map((m) => `  ${jsonLiteral(m)}`).join(',\n')}\n]`;
  const notes =
    capNote(`${count(items.length)} members`, count(total), !!next, !!position.cursor, 'redisTls.values.maxElements') +
    droppedNote(dropped, 'members');
  return collectionPart('set', 'set', name, sizeOf(total, 'member'), ttl, notes, body, next);
}

async function readList(
  db: Database,
  key: Buffer,
  name: string,
  position: ValuePosition,
  caps: ValueCaps,
  ttl: string,
): Promise<ValuePart> {
  const offset = Math.max(0, position.offset ?? 0);
  const [lengthReply, rangeReply] = await pipeline(db, [
    ['LLEN', key],
    ['LRANGE', key, offset, offset + caps.maxElements - 1],
  ]);
  const total = asInteger(lengthReply);
  // slice: a server that ignores the range still yields no more than the cap.
  const items = asArray(rangeReply)
    .slice(0, caps.maxElements)
    .map((r) => asBuffer(r));
  const end = offset + items.length;
  const next = end < total ? { offset: end } : undefined;
  const shown = `elements ${count(offset)}–${count(Math.max(offset, end - 1))}`;
  const body =
    items.length === 0
      ? '[]'
      : `[\n${items.map((m, i) => `  ${jsonLiteral(m)}${i < items.length - 1 ? ',' : ''} // ${offset + i}`).join('\n')}\n]`;
  const notes = capNote(shown, count(total), !!next, offset > 0, 'redisTls.values.maxElements');
  return collectionPart('list', 'list', name, sizeOf(total, 'element'), ttl, notes, body, next);
}

async function readZset(
  db: Database,
  key: Buffer,
  name: string,
  position: ValuePosition,
  caps: ValueCaps,
  ttl: string,
): Promise<ValuePart> {
  const offset = Math.max(0, position.offset ?? 0);
  const [lengthReply, rangeReply] = await pipeline(db, [
    ['ZCARD', key],
    ['ZRANGE', key, offset, offset + caps.maxElements - 1, 'WITHSCORES'],
  ]);
  const total = asInteger(lengthReply);
  const flat = asArray(rangeReply).slice(0, 2 * caps.maxElements);
  const lines: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const member = asBuffer(flat[i]);
    const score = flat[i + 1];
    lines.push(`  ${jsonLiteral(member)}: ${typeof score === 'number' ? String(score) : scoreLiteral(asBuffer(score))}`);
  }
  const end = offset + lines.length;
  const next = end < total ? { offset: end } : undefined;
  const body = lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n}`;
  const notes = capNote(
    `ranks ${count(offset)}–${count(Math.max(offset, end - 1))}`,
    count(total),
    !!next,
    offset > 0,
    'redisTls.values.maxElements',
  );
  return collectionPart('zset', 'zset (member: score, by score)', name, sizeOf(total, 'member'), ttl, notes, body, next);
}

/** The smallest stream id greater than `id` (works on servers without exclusive ranges). */
export function nextStreamId(id: string): string {
  const m = /^(\d+)-(\d+)$/.exec(id);
  if (!m) throw new Error('not a stream id');
  const ms = BigInt(m[1] as string);
  const seq = BigInt(m[2] as string);
  return seq === 0xffffffffffffffffn ? `${ms + 1n}-0` : `${ms}-${seq + 1n}`;
}

async function readStream(
  db: Database,
  key: Buffer,
  name: string,
  position: ValuePosition,
  caps: ValueCaps,
  ttl: string,
): Promise<ValuePart> {
  const start = position.after ? nextStreamId(position.after) : '-';
  const [lengthReply, rangeReply] = await pipeline(db, [
    ['XLEN', key],
    ['XRANGE', key, start, '+', 'COUNT', caps.maxElements],
  ]);
  const total = asInteger(lengthReply);
  const entries = asArray(rangeReply).slice(0, caps.maxElements);
  const lines: string[] = [];
  let last = '';
  for (const entry of entries) {
    const [idReply, fieldsReply] = asArray(entry);
    last = asText(idReply);
    const fields = asArray(fieldsReply ?? []).map((f) => asBuffer(f));
    const inner: string[] = [];
    for (let i = 0; i + 1 < fields.length; i += 2)
      inner.push(`${jsonLiteral(fields[i] as Buffer)}: ${jsonLiteral(fields[i + 1] as Buffer)}`);
    lines.push(`  ${JSON.stringify(last)}: { ${inner.join(', ')} }`);
  }
  const next = entries.length >= caps.maxElements && last ? { after: last } : undefined;
  const body = lines.length === 0 ? '{}' : `{\n${lines.join(',\n')}\n}`;
  const note = capNote(
    `${count(lines.length)} entries${position.after ? ` after ${position.after}` : ''}`,
    count(total),
    !!next,
    !!position.after,
    'redisTls.values.maxElements',
  );
  return collectionPart('stream', 'stream (id: fields)', name, sizeOf(total, 'entry', 'entries'), ttl, note, body, next);
}

async function readJson(db: Database, key: Buffer, caps: ValueCaps, ttl: string): Promise<ValuePart> {
  // The size first: a document over the cap is not fetched at all (JSON.GET has no range).
  const memory = await db.send(['JSON.DEBUG', 'MEMORY', key]).catch((e: unknown) => e);
  if (typeof memory === 'number' && memory > caps.maxBytes) {
    return {
      type: 'ReJSON-RL',
      kind: 'text',
      summary: `RedisJSON · ${count(memory)} bytes in memory${ttl}`,
      text: `[redis-tls] This RedisJSON document takes ${count(memory)} bytes (JSON.DEBUG MEMORY), more than redisTls.values.maxBytes (${count(caps.maxBytes)}): it is not read.\nRaise redisTls.values.maxBytes, or read a part in redis-cli, e.g. JSON.GET <key> '$.path'.\n`,
    };
  }
  const reply = asOptionalBuffer(await db.send(['JSON.GET', key]));
  const raw = reply ?? Buffer.alloc(0);
  const summary = `RedisJSON · ${count(raw.length)} bytes${ttl}`;
  if (raw.length > caps.maxBytes) {
    return {
      type: 'ReJSON-RL',
      kind: 'text',
      summary,
      text: `[redis-tls] Showing the first ${count(caps.maxBytes)} of ${count(raw.length)} bytes of the JSON text (cap: redisTls.values.maxBytes).\n\n${raw.subarray(0, caps.maxBytes).toString('utf8')}`,
    };
  }
  const text = raw.toString('utf8');
  return { type: 'ReJSON-RL', kind: 'json', text: (prettyJson(text) ?? text) + '\n', summary };
}
