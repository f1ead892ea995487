/**
 * Documents for key values (writable when the profile allows writes; see values/valueSaver.ts):
 * `redis-tls:/<profile name>/db<n>/<title>?p=<profile id>&k=<key>&<position>`.
 * The key travels in the query as base64url bytes (exact for binary keys) and so does the profile id
 * (`p`); the profile name and the title are only for the tab and the breadcrumbs. URIs without `p`
 * (`redis-tls:/<profile id>/db<n>/<title>?k=…`, the earlier form) still work: the first segment is the id.
 * The position (`offset`, `cursor`, `after`) selects the part of a capped value.
 */
import * as vscode from 'vscode';
import { displayBytes, keyFromToken, keyToToken } from '../core/keys/bytes';
import { Database } from '../core/keys/database';
import { readValue, type DocumentKind, type ValuePart, type ValuePosition } from '../core/keys/values';
import { isReadOnlyProfile } from '../core/profiles/profile';
import type { ActiveSession, ConnectionState } from '../platform/contracts';
import type { Config } from '../platform/config';
import { isEditablePart, ValueSaver, type OpenedPart, type SaveOutcome, type ValueAddress, type ValueSaverDeps } from './valueSaver';

export const VALUE_SCHEME = 'redis-tls';

export type { ValueAddress };

const EXTENSIONS: Record<DocumentKind, string> = { json: '.json', jsonc: '.jsonc', text: '.txt', hex: '.hexdump.txt' };

/** A path segment for display: no path separators, bounded length. */
function segment(shown: string, empty: string): string {
  const safe = shown.replace(/[/\\]/g, '∕');
  return safe.length > 80 ? `${safe.slice(0, 79)}…` : safe || empty;
}

/** A tab title from the key. */
function title(key: Buffer): string {
  return segment(displayBytes(key), '(empty key)');
}

/**
 * The document URI of a value part. With `profileName`, the breadcrumb shows the name and the id
 * travels in the query (`p`); without it, the first segment is the id (the earlier form).
 */
export function valueUri(address: ValueAddress & { profileName?: string }, kind: DocumentKind = 'text'): vscode.Uri {
  const query = new URLSearchParams();
  const named = address.profileName !== undefined;
  if (named) query.set('p', address.profileId);
  query.set('k', keyToToken(address.key));
  if (address.position.offset !== undefined && address.position.offset > 0) query.set('offset', String(address.position.offset));
  if (address.position.cursor !== undefined && address.position.cursor !== '0') query.set('cursor', address.position.cursor);
  if (address.position.after !== undefined) query.set('after', address.position.after);
  return vscode.Uri.from({
    scheme: VALUE_SCHEME,
    path: `/${named ? segment(address.profileName ?? '', '(unnamed)') : encodeURIComponent(address.profileId)}/db${address.db}/${title(address.key)}${EXTENSIONS[kind]}`,
    query: query.toString(),
  });
}

export function parseValueUri(uri: vscode.Uri): ValueAddress & { profileName?: string } {
  if (uri.scheme !== VALUE_SCHEME) throw vscode.FileSystemError.FileNotFound(uri);
  // ['', profile name (or id), 'db<n>', title]: the key itself travels in the query (k = base64url bytes).
  const parts = uri.path.split('/');
  if (parts.length < 4) throw vscode.FileSystemError.FileNotFound(uri);
  const dbMatch = /^db(\d{1,5})$/.exec(parts[2] as string);
  if (!dbMatch) throw vscode.FileSystemError.FileNotFound(uri);
  const db = Number(dbMatch[1]);
  const query = new URLSearchParams(uri.query);
  const idInQuery = query.get('p');
  let profileId: string;
  try {
    profileId = idInQuery ?? decodeURIComponent(parts[1] as string);
  } catch {
    throw vscode.FileSystemError.FileNotFound(uri);
  }
  let key: Buffer;
  try {
    key = keyFromToken(query.get('k') ?? '');
  } catch {
    throw vscode.FileSystemError.FileNotFound(uri);
  }
  const position: ValuePosition = {};
  const offset = Number(query.get('offset') ?? '0');
  if (Number.isInteger(offset) && offset > 0) position.offset = offset;
  const cursor = query.get('cursor');
  if (cursor && /^\d+$/.test(cursor)) position.cursor = cursor;
  const after = query.get('after');
  if (after && /^\d+-\d+$/.test(after)) position.after = after;
  return { profileId, db, key, position, ...(idInQuery !== null ? { profileName: parts[1] as string } : {}) };
}

/** Cache identity of a part: the URI without its title (the title's extension follows the content). */
function partId(uri: vscode.Uri): string {
  return `${uri.path.slice(0, uri.path.lastIndexOf('/'))}?${uri.query}`;
}

interface Rendered {
  part: ValuePart;
  bytes: Uint8Array;
  at: number;
  /** Changes only when the text does: VS Code takes a newer mtime for a change on disk. */
  mtime: number;
  /** The profile refuses writes, the type cannot be edited, or this is the server side of a Compare. */
  readonly: boolean;
  /** Read again on the next stat (with a newer mtime, so VS Code reloads the document). */
  stale?: boolean;
}

/** `&view=server`: the server's side of a Compare (always read-only, always read fresh). */
const SERVER_VIEW = 'view=server';

/** The text without the reader's header comment (its TTL changes every second). */
function withoutHeader(text: string): string {
  return text.startsWith('// ') ? text.slice(text.indexOf('\n') + 1) : text;
}

function isServerView(uri: vscode.Uri): boolean {
  return new URLSearchParams(uri.query).get('view') === 'server';
}

/** A read taking longer than this shows a notification with Cancel. */
export const SLOW_READ_MS = 1000;

/** What the stale marks need: the live session (without connecting) and the connection's state. */
export interface StaleCheckDeps {
  peek(profileId: string): ActiveSession | undefined;
  state(profileId: string): ConnectionState;
}

/** A value document was saved (or a save removed the key): the tree updates that key in place. */
export interface ValueWritten {
  address: ValueAddress;
  outcome: SaveOutcome;
}

/** Serves value documents; writes them back through the ValueSaver when editing is enabled. */
export class ValueFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private readonly rendering = new vscode.EventEmitter<vscode.Uri>();
  /** A part was read from the server. */
  readonly onDidRender = this.rendering.event;
  /** The last rendering per URI: stat and readFile share one read; "next part" needs the position. */
  private readonly rendered = new Map<string, Rendered>();
  /** What each open document was last read as (readFile): the base a save compares against. */
  private readonly opened = new Map<string, OpenedPart>();
  private readonly inflight = new Map<string, Promise<Rendered>>();
  private saver: ValueSaver | undefined;
  private readonly writing = new vscode.EventEmitter<ValueWritten>();
  readonly onDidWrite = this.writing.event;
  /** Reads under way (Cancel aborts them; the core read honours the signal). */
  private readonly reads = new Set<AbortController>();
  /** Open documents that no longer show the server's value, with why (URI string -> reason). */
  private readonly staleMarks = new Map<string, string>();
  private readonly staleChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeStale = this.staleChanged.event;
  private readonly staleDiagnostics = vscode.languages.createDiagnosticCollection('redis-tls-stale');

  constructor(
    private readonly session: (profileId: string) => Promise<ActiveSession>,
    private readonly config: Config,
  ) {}

  /** Reads (or re-reads) the part an URI names. */
  async render(uri: vscode.Uri, fresh = true): Promise<Rendered> {
    const id = partId(uri);
    const cached = this.rendered.get(id);
    if (cached && !cached.stale && !isServerView(uri) && (!fresh || Date.now() - cached.at < 1500)) return cached;
    // One read at a time per part: stat and readFile racing on a first open would give two mtimes.
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.read(uri).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  /** Reads under way now. */
  get pendingReads(): number {
    return this.reads.size;
  }

  /** Cancels every read under way (the Cancel of the "Reading…" notification does this). */
  cancelReads(): void {
    for (const r of this.reads) r.abort(new Error('cancelled'));
  }

  /**
   * A value part from the server, cancellable: past SLOW_READ_MS a notification with Cancel shows;
   * Cancel aborts the commands in flight (their late replies are dropped, the session stays usable)
   * and the read fails with "cancelled".
   */
  private async readCancellable(session: ActiveSession, address: ValueAddress): Promise<ValuePart> {
    const db = new Database(session.client, address.db, session.profile.db ?? 0);
    const abort = new AbortController();
    this.reads.add(abort);
    const reading = readValue(db, address.key, address.position, this.config.valueCaps, abort.signal);
    const slow = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Reading ${displayBytes(address.key)}…`, cancellable: true },
        async (_progress, token) => {
          const sub = token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
          try {
            await reading.catch(() => undefined);
          } finally {
            sub.dispose();
          }
        },
      );
    }, SLOW_READ_MS);
    try {
      return await reading;
    } catch (e) {
      if (abort.signal.aborted) throw vscode.FileSystemError.Unavailable(`Reading ${displayBytes(address.key)} was cancelled.`);
      throw e;
    } finally {
      clearTimeout(slow);
      this.reads.delete(abort);
    }
  }

  private async read(uri: vscode.Uri): Promise<Rendered> {
    const id = partId(uri);
    const address = parseValueUri(uri);
    const session = await this.session(address.profileId);
    const part = await this.readCancellable(session, address);
    const bytes = Buffer.from(part.text, 'utf8');
    const now = Date.now();
    const cached = this.rendered.get(id);
    // The mtime moves only when the document is meant to reload (reload(), a save): a re-read whose
    // header shows another TTL is no change on disk (VS Code would refuse the next save as "newer").
    const mtime = cached && !cached.stale ? cached.mtime : Math.max(now, (cached?.mtime ?? 0) + 1);
    const readonly = !this.saver || isServerView(uri) || isReadOnlyProfile(session.profile) || !isEditablePart(part);
    const out: Rendered = { part, bytes, at: now, mtime, readonly };
    this.rendered.set(id, out);
    this.rendering.fire(uri);
    if (this.rendered.size > 200) this.rendered.delete(this.rendered.keys().next().value as string);
    return out;
  }

  // ---- stale marks: the document no longer shows the server's value ---------------------------

  staleReason(uri: vscode.Uri): string | undefined {
    return this.staleMarks.get(uri.toString());
  }

  /** Marks an open document stale: a warning on its first line and the CodeLens "Stale … — Refresh". */
  markStale(uri: vscode.Uri, reason: string): void {
    const key = uri.toString();
    if (this.staleMarks.get(key) === reason) return;
    this.staleMarks.set(key, reason);
    const d = new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 0),
      `Stale: ${reason}. Refresh (the CodeLens above, or "Redis TLS: Refresh Value") reads the key again.`,
      vscode.DiagnosticSeverity.Warning,
    );
    d.source = 'Redis TLS';
    this.staleDiagnostics.set(uri, [d]);
    this.staleChanged.fire();
  }

  private clearStale(uri: vscode.Uri): void {
    // Every open document of this part (its title's extension may differ from the URI read).
    const id = partId(uri);
    let changed = false;
    for (const key of [...this.staleMarks.keys()]) {
      const u = vscode.Uri.parse(key);
      if (partId(u) !== id) continue;
      this.staleMarks.delete(key);
      this.staleDiagnostics.delete(u);
      changed = true;
    }
    if (changed) this.staleChanged.fire();
  }

  /** Open value documents (not the server side of a Compare). */
  private openDocuments(): vscode.Uri[] {
    return vscode.workspace.textDocuments.map((d) => d.uri).filter((u) => u.scheme === VALUE_SCHEME && !isServerView(u));
  }

  /** A connection failed or closed: every open document of it is marked stale at once. */
  markProfileStale(profileId: string, reason: string): void {
    for (const uri of this.openDocuments()) {
      try {
        if (parseValueUri(uri).profileId === profileId) this.markStale(uri, reason);
      } catch {
        // not a value address
      }
    }
  }

  /**
   * Compares open documents (those in `only`, else all) with the server: a key that changed, expired
   * or was deleted, or a connection that is gone, marks the document stale. Reads only documents of
   * live sessions, never connects. Returns how many documents are stale.
   */
  async checkOpen(deps: StaleCheckDeps, only?: readonly vscode.Uri[]): Promise<number> {
    const uris = only ?? this.openDocuments();
    for (const uri of uris) {
      let address: ValueAddress;
      try {
        address = parseValueUri(uri);
      } catch {
        continue;
      }
      const opened = this.opened.get(partId(uri));
      if (!opened) continue;
      const session = deps.peek(address.profileId);
      const state = deps.state(address.profileId);
      if (!session || state.kind !== 'connected') {
        this.markStale(uri, state.kind === 'failed' ? `the connection failed (${state.problem.title})` : 'the connection is closed');
        continue;
      }
      let now: ValuePart;
      try {
        now = await readValue(
          new Database(session.client, address.db, session.profile.db ?? 0),
          address.key,
          address.position,
          this.config.valueCaps,
        );
      } catch (e) {
        this.markStale(uri, `the key could not be read (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      if (now.type === 'none' && opened.part.type !== 'none') this.markStale(uri, 'the key no longer exists (expired or deleted)');
      else if (now.type !== opened.part.type) this.markStale(uri, `the key is now a ${now.type}`);
      else if (withoutHeader(now.text) !== withoutHeader(opened.text)) this.markStale(uri, 'the key changed on the server');
    }
    return uris.filter((u) => this.staleMarks.has(u.toString())).length;
  }

  lastPart(uri: vscode.Uri): ValuePart | undefined {
    return this.rendered.get(partId(uri))?.part;
  }

  /** Makes open documents re-read the server. */
  reload(uri: vscode.Uri): void {
    const cached = this.rendered.get(partId(uri));
    if (cached) cached.stale = true;
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  /** Runs `then` once VS Code has finished saving the open document of `uri` (at once if none is open). */
  private afterSave(uri: vscode.Uri, then: () => void): void {
    const key = uri.toString();
    if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) {
      then();
      return;
    }
    const sub = vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.toString() !== key) return;
      sub.dispose();
      then();
    });
  }

  /** Turns on saving (the container does, with the prompts and the diagnostics it owns). */
  enableEditing(deps: Pick<ValueSaverDeps, 'ask' | 'diagnostics' | 'log'>): void {
    this.saver = new ValueSaver({
      ...deps,
      session: (id) => this.session(id),
      reread: async (uri) => {
        const cached = this.rendered.get(partId(uri));
        if (cached) cached.stale = true;
        const r = await this.render(uri);
        return { part: r.part, text: r.part.text };
      },
      compare: async (uri) => {
        const server = uri.with({ query: `${uri.query}&${SERVER_VIEW}` });
        const title = uri.path.slice(uri.path.lastIndexOf('/') + 1);
        await vscode.commands.executeCommand('vscode.diff', server, uri, `${title}: server ↔ yours`, { preview: false });
      },
    });
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // The cached rendering when there is one: a save compares with the server itself (WATCH), so
    // VS Code's own "newer on disk" check must not fire on a mere re-read.
    const r = await this.render(uri, isServerView(uri));
    return {
      type: vscode.FileType.File,
      ctime: r.at,
      mtime: r.mtime,
      size: r.bytes.length,
      ...(r.readonly ? { permissions: vscode.FilePermission.Readonly } : {}),
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const r = await this.render(uri);
    if (!isServerView(uri)) {
      this.opened.set(partId(uri), { part: r.part, text: r.part.text });
      // The document shows the server's value again.
      this.clearStale(uri);
    }
    return r.bytes;
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const id = partId(uri);
    const opened = this.opened.get(id);
    if (!this.saver || isServerView(uri)) throw vscode.FileSystemError.NoPermissions(uri);
    if (!opened)
      throw vscode.FileSystemError.Unavailable('The value document was not read from the server in this window: reopen it from the tree.');
    const address = parseValueUri(uri);
    const outcome = await this.saver.save(uri, address, opened, content);
    // Read the value back: the document shows what the server has now (and the next save starts there).
    const cached = this.rendered.get(id);
    if (cached) cached.stale = true;
    const r = await this.render(uri);
    this.opened.set(id, { part: r.part, text: r.part.text });
    // When the server's rendering differs from the text just saved (Reload; a normalised order), the
    // editor reloads it — after VS Code has taken the new mtime of this save, so the change is seen.
    if (outcome.kind === 'reloaded' || withoutHeader(Buffer.from(content).toString('utf8')) !== withoutHeader(r.part.text))
      this.afterSave(uri, () => this.reload(uri));
    this.writing.fire({ address, outcome });
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.cancelReads();
    this.staleDiagnostics.dispose();
    this.staleChanged.dispose();
    this.changes.dispose();
    this.rendering.dispose();
    this.writing.dispose();
    this.rendered.clear();
    this.opened.clear();
  }
}

/** "Load Next Part" / "Refresh Value" above partial value documents. */
export class ValueCodeLens implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  constructor(private readonly fs: ValueFileSystem) {
    this.onDidChangeCodeLenses = fs.onDidChangeStale;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.uri.scheme !== VALUE_SCHEME) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const stale = this.fs.staleReason(document.uri);
    const lenses = [
      new vscode.CodeLens(range, {
        command: 'redisTls.keys.refreshValue',
        title: stale ? `$(warning) Stale: ${stale} — Refresh` : 'Refresh',
        arguments: [document.uri],
      }),
    ];
    const part = this.fs.lastPart(document.uri);
    if (part?.next)
      lenses.unshift(
        new vscode.CodeLens(range, { command: 'redisTls.keys.nextPart', title: '$(arrow-down) Load Next Part', arguments: [document.uri] }),
      );
    return lenses;
  }
}

export function nextPartUri(uri: vscode.Uri, part: ValuePart): vscode.Uri | undefined {
  if (!part.next) return undefined;
  const address = parseValueUri(uri);
  return valueUri({ ...address, position: part.next }, part.kind);
}
