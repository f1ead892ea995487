/**
 * A growable list of byte strings stored back to back in one buffer, with an end offset per entry:
 * a million keys cost their bytes plus 4 bytes each, with no object per key.
 */
/** Capacity after `cap`: 1.5 times (a list of ten million keys leaves a quarter unused on average, not half). */
export function grow(cap: number): number {
  return Math.max(16, cap + (cap >> 1));
}

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
      let cap = grow(this.data.length);
      while (cap < used + len) cap = grow(cap);
      const grown = Buffer.allocUnsafe(cap);
      this.data.copy(grown, 0, 0, used);
      this.data = grown;
    }
    if (this.size === this.ends.length) {
      const grown = new Uint32Array(grow(this.ends.length));
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
    return ae - this.start(a) - (be - this.start(b));
  }

  /**
   * Bytes [offset, offset+4) of entry `index` as a big-endian uint32, missing bytes as 0. Orders like
   * the bytes except that it cannot tell an ended entry from one with 0 bytes there: entries with
   * equal values are put in order by compare().
   */
  prefix32(index: number, offset = 0): number {
    const data = this.data;
    const s = this.start(index) + offset;
    const e = this.end(index);
    if (s + 4 <= e)
      return (
        (((data[s] as number) << 24) | ((data[s + 1] as number) << 16) | ((data[s + 2] as number) << 8) | (data[s + 3] as number)) >>> 0
      );
    let value = 0;
    for (let i = 0; i < 4; i++) value = value * 256 + (s + i < e ? (data[s + i] as number) : 0);
    return value;
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
