/**
 * SCAN paging over one database: MATCH and TYPE filters, pages of a target size, "load all" with
 * progress and cancellation. Never KEYS. The next SCAN is sent before the current page is handed
 * to the consumer, so grouping a page overlaps the server's work on the next one.
 */
import { Args, Commander, asArray, asBuffer, asBufferArray } from './replyNarrowing';
import type { KeySink } from '../resp/scanReader';
import type { SendOptions } from '../client/commander';

export interface ScanFilter {
  /** Glob pattern (SCAN MATCH); bytes or UTF-8 text. */
  match?: string | Buffer;
  /** Redis type name (SCAN TYPE): string, list, set, zset, hash, stream, ReJSON-RL, ... */
  type?: string;
}

export interface ScanProgress {
  keys: number;
  calls: number;
  done: boolean;
}

export const SCAN_TYPES = ['string', 'hash', 'list', 'set', 'zset', 'stream', 'ReJSON-RL'] as const;

/**
 * A connection that can stream a SCAN page's keys as (buffer, start, end) without an object per key,
 * and reports the page's cursor before its keys (RedisConnection.scanPage).
 */
export interface PageStreamer {
  scanPage(args: Args, sink: KeySink, opts?: SendOptions & { onCursor?: (cursor: Buffer) => void }): Promise<Buffer>;
}

/** The streaming side of a commander, when it has one (a plain connection, or a Database on the connection's own database). */
export function pageStreamerOf(db: Commander): PageStreamer | undefined {
  const candidate: unknown = 'streamer' in db ? (db as { streamer: unknown }).streamer : db;
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as PageStreamer).scanPage === 'function')
    return candidate as PageStreamer;
  return undefined;
}

const isEnd = (cursor: Buffer): boolean => cursor.length === 1 && cursor[0] === 0x30;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface LoadOptions {
  signal?: AbortSignal;
  /** Round trips at most (a MATCH/TYPE filter can give empty pages). */
  maxCalls?: number;
  onProgress?: (p: ScanProgress) => void;
  /**
   * When the connection can stream pages (pageStreamerOf), each key goes here as (buffer, start,
   * end) — valid only during the call — instead of whole pages to onKeys.
   */
  rawSink?: KeySink;
}

export class ScanPager {
  private cursor: Buffer = Buffer.from('0');
  private finished = false;
  private started = false;
  /** SCAN calls made. */
  calls = 0;
  /** Keys delivered (SCAN may repeat a key). */
  keys = 0;

  constructor(
    private readonly db: Commander,
    readonly filter: ScanFilter,
    /** SCAN COUNT hint. */
    readonly count: number,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  private command(cursor: Buffer): Args {
    const args: Args = ['SCAN', cursor];
    if (this.filter.match !== undefined && this.filter.match.length > 0) args.push('MATCH', this.filter.match);
    args.push('COUNT', this.count);
    if (this.filter.type) args.push('TYPE', this.filter.type);
    return args;
  }

  private async call(cursor: Buffer, signal?: AbortSignal): Promise<{ cursor: Buffer; keys: Buffer[] }> {
    this.calls++;
    const reply = asArray(await this.db.send(this.command(cursor), signal ? { signal } : undefined));
    return { cursor: asBuffer(reply[0], 'cursor'), keys: asBufferArray(reply[1]) };
  }

  /**
   * Scans until at least `target` keys arrived (or the keyspace is exhausted), handing each SCAN page
   * to `onKeys`. A MATCH/TYPE filter can give empty pages: `maxCalls` bounds the round trips.
   */
  async load(target: number, onKeys: (keys: Buffer[]) => void, options: LoadOptions = {}): Promise<ScanProgress> {
    const { signal, maxCalls = Number.MAX_SAFE_INTEGER } = options;
    let got = 0;
    let calls = 0;
    if (this.finished) return this.progress();
    const streamer = options.rawSink ? pageStreamerOf(this.db) : undefined;
    if (streamer && options.rawSink) return this.stream(streamer, options.rawSink, target, options);
    let inFlight = this.call(this.cursor, signal);
    this.started = true;
    for (;;) {
      const page = await inFlight;
      calls++;
      this.cursor = page.cursor;
      this.finished = page.cursor.length === 1 && page.cursor[0] === 0x30;
      got += page.keys.length;
      this.keys += page.keys.length;
      const more = !this.finished && got < target && calls < maxCalls && !signal?.aborted;
      // Ask for the next page first: the server works while we group this one. Clients flush their
      // writes on a later tick, so let the request leave before the (synchronous) grouping starts.
      if (more) {
        inFlight = this.call(this.cursor, signal);
        await yieldToEventLoop();
      }
      if (page.keys.length > 0) onKeys(page.keys);
      options.onProgress?.(this.progress());
      if (!more) {
        if (signal?.aborted && !this.finished) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
        return this.progress();
      }
    }
  }

  /**
   * load() over a streaming connection: keys go to `sink` straight from the socket's bytes, and the
   * next SCAN leaves as soon as a page's cursor arrives (ahead of its keys) while more keys are
   * wanted, counting on about COUNT keys per page in flight; a short page asks again when it ends.
   * The pager's cursor moves only when a page has been delivered whole, so a cancelled load loses no keys.
   */
  private async stream(streamer: PageStreamer, sink: KeySink, target: number, options: LoadOptions): Promise<ScanProgress> {
    const { signal, maxCalls = Number.MAX_SAFE_INTEGER } = options;
    let got = 0;
    let calls = 0;
    let pending = 0;
    const pages: Array<Promise<Buffer>> = [];
    const count = (buf: Buffer, start: number, end: number): void => {
      got++;
      this.keys++;
      sink(buf, start, end);
    };
    const wanted = (inFlight: number): boolean => got + inFlight * this.count < target && calls < maxCalls && !signal?.aborted;
    const request = (cursor: Buffer): void => {
      calls++;
      this.calls++;
      pending++;
      const page = streamer.scanPage(this.command(cursor), count, {
        ...(signal ? { signal } : {}),
        onCursor: (next) => {
          // This page's keys are still on their way: count them as in flight.
          if (!isEnd(next) && wanted(pending)) request(next);
        },
      });
      page.catch(() => undefined); // observed below, in order
      pages.push(page);
    };
    this.started = true;
    request(this.cursor);
    for (let i = 0; i < pages.length; i++) {
      const cursor = await (pages[i] as Promise<Buffer>);
      pending--;
      this.cursor = cursor;
      this.finished = isEnd(cursor);
      options.onProgress?.(this.progress());
      if (i === pages.length - 1 && !this.finished && got < target && calls < maxCalls && !signal?.aborted) request(cursor);
    }
    if (signal?.aborted && !this.finished && got < target) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
    return this.progress();
  }

  /** Scans to the end. */
  loadAll(onKeys: (keys: Buffer[]) => void, options: Omit<LoadOptions, 'maxCalls'> = {}): Promise<ScanProgress> {
    return this.load(Number.MAX_SAFE_INTEGER, onKeys, options);
  }

  progress(): ScanProgress {
    return { keys: this.keys, calls: this.calls, done: this.finished };
  }

  get hasStarted(): boolean {
    return this.started;
  }
}
