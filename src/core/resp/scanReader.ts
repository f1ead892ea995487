/**
 * A streaming reader for exactly one SCAN reply — `*2 $n cursor *m ($len key)*m` — that hands each
 * key to a sink as (buffer, start, end) without creating an object per key. Used for the CLI's key
 * dump, where redis-parser's per-key Buffer slices dominate the client's CPU time. Anything that
 * does not fit the shape is reported as malformed (or, for a `-ERR` line, as the server's error).
 */
export type KeySink = (buf: Buffer, start: number, end: number) => void;

export type ScanReadResult =
  | { state: 'more' }
  | { state: 'done'; used: number; cursor: Buffer; keys: number }
  | { state: 'error-reply'; used: number; message: string }
  | { state: 'malformed'; reason: string }
  | { state: 'too-large' };

const enum Step {
  OuterHeader,
  CursorHeader,
  CursorBody,
  KeysHeader,
  KeyHeader,
  KeyBody,
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const MINUS = 45;
/** Bytes of entries per call of the hot loop (see entries). */
const BATCH_BYTES = 1024;

export class ScanReplyReader {
  private step = Step.OuterHeader;
  /** A header line split across chunks, bytes so far. */
  private line: number[] = [];
  private cursor: Buffer = Buffer.alloc(0);
  private remainingKeys = 0;
  private keys = 0;
  private bodyLen = 0;
  private partial: Buffer | undefined;
  private partialUsed = 0;
  private total = 0;

  constructor(
    private readonly sink: KeySink,
    private readonly maxReplyBytes: number,
    private readonly onCursor?: (cursor: Buffer) => void,
    /** Keys and the cursor are dropped once this is settled (the command timed out or was aborted). */
    private readonly owner?: { readonly settled: boolean },
  ) {}

  /** Consumes bytes from `buf`; on 'done' / 'error-reply', the first `used` bytes belonged to this reply. */
  feed(buf: Buffer): ScanReadResult {
    let i = 0;
    const n = buf.length;
    while (i < n) {
      if (this.step === Step.KeyHeader && this.line.length === 0) {
        // Whole entries, a batch at a time (see entries).
        let at = i;
        do {
          i = at;
          at = this.entries(buf, i, n);
        } while (at > i && this.remainingKeys > 0);
        if (at < 0) return { state: 'malformed', reason: 'bulk string not followed by CRLF' };
        i = at;
        if (this.remainingKeys === 0) return { state: 'done', used: i, cursor: this.cursor, keys: this.keys };
        if (i >= n) break;
      }
      if (this.step === Step.CursorBody || this.step === Step.KeyBody) {
        const need = this.bodyLen + 2;
        if (this.partial === undefined && n - i >= need) {
          if (buf[i + this.bodyLen] !== CR || buf[i + this.bodyLen + 1] !== LF)
            return { state: 'malformed', reason: 'bulk string not followed by CRLF' };
          this.bodyDone(buf, i, i + this.bodyLen);
          i += need;
        } else {
          if (this.partial === undefined) {
            this.partial = Buffer.allocUnsafe(need);
            this.partialUsed = 0;
          }
          const take = Math.min(need - this.partialUsed, n - i);
          buf.copy(this.partial, this.partialUsed, i, i + take);
          this.partialUsed += take;
          i += take;
          if (this.partialUsed < need) break;
          const p = this.partial;
          this.partial = undefined;
          if (p[this.bodyLen] !== CR || p[this.bodyLen + 1] !== LF)
            return { state: 'malformed', reason: 'bulk string not followed by CRLF' };
          this.bodyDone(p, 0, this.bodyLen);
        }
        if ((this.step as Step) === Step.KeyHeader && this.remainingKeys === 0)
          return { state: 'done', used: i, cursor: this.cursor, keys: this.keys };
        continue;
      }
      // Fast path: a whole "$123\r\n" / "*2\r\n" header inside this chunk.
      if (this.line.length === 0 && buf[i] !== MINUS) {
        const type = buf[i];
        let j = i + 1;
        let v = 0;
        while (j < n && j - i <= 12 && buf[j] >= 48 && buf[j] <= 57) v = v * 10 + (buf[j++] - 48);
        if (j > i + 1 && j + 1 < n && buf[j] === CR && buf[j + 1] === LF) {
          this.total += j + 2 - i;
          i = j + 2;
          const r = this.header(type, v);
          if (r) return r;
          if (this.step === Step.KeyHeader && this.remainingKeys === 0)
            return { state: 'done', used: i, cursor: this.cursor, keys: this.keys };
          continue;
        }
      }
      // Slow path: collect the line byte by byte (split header, negative length, error line).
      const c = buf[i++];
      this.total++;
      if (c !== LF) {
        this.line.push(c);
        if (this.line.length > (this.line[0] === MINUS ? 4096 : 24)) return { state: 'malformed', reason: 'header line too long' };
        continue;
      }
      const line = this.line;
      this.line = [];
      if (line[line.length - 1] !== CR) return { state: 'malformed', reason: 'bare LF in header' };
      const text = Buffer.from(line.slice(0, -1)).toString('latin1');
      if (text[0] === '-') {
        if (this.step !== Step.OuterHeader) return { state: 'malformed', reason: 'error inside SCAN reply' };
        return { state: 'error-reply', used: i, message: Buffer.from(line.slice(1, -1)).toString('utf8') };
      }
      if (!/^.\d{1,12}$/.test(text)) return { state: 'malformed', reason: 'bad header' };
      const r = this.header(text.charCodeAt(0), Number(text.slice(1)));
      if (r) return r;
      if (this.step === Step.KeyHeader && this.remainingKeys === 0) return { state: 'done', used: i, cursor: this.cursor, keys: this.keys };
    }
    if (this.total > this.maxReplyBytes) return { state: 'too-large' };
    return { state: 'more' };
  }

  /**
   * The hot loop: up to BATCH whole `$len\r\n<key>\r\n` entries of `buf` from `i`, straight to the
   * sink. Returns where it stopped (an entry split across chunks, or anything else, is left to feed's
   * steps), or -1 when a key is not followed by CRLF. Small, and returning every BATCH keys: V8 then
   * optimizes it whole (every path has run) instead of replacing a long first loop on the stack,
   * whose exit paths had never run, then throwing that code away at the exit and compiling again
   * (four 10 ms compiles of feed for the first million keys, each its own deoptimization).
   */
  private entries(buf: Buffer, i: number, n: number): number {
    const max = this.maxReplyBytes;
    const owner = this.owner;
    const stop = i + BATCH_BYTES;
    let total = this.total;
    let remaining = this.remainingKeys;
    let keys = this.keys;
    while (remaining > 0 && i < stop && buf[i] === DOLLAR) {
      let j = i + 1;
      let len = 0;
      let c = 0;
      while (j < n && j - i <= 12 && (c = buf[j] as number) >= 48 && c <= 57) {
        len = len * 10 + (c - 48);
        j++;
      }
      const start = j + 2;
      const end = start + len;
      if (j === i + 1 || end + 2 > n || buf[j] !== CR || buf[j + 1] !== LF || total + (end + 2 - i) > max) break;
      if (buf[end] !== CR || buf[end + 1] !== LF) {
        this.total = total;
        return -1;
      }
      if (owner === undefined || !owner.settled) this.sink(buf, start, end);
      total += end + 2 - i;
      i = end + 2;
      remaining--;
      keys++;
    }
    this.total = total;
    this.remainingKeys = remaining;
    this.keys = keys;
    return i;
  }

  private header(type: number, num: number): ScanReadResult | undefined {
    switch (this.step) {
      case Step.OuterHeader:
        if (type !== STAR || num !== 2) return { state: 'malformed', reason: 'SCAN reply is not a 2-element array' };
        this.step = Step.CursorHeader;
        return undefined;
      case Step.CursorHeader:
        if (type !== DOLLAR || num < 1 || num > 32) return { state: 'malformed', reason: 'bad SCAN cursor' };
        this.bodyLen = num;
        this.step = Step.CursorBody;
        return undefined;
      case Step.KeysHeader:
        if (type !== STAR) return { state: 'malformed', reason: 'bad SCAN key list' };
        // Each key takes at least 6 bytes (`$0\r\n\r\n`): a count that cannot fit under the cap is refused now.
        if (this.total + num * 6 > this.maxReplyBytes) return { state: 'too-large' };
        this.remainingKeys = num;
        this.step = Step.KeyHeader;
        return undefined;
      case Step.KeyHeader:
        if (type !== DOLLAR) return { state: 'malformed', reason: 'bad key in SCAN reply' };
        if (this.total + num > this.maxReplyBytes) return { state: 'too-large' };
        this.bodyLen = num;
        this.step = Step.KeyBody;
        return undefined;
      default:
        return { state: 'malformed', reason: 'unexpected header' };
    }
  }

  private bodyDone(buf: Buffer, start: number, end: number): void {
    this.total += end - start + 2;
    if (this.step === Step.CursorBody) {
      this.cursor = Buffer.from(buf.subarray(start, end));
      this.step = Step.KeysHeader;
      // The cursor leads the reply: the next page can be requested before this one has arrived.
      if (!this.owner?.settled) this.onCursor?.(this.cursor);
      return;
    }
    if (!this.owner?.settled) this.sink(buf, start, end);
    this.keys++;
    this.remainingKeys--;
    this.step = Step.KeyHeader;
  }
}
