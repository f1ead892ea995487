/**
 * The namespace tree of a keyspace, built incrementally from SCAN pages.
 *
 * Cheap by construction: key bytes are copied into per-folder byte lists (no object per key), and a
 * folder is split into its subfolders only once it is listed ("open"). Keys arriving later are routed
 * down through open folders and parked, unsplit, in the first closed one. So a scan pays for the
 * levels the user can see; expanding a folder pays once for the keys under it.
 *
 * SCAN may return a key more than once (while Redis resizes its table): a folder's direct keys are
 * de-duplicated when it is listed (they are sorted then), and its counts corrected.
 */
import { ByteList, grow } from './byteList';
import { orderByPrefix, sortRun } from './leafOrder';

export type TreeEntry = { kind: 'folder'; folder: Folder } | { kind: 'key'; key: Buffer };

export interface TreePage {
  entries: TreeEntry[];
  /** Children of the folder (subfolders + direct keys) known so far. */
  total: number;
  folderCount: number;
  keyCount: number;
}

export class Folder {
  /** Keys at or below this folder seen so far. */
  total = 0;
  /** Listed at least once: new keys are split into its subfolders as they arrive. */
  open = false;
  /**
   * Suffixes (after this folder's prefix) not yet split into subfolders: a chain through the tree's
   * shared arena (first and last entry, -1 when none).
   */
  pendingHead = -1;
  pendingTail = -1;
  /** Suffixes of the keys directly in this folder, in arrival order. */
  leaves: ByteList | undefined;
  /**
   * The leaves in byte order, built lazily: radix-sorted by their first 4 bytes (`prefixes`), runs
   * of equal prefixes put in full byte order (and repeats marked -1) only up to `resolved`, i.e. as
   * far as a listing has looked. Undefined when leaves arrived since.
   */
  order: Int32Array | undefined;
  prefixes: Uint32Array | undefined;
  resolved = 0;
  /** Repeats found (SCAN may return a key twice). */
  repeats = 0;
  /** Subfolders by segment hash; collisions chain through `nextInBucket`. */
  buckets: Map<number, Folder> | undefined;
  nextInBucket: Folder | undefined;
  childCount = 0;
  private sortedChildren: Folder[] | undefined;
  private allChildren: Folder[] | undefined;

  constructor(
    /** This folder's segment, one char per byte (latin1). Empty for the root. */
    readonly segment: string,
    readonly parent: Folder | undefined,
    readonly hash: number,
    /** The same segment as bytes (matching incoming keys against a Buffer is faster). */
    readonly bytes: Buffer = Buffer.alloc(0),
  ) {}

  get isRoot(): boolean {
    return this.parent === undefined;
  }

  /** The segment's bytes. */
  segmentBytes(): Buffer {
    return this.bytes;
  }

  /** Path from the root (excluded) to this folder. */
  path(): Folder[] {
    const out: Folder[] = [];
    if (!this.parent) return out;
    out.push(this);
    for (let f: Folder | undefined = this.parent; f && f.parent; f = f.parent) out.push(f);
    return out.reverse();
  }

  addChild(child: Folder): void {
    (this.allChildren ??= []).push(child);
    this.sortedChildren = undefined;
    this.childCount++;
  }

  detach(child: Folder): void {
    const buckets = this.buckets;
    if (buckets) {
      let prev: Folder | undefined;
      for (let f = buckets.get(child.hash); f; prev = f, f = f.nextInBucket) {
        if (f !== child) continue;
        if (prev) prev.nextInBucket = f.nextInBucket;
        else if (f.nextInBucket) buckets.set(child.hash, f.nextInBucket);
        else buckets.delete(child.hash);
        break;
      }
    }
    this.allChildren = (this.allChildren ?? []).filter((c) => c !== child);
    this.sortedChildren = undefined;
    this.childCount = this.allChildren.length;
  }

  /** Subfolders sorted by their bytes. */
  children(): Folder[] {
    if (!this.sortedChildren) {
      this.sortedChildren = (this.allChildren ?? []).slice().sort((a, b) => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
    }
    return this.sortedChildren;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class NamespaceTree {
  readonly root = new Folder('', undefined, 0);
  private readonly delimiter: Buffer;
  /** The delimiter's byte when it is one byte long, else -1. */
  private readonly single: number;
  /** Keys received (including SCAN duplicates). */
  received = 0;
  /** Parked suffixes of all closed folders, back to back; `next` chains each folder's entries. */
  private readonly arena = new ByteList(1024, 16 * 1024);
  private next = new Int32Array(1024);

  constructor(delimiter: string | Uint8Array = ':') {
    this.delimiter = typeof delimiter === 'string' ? Buffer.from(delimiter, 'utf8') : Buffer.from(delimiter);
    this.single = this.delimiter.length === 1 ? (this.delimiter[0] as number) : -1;
    this.root.open = true;
  }

  get delimiterBytes(): Buffer {
    return this.delimiter;
  }

  /** Adds one SCAN page. */
  addMany(keys: readonly Uint8Array[]): void {
    for (let i = 0; i < keys.length; i++) this.add(keys[i] as Uint8Array);
  }

  add(key: Uint8Array): void {
    this.received++;
    this.route(this.root, key, 0, key.length);
  }

  /** Adds the key buf[start, end) (its bytes are copied: buf may be a socket chunk). */
  addRange(buf: Uint8Array, start: number, end: number): void {
    this.received++;
    this.route(this.root, buf, start, end);
  }

  /** Routes key[pos, end) (the part after folder's prefix) down through open folders. */
  private route(folder: Folder, key: Uint8Array, pos: number, end: number): void {
    folder.total++;
    const single = this.single;
    for (;;) {
      if (!folder.open) {
        // Parked in the shared arena: appending there stays in cache, a list per folder would not.
        const arena = this.arena;
        const at = arena.length;
        arena.push(key, pos, end);
        if (at >= this.next.length) {
          const grown = new Int32Array(grow(this.next.length));
          grown.set(this.next);
          this.next = grown;
        }
        this.next[at] = -1;
        if (folder.pendingTail >= 0) this.next[folder.pendingTail] = at;
        else folder.pendingHead = at;
        folder.pendingTail = at;
        return;
      }
      let cut: number;
      let hash = FNV_OFFSET;
      if (single >= 0) {
        // One pass: find the delimiter and hash the segment before it.
        cut = -1;
        for (let i = pos; i < end; i++) {
          const b = key[i] as number;
          if (b === single) {
            cut = i;
            break;
          }
          hash = Math.imul(hash ^ b, FNV_PRIME);
        }
      } else {
        cut = this.findDelimiter(key, pos, end);
        if (cut >= 0) for (let i = pos; i < cut; i++) hash = Math.imul(hash ^ (key[i] as number), FNV_PRIME);
      }
      if (cut < 0) {
        (folder.leaves ??= new ByteList()).push(key, pos, end);
        return;
      }
      folder = this.child(folder, key, pos, cut, hash & 0x3fffffff);
      folder.total++;
      pos = cut + this.delimiter.length;
    }
  }

  private findDelimiter(key: Uint8Array, pos: number, end: number): number {
    const d = this.delimiter;
    if (d.length === 0) return -1;
    if (d.length === 1) {
      const c = d[0] as number;
      for (let i = pos; i < end; i++) if (key[i] === c) return i;
      return -1;
    }
    outer: for (let i = pos; i + d.length <= end; i++) {
      for (let j = 0; j < d.length; j++) if (key[i + j] !== d[j]) continue outer;
      return i;
    }
    return -1;
  }

  /**
   * Finds or creates the subfolder named key[from, to), whose FNV-1a hash is given (30 bits: a small
   * integer for V8; a heap number as Map key is several times slower).
   */
  private child(folder: Folder, key: Uint8Array, from: number, to: number, hash: number): Folder {
    const buckets = (folder.buckets ??= new Map());
    const first = buckets.get(hash);
    const len = to - from;
    search: for (let f = first; f; f = f.nextInBucket) {
      const seg = f.bytes;
      if (seg.length !== len) continue;
      for (let i = 0; i < len; i++) if (seg[i] !== key[from + i]) continue search;
      return f;
    }
    const bytes = Buffer.from(key.subarray(from, to));
    const created = new Folder(bytes.toString('latin1'), folder, hash, bytes);
    created.nextInBucket = first;
    buckets.set(hash, created);
    folder.addChild(created);
    return created;
  }

  /** Opens the folder: splits its parked keys into subfolders and direct keys, sorts and de-duplicates those. */
  prepare(folder: Folder): void {
    if (!folder.open) {
      folder.open = true;
      let at = folder.pendingHead;
      folder.pendingHead = folder.pendingTail = -1;
      const arena = this.arena;
      while (at >= 0) {
        // route() counts the folder itself again: compensate, it was counted when parked.
        folder.total--;
        // May append to the arena (and grow it): read the storage again each time.
        this.route(folder, arena.bytes, arena.start(at), arena.end(at));
        at = this.next[at] as number;
      }
    }
    const leaves = folder.leaves;
    if (leaves && (!folder.order || folder.order.length !== leaves.length)) {
      const { order, prefixes } = orderByPrefix(leaves);
      // Repeats found before are found again: forget them from the counts first.
      for (let f: Folder | undefined = folder; f; f = f.parent) f.total += folder.repeats;
      folder.repeats = 0;
      folder.order = order;
      folder.prefixes = prefixes;
      folder.resolved = 0;
    }
  }

  /** Puts the folder's leaves in full byte order up to position `upTo` (see Folder.order). */
  private resolve(folder: Folder, upTo: number): void {
    const { order, prefixes, leaves } = folder;
    if (!order || !prefixes || !leaves) return;
    const n = order.length;
    let k = folder.resolved;
    let repeats = 0;
    while (k < n && k < upTo) {
      const prefix = prefixes[k] as number;
      let end = k + 1;
      while (end < n && prefixes[end] === prefix) end++;
      if (end - k > 1) {
        // Equal first 4 bytes: order the run by all bytes, then mark repeats.
        sortRun(leaves, order, k, end, 4);
        let last = order[k] as number;
        for (let j = k + 1; j < end; j++) {
          const i = order[j] as number;
          if (leaves.compare(last, i) === 0) {
            order[j] = -1;
            repeats++;
          } else {
            last = i;
          }
        }
      }
      k = end;
    }
    folder.resolved = k;
    if (repeats > 0) {
      folder.repeats += repeats;
      for (let f: Folder | undefined = folder; f; f = f.parent) f.total -= repeats;
    }
  }

  /** Children of a folder: subfolders (sorted) then direct keys (sorted), entries [offset, offset+limit). */
  list(folder: Folder, offset = 0, limit = Number.MAX_SAFE_INTEGER): TreePage {
    this.prepare(folder);
    const folders = folder.children();
    const entries: TreeEntry[] = [];
    const stop = offset + limit;
    for (let i = offset; i < Math.min(folders.length, stop); i++) entries.push({ kind: 'folder', folder: folders[i] as Folder });
    const leaves = folder.leaves;
    const order = folder.order;
    if (leaves && order && stop > folders.length) {
      const prefix = this.prefixOf(folder);
      // Keys in order, skipping repeats: walk from the first key, resolving runs on the way.
      let position = folders.length;
      for (let k = 0; k < order.length && position < stop; k++) {
        if (k >= folder.resolved) this.resolve(folder, Math.min(order.length, k + Math.max(64, stop - position)));
        const i = order[k] as number;
        if (i < 0) continue;
        if (position >= offset)
          entries.push({ kind: 'key', key: Buffer.concat([prefix, leaves.bytes.subarray(leaves.start(i), leaves.end(i))]) });
        position++;
      }
    }
    const keyCount = leaves ? leaves.length - folder.repeats : 0;
    return { entries, total: folders.length + keyCount, folderCount: folders.length, keyCount };
  }

  /** The key prefix a folder stands for, delimiter included (empty for the root). */
  prefixOf(folder: Folder): Buffer {
    const parts: Buffer[] = [];
    for (const f of folder.path()) parts.push(f.segmentBytes(), this.delimiter);
    return Buffer.concat(parts);
  }

  /** Finds a folder by its segments (bytes), opening folders on the way; undefined when unknown. */
  find(segments: readonly Uint8Array[]): Folder | undefined {
    let folder = this.root;
    for (const seg of segments) {
      this.prepare(folder);
      const wanted = Buffer.from(seg).toString('latin1');
      const next = folder.children().find((c) => c.segment === wanted);
      if (!next) return undefined;
      folder = next;
    }
    return folder;
  }

  /** Forgets a folder and everything under it (after its keys were deleted). */
  removeFolder(folder: Folder): void {
    const parent = folder.parent;
    if (!parent) {
      this.clearFolder(folder);
      return;
    }
    parent.detach(folder);
    for (let f: Folder | undefined = parent; f; f = f.parent) f.total -= folder.total;
  }

  private clearFolder(folder: Folder): void {
    for (const child of folder.children().slice()) folder.detach(child);
    folder.pendingHead = folder.pendingTail = -1;
    folder.leaves = undefined;
    folder.order = undefined;
    folder.repeats = 0;
    folder.total = 0;
  }

  /** Forgets a key (after it was deleted). Returns true when it was present in an open folder. */
  remove(key: Uint8Array): boolean {
    let folder = this.root;
    let pos = 0;
    const path: Folder[] = [folder];
    for (;;) {
      if (!folder.open) return false;
      const cut = this.findDelimiter(key, pos, key.length);
      if (cut < 0) break;
      const name = Buffer.from(key.subarray(pos, cut)).toString('latin1');
      const next = folder.children().find((c) => c.segment === name);
      if (!next) return false;
      folder = next;
      path.push(folder);
      pos = cut + this.delimiter.length;
    }
    this.prepare(folder);
    const leaves = folder.leaves;
    if (!leaves) return false;
    const suffix = key.subarray(pos);
    const keep: number[] = [];
    let copies = 0;
    for (let i = 0; i < leaves.length; i++) {
      const same =
        leaves.end(i) - leaves.start(i) === suffix.length &&
        Buffer.compare(leaves.bytes.subarray(leaves.start(i), leaves.end(i)), suffix) === 0;
      if (same) copies++;
      else keep.push(i);
    }
    if (copies === 0) return false;
    // Count repeats again from scratch: every copy of the key goes.
    for (const f of path) f.total += folder.repeats - copies;
    folder.repeats = 0;
    folder.leaves = leaves.select(keep);
    folder.order = undefined;
    return true;
  }
}
