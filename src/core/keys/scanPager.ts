/**
 * SCAN paging over one database: MATCH and TYPE filters, pages of a target size, "load all" with
 * progress and cancellation. Never KEYS. The next SCAN is sent before the current page is handed
 * to the consumer, so grouping a page overlaps the server's work on the next one.
 */
import { Args, Commander, asArray, asBuffer, asBufferArray } from './replyNarrowing';

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

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
  async load(
    target: number,
    onKeys: (keys: Buffer[]) => void,
    options: { signal?: AbortSignal; maxCalls?: number; onProgress?: (p: ScanProgress) => void } = {},
  ): Promise<ScanProgress> {
    const { signal, maxCalls = Number.MAX_SAFE_INTEGER } = options;
    let got = 0;
    let calls = 0;
    if (this.finished) return this.progress();
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

  /** Scans to the end. */
  loadAll(
    onKeys: (keys: Buffer[]) => void,
    options: { signal?: AbortSignal; onProgress?: (p: ScanProgress) => void } = {},
  ): Promise<ScanProgress> {
    return this.load(Number.MAX_SAFE_INTEGER, onKeys, options);
  }

  progress(): ScanProgress {
    return { keys: this.keys, calls: this.calls, done: this.finished };
  }

  get hasStarted(): boolean {
    return this.started;
  }
}
