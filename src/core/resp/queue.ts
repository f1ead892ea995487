import RedisParser from 'redis-parser';
import { ReplyError, type Reply } from './replyTypes';
import { ScanReplyReader, type KeySink } from './scanReader';
import { ReplyFramer } from './replyFramer';

/** One command waiting for its reply. `settled` commands (timed out, aborted) still own their slot. */
export interface PendingReply {
  settled: boolean;
  /**
   * For a SCAN command: stream its keys to this sink and resolve with the cursor Buffer, bypassing
   * redis-parser. The queue clears it when it cannot be honoured safely (then the reply arrives as
   * the usual [cursor, keys] array).
   */
  scanSink?: KeySink;
  /** With scanSink: called as soon as the page's cursor is read, before its keys. */
  onScanCursor?: (cursor: Buffer) => void;
  resolve(reply: Reply): void;
  reject(err: Error): void;
}

/** Why the reply stream can no longer be trusted. The connection must be closed. */
export class ReplyStreamError extends Error {
  constructor(
    message: string,
    readonly reason: 'malformed' | 'too-large' | 'too-deep' | 'unsolicited',
  ) {
    super(message);
    this.name = 'ReplyStreamError';
  }
}

export interface ReplyQueueOptions {
  /** Cap on bytes buffered for one reply (declared bulk length or bytes received without a complete reply). */
  maxReplyBytes: number;
  /** Cap on array nesting. Default 64. */
  maxDepth?: number;
  /** Called once when the stream is broken; nothing is parsed afterwards. */
  onFatal(err: ReplyStreamError): void;
}

/**
 * Routes replies to commands in FIFO order. One byte stream, two decoders, an explicit boundary:
 * a ReplyFramer finds where each reply ends (and enforces the memory and nesting caps from the
 * headers, before anything is buffered); redis-parser decodes ordinary replies (Buffers, binary safe),
 * fed exactly one reply at a time; a raw SCAN page at the head of the queue, starting at a reply
 * boundary, goes to the ScanReplyReader instead. Any failure becomes one fatal ReplyStreamError
 * instead of an exception on the socket's data handler.
 */
export class ReplyQueue {
  private readonly parser: RedisParser;
  private readonly maxReplyBytes: number;
  private readonly maxDepth: number;
  private readonly onFatal: (err: ReplyStreamError) => void;
  private readonly framer: ReplyFramer;
  private items: PendingReply[] = [];
  private head = 0;
  private broken = false;
  private scanReader: ScanReplyReader | undefined;
  /** When set, replies nobody asked for (pub/sub messages, MONITOR lines) go here instead of breaking the stream. */
  onUnsolicited: ((reply: Reply | ReplyError) => void) | undefined;
  /**
   * Bytes of the reply being received, held back from redis-parser until the framer has seen its end:
   * the parser allocates from declared lengths (an array header alone makes it allocate a slot per
   * declared element), so it only ever sees replies whose bytes have all arrived (bounded by the cap).
   */
  private held: Buffer[] = [];
  /** Called with the first reply (or error reply) ever received. */
  onFirstReply: (() => void) | undefined;

  constructor(options: ReplyQueueOptions) {
    this.maxReplyBytes = options.maxReplyBytes;
    this.maxDepth = options.maxDepth ?? 64;
    this.onFatal = options.onFatal;
    this.framer = new ReplyFramer(this.maxReplyBytes, this.maxDepth);
    this.parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply: unknown) => this.deliver(reply as Reply, false),
      returnError: (err: Error) => this.deliver(err as ReplyError, true),
      returnFatalError: (err: Error) => this.fail(new ReplyStreamError(`malformed reply: ${safeParserMessage(err)}`, 'malformed')),
    });
  }

  get length(): number {
    return this.items.length - this.head;
  }
  get isBroken(): boolean {
    return this.broken;
  }
  /** True while part of a reply has been received but not all of it. */
  get midReply(): boolean {
    return !this.broken && (!this.framer.idle || this.scanReader !== undefined);
  }

  push(pending: PendingReply): void {
    if (pending.scanSink) {
      // A raw SCAN page starts at a reply boundary: the replies ahead of it (raw or parsed) are
      // consumed whole before it reaches the head. With nothing ahead, the stream must be at a
      // boundary now (not in the middle of bytes nobody asked for).
      const ok = this.items.length > this.head || this.framer.idle;
      if (!ok) {
        pending.scanSink = undefined;
        pending.onScanCursor = undefined;
      }
    }
    this.items.push(pending);
  }

  /**
   * Feeds bytes from the socket. Never throws. `transient`: `chunk` is read into again after this call,
   * so what outlives it (held parts, redis-parser's replies, which are slices of their input) is
   * copied; a raw SCAN page reads it in place (its sink copies each key, the cursor is copied).
   */
  feed(chunk: Buffer, transient = false): void {
    let data = chunk;
    while (!this.broken && data.length > 0) {
      const head = this.head < this.items.length ? this.items[this.head] : undefined;
      const sink = head?.scanSink;
      if (!head || !sink || !(this.scanReader || this.framer.idle)) {
        // Up to the end of the next reply (or all of a partial one): the head may change after it.
        const frame = this.framer.advance(data, 1);
        if (frame.state !== 'ok') {
          this.fail(
            frame.state === 'malformed'
              ? new ReplyStreamError(`malformed reply: ${frame.reason}`, 'malformed')
              : frame.state === 'too-large'
                ? this.tooLarge()
                : new ReplyStreamError(`reply nested deeper than the cap of ${this.maxDepth} arrays`, 'too-deep'),
          );
          return;
        }
        const view = frame.used === data.length ? data : data.subarray(0, frame.used);
        const part = transient ? Buffer.from(view) : view;
        data = data.subarray(frame.used);
        if (frame.replies === 0) {
          this.held.push(part);
          continue;
        }
        if (this.held.length > 0) {
          const held = this.held;
          this.held = [];
          for (const c of held) this.feedParser(c);
        }
        this.feedParser(part);
        continue;
      }
      // The command's own sink, not a closure per page: the reader's call site keeps one target.
      this.scanReader ??= new ScanReplyReader(sink, this.maxReplyBytes, head.onScanCursor, head);
      const r = this.scanReader.feed(data);
      if (r.state === 'more') return;
      this.scanReader = undefined;
      if (r.state === 'malformed') {
        this.fail(new ReplyStreamError(`malformed SCAN reply: ${r.reason}`, 'malformed'));
        return;
      }
      if (r.state === 'too-large') {
        this.fail(this.tooLarge());
        return;
      }
      if (r.state === 'done') this.deliver(r.cursor, false);
      else this.deliver(new ReplyError(r.message), true);
      data = data.subarray(r.used);
    }
  }

  private tooLarge(): ReplyStreamError {
    return new ReplyStreamError(`reply larger than the ${this.maxReplyBytes}-byte cap`, 'too-large');
  }

  /** Feeds redis-parser bytes the framer has checked: at most one reply's end among them. */
  private feedParser(chunk: Buffer): void {
    try {
      this.parser.execute(chunk);
    } catch (e) {
      // redis-parser throws on absurd array lengths (RangeError) and on stack exhaustion from deep nesting.
      this.fail(
        new ReplyStreamError(
          `malformed reply: ${e instanceof RangeError ? 'length or nesting out of range' : 'parser failure'}`,
          'malformed',
        ),
      );
    }
  }

  /** Rejects every waiting command (once). */
  rejectAll(err: Error): void {
    this.scanReader = undefined;
    this.held = [];
    const items = this.items;
    const head = this.head;
    this.items = [];
    this.head = 0;
    for (let i = head; i < items.length; i++) {
      const p = items[i];
      if (!p.settled) {
        p.settled = true;
        p.reject(err);
      }
    }
  }

  private deliver(reply: Reply | ReplyError, isError: boolean): void {
    if (this.broken) return;
    if (this.onFirstReply) {
      const first = this.onFirstReply;
      this.onFirstReply = undefined;
      first();
    }
    if (this.head >= this.items.length) {
      if (this.onUnsolicited) {
        this.onUnsolicited(reply);
        return;
      }
      this.fail(new ReplyStreamError('the server sent a reply nobody asked for', 'unsolicited'));
      return;
    }
    const p = this.items[this.head];
    this.items[this.head] = undefined as unknown as PendingReply;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (p.settled) return;
    p.settled = true;
    if (isError) p.reject(reply as ReplyError);
    else p.resolve(reply as Reply);
  }

  private fail(err: ReplyStreamError): void {
    if (this.broken) return;
    this.broken = true;
    this.parser.reset();
    this.framer.reset();
    this.scanReader = undefined;
    this.held = [];
    this.onFatal(err);
  }
}

/** redis-parser's fatal message quotes the whole buffer; keep only its first line, and short. */
function safeParserMessage(err: Error): string {
  const m = /got ("(?:[^"\\]|\\.){1,12}") as reply type byte/.exec(err.message);
  return m ? `unexpected reply type byte ${m[1]}` : 'unexpected bytes';
}
