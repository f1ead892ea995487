/**
 * SCAN over a whole cluster: one ScanPager (its own cursor) per master, merged behind the pager
 * interface the key tree uses. "Load more" drains the masters one after the other (each page still
 * pipelined); "Load all" scans every master at once over its own connection.
 */
import { Database } from './database';
import type { Commander } from './replyNarrowing';
import { ScanPager, type LoadOptions, type ScanFilter, type ScanProgress } from './scanPager';

/** What the tree needs from a pager (ScanPager and ClusterScanPager). */
export interface KeyPager {
  readonly filter: ScanFilter;
  readonly done: boolean;
  readonly hasStarted: boolean;
  readonly calls: number;
  readonly keys: number;
  load(target: number, onKeys: (keys: Buffer[]) => void, options?: LoadOptions): Promise<ScanProgress>;
  loadAll(onKeys: (keys: Buffer[]) => void, options?: Omit<LoadOptions, 'maxCalls'>): Promise<ScanProgress>;
  progress(): ScanProgress;
}

/** A commander that spreads over several nodes (ClusterRouter): SCAN must go to each of them. */
export interface ScanFanOut {
  readonly scanTargets: readonly Commander[];
}

function fanOutOf(db: Commander): ScanFanOut | undefined {
  const inner: unknown = db instanceof Database ? db.connection : db;
  if (typeof inner === 'object' && inner !== null && 'scanTargets' in inner && Array.isArray((inner as ScanFanOut).scanTargets))
    return inner as ScanFanOut;
  return undefined;
}

export class ClusterScanPager implements KeyPager {
  readonly pagers: ScanPager[];

  constructor(
    targets: readonly Commander[],
    readonly filter: ScanFilter,
    readonly count: number,
  ) {
    this.pagers = targets.map((t) => new ScanPager(t, filter, count));
  }

  get done(): boolean {
    return this.pagers.every((p) => p.done);
  }

  get hasStarted(): boolean {
    return this.pagers.some((p) => p.hasStarted);
  }

  get calls(): number {
    return this.pagers.reduce((n, p) => n + p.calls, 0);
  }

  get keys(): number {
    return this.pagers.reduce((n, p) => n + p.keys, 0);
  }

  progress(): ScanProgress {
    return { keys: this.keys, calls: this.calls, done: this.done };
  }

  async load(target: number, onKeys: (keys: Buffer[]) => void, options: LoadOptions = {}): Promise<ScanProgress> {
    const { signal, maxCalls = Number.MAX_SAFE_INTEGER, rawSink } = options;
    const onProgress = options.onProgress ? (): void => options.onProgress?.(this.progress()) : undefined;
    let got = 0;
    let calls = 0;
    for (const p of this.pagers) {
      if (p.done) continue;
      if (got >= target || calls >= maxCalls || signal?.aborted) break;
      const keysBefore = p.keys;
      const callsBefore = p.calls;
      await p.load(target - got, onKeys, {
        ...(signal ? { signal } : {}),
        maxCalls: maxCalls - calls,
        ...(onProgress ? { onProgress } : {}),
        ...(rawSink ? { rawSink } : {}),
      });
      got += p.keys - keysBefore;
      calls += p.calls - callsBefore;
    }
    return this.progress();
  }

  async loadAll(onKeys: (keys: Buffer[]) => void, options: Omit<LoadOptions, 'maxCalls'> = {}): Promise<ScanProgress> {
    const onProgress = options.onProgress ? (): void => options.onProgress?.(this.progress()) : undefined;
    const opts = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress ? { onProgress } : {}),
      ...(options.rawSink ? { rawSink: options.rawSink } : {}),
    };
    await Promise.all(this.pagers.map((p) => (p.done ? Promise.resolve(p.progress()) : p.loadAll(onKeys, opts))));
    return this.progress();
  }
}

/** The pager for a database: one cursor per master on a cluster, else a plain ScanPager. */
export function createPager(db: Commander, filter: ScanFilter, count: number): KeyPager {
  const fanOut = fanOutOf(db);
  return fanOut ? new ClusterScanPager(fanOut.scanTargets, filter, count) : new ScanPager(db, filter, count);
}
