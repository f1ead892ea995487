/**
 * Byte order for the entries of a ByteList, paid for as far as it is looked at: one linear radix
 * pass over the first 4 bytes of every entry orders a folder of a million keys in a few tens of
 * milliseconds; entries sharing those 4 bytes ("runs") are put in full order only when a listing
 * reaches them, run by run, 4 more bytes at a time.
 */
import type { ByteList } from './byteList';

/** Runs at least this long are ordered by radix passes over their next 4 bytes; shorter ones by compare(). */
const RADIX_RUN = 1024;

/**
 * Positions 0..n-1 stably ordered by keys[i] (uint32), with the keys in that order: two counting
 * passes of 16 bits that carry each key along (reading keys[i] at random positions is several times
 * slower).
 */
export function radixOrder(keys: Uint32Array): { order: Int32Array; sorted: Uint32Array } {
  const n = keys.length;
  const low = new Int32Array(65537);
  const high = new Int32Array(65537);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    low[(k & 0xffff) + 1]++;
    high[(k >>> 16) + 1]++;
  }
  for (let b = 1; b <= 65536; b++) {
    low[b] = (low[b] as number) + (low[b - 1] as number);
    high[b] = (high[b] as number) + (high[b - 1] as number);
  }
  const midOrder = new Int32Array(n);
  const midKeys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    const at = low[k & 0xffff]++;
    midOrder[at] = i;
    midKeys[at] = k;
  }
  const order = new Int32Array(n);
  const sorted = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    const k = midKeys[j] as number;
    const at = high[k >>> 16]++;
    order[at] = midOrder[j] as number;
    sorted[at] = k;
  }
  return { order, sorted };
}

/** The entries of `list` in order of their first 4 bytes, with those 4 bytes (as uint32) per position. */
export function orderByPrefix(list: ByteList): { order: Int32Array; prefixes: Uint32Array } {
  const n = list.length;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = list.prefix32(i);
  if (n >= RADIX_RUN) {
    const { order, sorted } = radixOrder(keys);
    return { order, prefixes: sorted };
  }
  const order = Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b));
  const prefixes = new Uint32Array(n);
  for (let k = 0; k < n; k++) prefixes[k] = keys[order[k] as number] as number;
  return { order, prefixes };
}

/**
 * Puts order[from, to), entries whose bytes [0, offset) are equal, in full byte order (equal entries
 * by position in the list).
 */
export function sortRun(list: ByteList, order: Int32Array, from: number, to: number, offset: number): void {
  const length = to - from;
  if (length < 2) return;
  let longer = false;
  for (let k = from; k < to && !longer; k++) {
    const i = order[k] as number;
    longer = list.end(i) - list.start(i) > offset;
  }
  if (length < RADIX_RUN || !longer) {
    const run = Array.from(order.subarray(from, to)).sort((a, b) => list.compare(a, b) || a - b);
    order.set(run, from);
    return;
  }
  const keys = new Uint32Array(length);
  for (let j = 0; j < length; j++) keys[j] = list.prefix32(order[from + j] as number, offset);
  const { order: local, sorted: sortedKeys } = radixOrder(keys);
  const entries = order.slice(from, to);
  for (let j = 0; j < length; j++) order[from + j] = entries[local[j] as number] as number;
  for (let j = 0; j < length;) {
    let end = j + 1;
    while (end < length && sortedKeys[end] === sortedKeys[j]) end++;
    if (end - j > 1) sortRun(list, order, from + j, from + end, offset + 4);
    j = end;
  }
}
