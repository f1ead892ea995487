/**
 * The browsing state of one database of one connection, independent of VS Code: the SCAN pager, the
 * namespace tree it feeds, how many children of each folder are shown, and the type/TTL of the keys
 * that are on screen (fetched per visible page, cached). The tree view and the benchmark use it.
 */
import type { Database } from './database';
import { fetchMeta, type KeyMeta } from './keyInfo';
import { Folder, NamespaceTree } from './namespaceTree';
import { asInteger } from './replyNarrowing';
import type { ScanFilter, ScanProgress } from './scanPager';
import { createPager, type KeyPager } from './clusterScan';
import type { KeySink } from '../resp/scanReader';

export interface KeyspaceOptions {
  delimiter: string;
  /** SCAN COUNT and the number of keys one "Load more" fetches. */
  scanPageSize: number;
  /** Children of a folder shown before "Show more". */
  childPageSize: number;
  filter?: ScanFilter;
}

export type ChildEntry = { kind: 'folder'; folder: Folder } | { kind: 'key'; key: Buffer; meta: KeyMeta };

export interface ChildPage {
  entries: ChildEntry[];
  /** Children of the folder not shown yet (known so far). */
  hidden: number;
  /** The whole database was scanned (with the filter). */
  scanDone: boolean;
}

/** A filtered scan can return many empty pages: one "Load more" stops after this many calls. */
const MAX_CALLS_PER_LOAD = 200;
const META_CACHE_LIMIT = 20_000;

export class Keyspace {
  tree: NamespaceTree;
  /** One cursor, or one per master in cluster mode. */
  pager: KeyPager;
  private readonly limits = new WeakMap<Folder, number>();
  private readonly meta = new Map<string, KeyMeta>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Generation: bumps on reset so late pages of an old scan are dropped. */
  private generation = 0;
  private started: Promise<void> | undefined;

  constructor(
    readonly db: Database,
    private options: KeyspaceOptions,
  ) {
    this.tree = new NamespaceTree(options.delimiter);
    this.pager = createPager(db, options.filter ?? {}, options.scanPageSize);
  }

  get filter(): ScanFilter {
    return this.pager.filter;
  }

  get settings(): Readonly<KeyspaceOptions> {
    return this.options;
  }

  /** Starts over (refresh, new filter or settings). */
  reset(changes: Partial<KeyspaceOptions> = {}): void {
    this.options = { ...this.options, ...changes };
    this.generation++;
    this.tree = new NamespaceTree(this.options.delimiter);
    this.pager = createPager(this.db, this.options.filter ?? {}, this.options.scanPageSize);
    this.meta.clear();
    this.queue = Promise.resolve();
    this.started = undefined;
  }

  /**
   * Starts over like `reset`, but reads the first page (and the type/TTL of the keys the folders in
   * `visible` show) before anything changes: until it resolves, the current tree and its cached
   * type/TTL stay in place, so a view can keep showing (and serving clicks on) the rows it has.
   * `visible` lists folders by their segments (the root is always included). Rejects (and changes
   * nothing) when the read fails.
   */
  async reload(
    visible: readonly (readonly Uint8Array[])[] = [],
    signal?: AbortSignal,
    changes: Partial<KeyspaceOptions> = {},
  ): Promise<void> {
    const before = this.options;
    const options = { ...before, ...changes };
    const tree = new NamespaceTree(options.delimiter);
    const pager = createPager(this.db, options.filter ?? {}, options.scanPageSize);
    await pager.load(options.scanPageSize, (keys) => tree.addMany(keys), {
      signal,
      maxCalls: MAX_CALLS_PER_LOAD,
      rawSink: (buf, start, end) => tree.addRange(buf, start, end),
    });
    const wanted: Buffer[] = [];
    const seen = new Set<string>();
    for (const segments of [[], ...visible]) {
      const folder = segments.length === 0 ? tree.root : tree.find(segments);
      if (!folder) continue;
      for (const e of tree.list(folder, 0, options.childPageSize).entries)
        if (e.kind === 'key' && !seen.has(e.key.toString('latin1'))) {
          seen.add(e.key.toString('latin1'));
          wanted.push(e.key);
        }
    }
    const metas = await fetchMeta(this.db, wanted);
    signal?.throwIfAborted();
    if (before !== this.options) return; // reset or reloaded with other settings meanwhile: that one wins
    this.options = options;
    this.generation++;
    this.tree = tree;
    this.pager = pager;
    this.meta.clear();
    wanted.forEach((k, i) => this.meta.set(k.toString('latin1'), metas[i] as KeyMeta));
    this.queue = Promise.resolve();
    this.started = Promise.resolve();
  }

  /**
   * Reads the TTL (PTTL, pipelined) of keys on screen again: keys that no longer exist (expired or
   * deleted elsewhere) are dropped from the tree; returns which were dropped and whether any TTL changed.
   */
  async refreshTtls(keys: readonly Buffer[], signal?: AbortSignal): Promise<{ removed: Buffer[]; changed: boolean }> {
    if (keys.length === 0) return { removed: [], changed: false };
    const generation = this.generation;
    const replies = await this.db.batch(
      keys.map((k) => ['PTTL', k]),
      signal ? { signal } : undefined,
    );
    const removed: Buffer[] = [];
    let changed = false;
    if (generation !== this.generation) return { removed, changed };
    keys.forEach((key, i) => {
      const reply = replies[i];
      if (reply instanceof Error) return;
      const pttl = asInteger(reply);
      const id = key.toString('latin1');
      if (pttl === -2) {
        if (this.tree.remove(key)) removed.push(key);
        this.meta.delete(id);
        return;
      }
      const known = this.meta.get(id);
      if (known && known.pttl !== pttl) {
        this.meta.set(id, { ...known, pttl });
        changed = true;
      }
    });
    return { removed, changed };
  }

  /** Keys a folder shows now (its first `shownCount` children), without reading anything. */
  shownKeys(folder: Folder): Buffer[] {
    const out: Buffer[] = [];
    for (const e of this.tree.list(folder, 0, this.shownCount(folder)).entries) if (e.kind === 'key') out.push(e.key);
    return out;
  }

  /** Runs scan work one at a time: two "Load more" clicks must not race on the cursor. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private feed(generation: number): (keys: Buffer[]) => void {
    return (keys) => {
      if (generation === this.generation) this.tree.addMany(keys);
    };
  }

  /** The same, one key at a time from the socket's bytes (a streamed SCAN page). */
  private feedRaw(generation: number): KeySink {
    return (buf, start, end) => {
      if (generation === this.generation) this.tree.addRange(buf, start, end);
    };
  }

  /** Fetches the first page if nothing was scanned yet; later calls do not wait for other loads. */
  ensureStarted(signal?: AbortSignal): Promise<void> {
    this.started ??= this.loadMore(signal).then(
      () => undefined,
      (e: unknown) => {
        this.started = undefined;
        throw e;
      },
    );
    return this.started;
  }

  /** One more page of keys (scanPageSize, or fewer when the scan ends). */
  loadMore(signal?: AbortSignal): Promise<ScanProgress> {
    const generation = this.generation;
    const pager = this.pager;
    return this.serial(() =>
      pager.load(this.options.scanPageSize, this.feed(generation), {
        signal,
        maxCalls: MAX_CALLS_PER_LOAD,
        rawSink: this.feedRaw(generation),
      }),
    );
  }

  /** Scans to the end (cancellable; what arrived stays). */
  loadAll(signal?: AbortSignal, onProgress?: (p: ScanProgress) => void): Promise<ScanProgress> {
    const generation = this.generation;
    const pager = this.pager;
    return this.serial(() => pager.loadAll(this.feed(generation), { signal, onProgress, rawSink: this.feedRaw(generation) }));
  }

  shownCount(folder: Folder): number {
    return this.limits.get(folder) ?? this.options.childPageSize;
  }

  showMore(folder: Folder): void {
    this.limits.set(folder, this.shownCount(folder) + this.options.childPageSize);
  }

  /** The visible children of a folder, with type and TTL of the keys among them. */
  async children(folder: Folder): Promise<ChildPage> {
    const page = this.tree.list(folder, 0, this.shownCount(folder));
    const missing: Buffer[] = [];
    for (const e of page.entries) if (e.kind === 'key' && !this.meta.has(e.key.toString('latin1'))) missing.push(e.key);
    if (missing.length > 0) {
      const metas = await fetchMeta(this.db, missing);
      if (this.meta.size + metas.length > META_CACHE_LIMIT) this.meta.clear();
      missing.forEach((k, i) => this.meta.set(k.toString('latin1'), metas[i] as KeyMeta));
    }
    const entries: ChildEntry[] = page.entries.map((e) =>
      e.kind === 'folder' ? e : { kind: 'key', key: e.key, meta: this.meta.get(e.key.toString('latin1')) ?? { type: 'unknown', pttl: -1 } },
    );
    return { entries, hidden: Math.max(0, page.total - page.entries.length), scanDone: this.pager.done };
  }

  /** Drops cached type/TTL (after EXPIRE, PERSIST, or to re-read). */
  forgetMeta(key?: Buffer): void {
    if (key) this.meta.delete(key.toString('latin1'));
    else this.meta.clear();
  }

  /** After DEL: forgets the key in the tree and the cache. */
  forgetKey(key: Buffer): void {
    this.tree.remove(key);
    this.meta.delete(key.toString('latin1'));
  }
}
