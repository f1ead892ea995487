/**
 * A growable list of byte strings stored back to back in one buffer, with an end offset per entry:
 * a million keys cost their bytes plus 4 bytes each, with no object per key.
 */
/** 2^20: entry indices packed below the sort prefix (folders up to a million direct keys). */
const INDEX_SPACE = 1_048_576;

export class ByteList {
  // A Buffer, like the keys the client delivers: the copy loops stay monomorphic.
  private data: Buffer;
  private ends: Uint32Array;
  private size = 0;
  private used = 0;

  constructor(initialEntries = 16, initialBytes = 256) {
    this.data = Buffer.allocUnsafe(initialBytes);
    this.ends = new Uint32Array(initialEntries);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes used by the entries. */
  get byteLength(): number {
    return this.used;
  }

  start(index: number): number {
    return index === 0 ? 0 : (this.ends[index - 1] as number);
  }

  end(index: number): number {
    return this.ends[index] as number;
  }

  /** The raw storage; valid until the next push. Use with start()/end(). */
  get bytes(): Buffer {
    return this.data;
  }

  /** Appends src[from, to). */
  push(src: Uint8Array, from = 0, to = src.length): void {
    const len = to - from;
    const used = this.used;
    if (used + len > this.data.length) {
      let cap = this.data.length * 2;
      while (cap < used + len) cap *= 2;
      const grown = Buffer.allocUnsafe(cap);
      this.data.copy(grown, 0, 0, used);
      this.data = grown;
    }
    if (this.size === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    // Short keys are the common case: a plain loop beats the native call overhead of set().
    if (len <= 32) {
      const data = this.data;
      for (let i = 0; i < len; i++) data[used + i] = src[from + i] as number;
    } else {
      this.data.set(src.subarray(from, to), used);
    }
    this.used = used + len;
    this.ends[this.size++] = this.used;
  }

  /** A copy of entry `index`. */
  get(index: number): Buffer {
    return Buffer.from(this.data.subarray(this.start(index), this.end(index)));
  }

  /** Compares entry a with entry b bytewise (like Buffer.compare). */
  compare(a: number, b: number): number {
    const data = this.data;
    let i = this.start(a);
    const ae = this.end(a);
    let j = this.start(b);
    const be = this.end(b);
    while (i < ae && j < be) {
      const d = (data[i] as number) - (data[j] as number);
      if (d !== 0) return d;
      i++;
      j++;
    }
    return (ae - this.start(a)) - (be - this.start(b));
  }

  /**
   * Bytes [offset, offset+4) of entry `index` as a number below 2^32.1 that orders like the bytes
   * (base 257: a missing byte sorts before every byte value, so 0 in the last digit means "ended").
   */
  sortPrefix(index: number, offset = 0): number {
    const data = this.data;
    const s = this.start(index) + offset;
    const e = this.end(index);
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 257 + (s + i < e ? (data[s + i] as number) + 1 : 0);
    return value;
  }

  /**
   * Entry indices in byte order, each distinct entry once. Most of the work is native numeric sorting
   * of (4 bytes, index) packed in float64s, 4 bytes deeper for each run that shares a prefix; only
   * small runs are compared byte by byte.
   */
  sortedUnique(sortedHead = 0): number[] {
    const n = this.size;
    const unique: number[] = [];
    if (sortedHead > 0) {
      // The first entries are already sorted and distinct (an earlier listing): sort the new tail
      // only and merge, O(n) instead of sorting everything again.
      const tail: number[] = [];
      for (let i = sortedHead; i < n; i++) tail.push(i);
      if (n - sortedHead >= INDEX_SPACE) tail.sort((x, y) => this.compare(x, y));
      else this.sortRange(tail, 0, tail.length, 0);
      let i = 0;
      let j = 0;
      let last = -1;
      while (i < sortedHead || j < tail.length) {
        let next: number;
        if (j >= tail.length) next = i++;
        else if (i >= sortedHead) next = tail[j++] as number;
        else next = this.compare(i, tail[j] as number) <= 0 ? i++ : (tail[j++] as number);
        if (last >= 0 && this.compare(last, next) === 0) continue;
        unique.push(next);
        last = next;
      }
      return unique;
    }
    const order: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (n >= INDEX_SPACE) order.sort((x, y) => this.compare(x, y));
    else this.sortRange(order, 0, n, 0);
    this.pushDistinct(order, 0, n, unique);
    return unique;
  }

  private sortRange(order: number[], from: number, to: number, offset: number): void {
    const n = to - from;
    if (n < 2) return;
    if (n <= 12 || offset >= 64) {
      // Insertion sort: cheapest for the short runs that remain.
      for (let k = from + 1; k < to; k++) {
        const v = order[k] as number;
        let j = k - 1;
        while (j >= from && this.compare(order[j] as number, v) > 0) {
          order[j + 1] = order[j] as number;
          j--;
        }
        order[j + 1] = v;
      }
      return;
    }
    const packed = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[from + k] as number;
      packed[k] = this.sortPrefix(i, offset) * INDEX_SPACE + i;
    }
    packed.sort();
    for (let k = 0; k < n; k++) order[from + k] = (packed[k] as number) % INDEX_SPACE;
    let k = 0;
    while (k < n) {
      const prefix = Math.floor((packed[k] as number) / INDEX_SPACE);
      let end = k + 1;
      while (end < n && Math.floor((packed[end] as number) / INDEX_SPACE) === prefix) end++;
      // A prefix ending in a missing byte means the entries ended: the run is one repeated entry.
      if (end - k > 1 && prefix % 257 !== 0) this.sortRange(order, from + k, from + end, offset + 4);
      k = end;
    }
  }

  private pushDistinct(sorted: number[], from: number, to: number, out: number[]): void {
    let last = -1;
    for (let k = from; k < to; k++) {
      const i = sorted[k] as number;
      if (last >= 0 && this.compare(last, i) === 0) continue;
      out.push(i);
      last = i;
    }
  }

  /** A new list with the given entries, in that order. */
  select(indices: ArrayLike<number>): ByteList {
    let bytes = 0;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      bytes += this.end(i) - this.start(i);
    }
    const out = new ByteList(Math.max(16, indices.length), Math.max(256, bytes));
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      out.push(this.data, this.start(i), this.end(i));
    }
    return out;
  }
}
