/**
 * A RESP2/RESP3 decoder that keeps what the terminal must show and the connection's decoder drops:
 * status strings apart from bulk strings, error replies as values, and the RESP3 types. Resumable
 * (a reply may arrive in any number of chunks without re-parsing what came before), binary safe,
 * and bounded: a declared length over the cap, a reply whose bytes exceed the cap (or whose declared
 * element count cannot fit under it), nesting deeper than the cap, or a bad type byte is a fatal error
 * (the reply stream cannot be trusted any more).
 */

export type TypedReply =
  | { type: 'status'; value: Buffer }
  | { type: 'error'; value: Buffer }
  | { type: 'string'; value: Buffer }
  | { type: 'verbatim'; format: string; value: Buffer }
  | { type: 'integer'; value: string }
  | { type: 'double'; value: string }
  | { type: 'bignum'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'array' | 'set' | 'push' | 'map'; items: TypedReply[] };

export type AggregateType = 'array' | 'set' | 'push' | 'map' | 'attribute';

interface Frame {
  type: AggregateType;
  /** Elements still expected (a map counts keys and values). */
  remaining: number;
  items: TypedReply[];
}

export interface TypedReplyParserOptions {
  /** Largest reply accepted, in bytes on the wire (so also the largest declared string length or element count). */
  maxBytes: number;
  /** Deepest aggregate nesting accepted. Default 64. */
  maxDepth?: number;
}

export class TypedReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private off = 0;
  /** Chunks held while a long bulk string arrives, and how many bytes must be buffered before parsing again. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private need = 0;
  private stack: Frame[] = [];
  private broken: string | undefined;
  /** Bytes of the reply being decoded that were consumed so far. */
  private replyBytes = 0;
  private readonly maxBytes: number;
  private readonly maxDepth: number;

  constructor(
    private readonly onReply: (reply: TypedReply) => void,
    private readonly onFatal: (reason: string) => void,
    options: TypedReplyParserOptions,
  ) {
    this.maxBytes = options.maxBytes;
    this.maxDepth = options.maxDepth ?? 64;
  }

  /** True while part of a reply is buffered. */
  get midReply(): boolean {
    return this.stack.length > 0 || this.off < this.buf.length || this.partsLen > 0;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
    this.off = 0;
    this.parts = [];
    this.partsLen = 0;
    this.need = 0;
    this.stack = [];
    this.replyBytes = 0;
    this.broken = undefined;
  }

  feed(chunk: Buffer): void {
    if (this.broken) return;
    const held = this.buf.length - this.off;
    if (this.need > 0 && held + this.partsLen + chunk.length < this.need) {
      this.parts.push(chunk);
      this.partsLen += chunk.length;
      return;
    }
    const pieces = held > 0 ? [this.buf.subarray(this.off), ...this.parts, chunk] : [...this.parts, chunk];
    this.buf = pieces.length === 1 ? chunk : Buffer.concat(pieces);
    this.off = 0;
    this.parts = [];
    this.partsLen = 0;
    this.need = 0;
    this.run();
  }

  private fatal(reason: string): void {
    if (this.broken) return;
    this.broken = reason;
    this.stack = [];
    this.onFatal(reason);
  }

  private run(): void {
    while (!this.broken && this.off < this.buf.length) {
      const before = this.off;
      const value = this.next();
      if (value === undefined) break;
      this.replyBytes += this.off - before;
      if (this.replyBytes > this.maxBytes) {
        this.fatal(`a reply larger than the ${this.maxBytes}-byte cap`);
        break;
      }
      if (value === null) continue; // an aggregate header was pushed
      this.complete(value);
    }
    if (this.off >= this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.off = 0;
    }
  }

  /** Adds a finished value to its parent, closing parents that are now full. */
  private complete(first: TypedReply | 'attribute-done'): void {
    let value: TypedReply | 'attribute-done' = first;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.replyBytes = 0;
        if (value !== 'attribute-done') this.onReply(value);
        return;
      }
      if (value !== 'attribute-done') top.items.push(value);
      top.remaining--;
      if (top.remaining > 0) return;
      this.stack.pop();
      // RESP3 attributes describe the next value: they are read and dropped, as redis-cli does.
      value = top.type === 'attribute' ? 'attribute-done' : { type: top.type, items: top.items };
      if (value === 'attribute-done') return;
    }
  }

  private line(): string | undefined {
    const end = this.buf.indexOf('\r\n', this.off, 'latin1');
    if (end < 0) {
      if (this.buf.length - this.off > 64 * 1024) this.fatal('a header line longer than 64 KiB');
      return undefined;
    }
    const text = this.buf.toString('latin1', this.off + 1, end);
    this.off = end + 2;
    return text;
  }

  private count(text: string, what: string): number | undefined {
    if (!/^-?\d{1,19}$/.test(text)) {
      this.fatal(`a malformed ${what} length`);
      return undefined;
    }
    const n = Number(text);
    if (n > this.maxBytes) {
      this.fatal(`${what === 'aggregate' ? 'an' : 'a'} ${what} of ${n} exceeds the ${this.maxBytes} cap`);
      return undefined;
    }
    return n;
  }

  /** One value, null after an aggregate header, undefined when more bytes are needed. */
  private next(): TypedReply | null | undefined {
    const start = this.off;
    const type = this.buf[this.off] as number;
    const text = this.line();
    if (text === undefined) return undefined;
    switch (type) {
      case 0x2b:
        return { type: 'status', value: this.buf.subarray(start + 1, this.off - 2) };
      case 0x2d:
        return { type: 'error', value: this.buf.subarray(start + 1, this.off - 2) };
      case 0x3a:
        if (!/^-?\d+$/.test(text)) {
          this.fatal('a malformed integer');
          return undefined;
        }
        return { type: 'integer', value: text };
      case 0x2c:
        return { type: 'double', value: text };
      case 0x28:
        return { type: 'bignum', value: text };
      case 0x23:
        return { type: 'bool', value: text === 't' };
      case 0x5f:
        return { type: 'nil' };
      case 0x24:
      case 0x21:
      case 0x3d: {
        const len = this.count(text, 'string');
        if (len === undefined) return undefined;
        if (len < 0) return { type: 'nil' };
        if (this.replyBytes + (this.off - start) + len + 2 > this.maxBytes) {
          this.fatal(`a reply larger than the ${this.maxBytes}-byte cap`);
          return undefined;
        }
        if (this.buf.length - this.off < len + 2) {
          this.need = len + 2 + (this.off - start);
          this.off = start;
          return undefined;
        }
        const value = this.buf.subarray(this.off, this.off + len);
        this.off += len + 2;
        if (type === 0x21) return { type: 'error', value };
        if (type === 0x3d) {
          const colon = value.length >= 4 && value[3] === 0x3a;
          return { type: 'verbatim', format: colon ? value.toString('latin1', 0, 3) : '', value: colon ? value.subarray(4) : value };
        }
        return { type: 'string', value };
      }
      case 0x2a:
      case 0x7e:
      case 0x3e:
      case 0x25:
      case 0x7c: {
        const n = this.count(text, 'aggregate');
        if (n === undefined) return undefined;
        const kind: AggregateType =
          type === 0x2a ? 'array' : type === 0x7e ? 'set' : type === 0x3e ? 'push' : type === 0x25 ? 'map' : 'attribute';
        if (n < 0) return { type: 'nil' };
        const elements = kind === 'map' || kind === 'attribute' ? n * 2 : n;
        if (elements === 0) {
          if (kind === 'attribute') return null;
          return { type: kind, items: [] };
        }
        // Every element takes at least 3 bytes (`_\r\n`): a count that cannot fit under the cap is refused now.
        if (elements * 3 > this.maxBytes - this.replyBytes - (this.off - start)) {
          this.fatal(`a reply larger than the ${this.maxBytes}-byte cap`);
          return undefined;
        }
        if (this.stack.length >= this.maxDepth) {
          this.fatal(`a reply nested deeper than ${this.maxDepth}`);
          return undefined;
        }
        this.stack.push({ type: kind, remaining: elements, items: [] });
        return null;
      }
      default:
        this.fatal(`an unknown reply type byte 0x${type.toString(16).padStart(2, '0')}`);
        return undefined;
    }
  }
}
