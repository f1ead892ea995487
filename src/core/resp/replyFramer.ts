/**
 * Finds where each RESP2 reply ends without decoding it: the boundary the reply queue needs to hand a
 * byte stream to two decoders in turn (redis-parser for ordinary replies, the raw SCAN reader for key
 * pages) and to enforce the memory and nesting caps before a decoder buffers anything. It reads only
 * headers; bulk bodies are skipped by their declared length. No library's private state is read.
 */
export type FrameResult =
  { state: 'ok'; used: number; replies: number } | { state: 'malformed'; reason: string } | { state: 'too-large' } | { state: 'too-deep' };

const CR = 13;
const LF = 10;
const PLUS = 43;
const MINUS = 45;
const COLON = 58;
const DOLLAR = 36;
const STAR = 42;
/** Digits in a length header: 2^53 has 16; anything longer is not a length Redis sends. */
const MAX_DIGITS = 16;

/** The smallest RESP2 element, `+\r\n`. */
const MIN_ELEMENT_BYTES = 3;

export class ReplyFramer {
  /** Inside a header line: its type byte (0 between elements). */
  private type = 0;
  private num = 0;
  private negative = false;
  private digits = 0;
  private sawCr = false;
  /** Bytes of a bulk body (plus its CRLF) still to skip. */
  private bodyLeft = 0;
  /** Remaining elements of each open array, outermost first. */
  private readonly open: number[] = [];
  private replyBytes = 0;

  constructor(
    private readonly maxReplyBytes: number,
    private readonly maxDepth: number,
  ) {}

  /** True at a reply boundary: every byte seen so far belongs to a complete reply. */
  get idle(): boolean {
    return this.replyBytes === 0;
  }

  /**
   * Reads `buf` until `maxReplies` replies have ended (or the bytes run out). `used` bytes were read;
   * `replies` complete replies end within them (the last may continue past `used` when it is 0 or less than asked).
   */
  advance(buf: Buffer, maxReplies = Infinity): FrameResult {
    let i = 0;
    let replies = 0;
    const n = buf.length;
    while (i < n && replies < maxReplies) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, n - i);
        i += take;
        this.bodyLeft -= take;
        this.replyBytes += take;
        if (this.bodyLeft > 0) break;
        if (this.elementDone()) replies++;
        continue;
      }
      if (this.type === 0) {
        const t = buf[i++];
        this.replyBytes++;
        if (t !== PLUS && t !== MINUS && t !== COLON && t !== DOLLAR && t !== STAR)
          return { state: 'malformed', reason: `unexpected reply type byte 0x${t.toString(16).padStart(2, '0')}` };
        this.type = t;
        this.num = 0;
        this.negative = false;
        this.digits = 0;
        this.sawCr = false;
        continue;
      }
      if (this.type === PLUS || this.type === MINUS || this.type === COLON) {
        const lf = buf.indexOf(LF, i);
        const end = lf === -1 ? n : lf + 1;
        this.replyBytes += end - i;
        i = end;
        if (lf === -1) break;
        this.type = 0;
        if (this.elementDone()) replies++;
        continue;
      }
      // $len or *count
      const c = buf[i++];
      this.replyBytes++;
      if (c >= 48 && c <= 57 && !this.sawCr) {
        if (++this.digits > MAX_DIGITS) return { state: 'malformed', reason: 'length header too long' };
        this.num = this.num * 10 + (c - 48);
      } else if (c === MINUS && this.digits === 0 && !this.negative && !this.sawCr) {
        this.negative = true;
      } else if (c === CR && !this.sawCr && this.digits > 0) {
        this.sawCr = true;
      } else if (c === LF && this.sawCr) {
        const r = this.header();
        if (r === 'element') {
          if (this.elementDone()) replies++;
        } else if (r) {
          return r;
        }
      } else {
        return { state: 'malformed', reason: 'bad length header' };
      }
    }
    if (this.replyBytes > this.maxReplyBytes) return { state: 'too-large' };
    return { state: 'ok', used: i, replies };
  }

  /** A complete $ or * header: starts a body or an array, or is itself a whole (nil / empty) element. */
  private header(): FrameResult | 'element' | undefined {
    const type = this.type;
    this.type = 0;
    if (type === DOLLAR) {
      if (this.negative) return 'element';
      if (this.num > this.maxReplyBytes || this.replyBytes + this.num > this.maxReplyBytes) return { state: 'too-large' };
      this.bodyLeft = this.num + 2;
      return undefined;
    }
    if (this.negative || this.num === 0) return 'element';
    // Every element takes at least MIN_ELEMENT_BYTES: a count that cannot fit under the cap is refused now.
    if (this.num > (this.maxReplyBytes - this.replyBytes) / MIN_ELEMENT_BYTES) return { state: 'too-large' };
    this.open.push(this.num);
    if (this.open.length > this.maxDepth) return { state: 'too-deep' };
    return undefined;
  }

  /** One element ended: closes the arrays it completes. True when that ends the whole reply. */
  private elementDone(): boolean {
    const open = this.open;
    while (open.length > 0) {
      const last = open.length - 1;
      if (--open[last] > 0) return false;
      open.pop();
    }
    this.replyBytes = 0;
    return true;
  }

  /** Forgets everything (after the stream was declared broken). */
  reset(): void {
    this.type = 0;
    this.bodyLeft = 0;
    this.open.length = 0;
    this.replyBytes = 0;
  }
}
