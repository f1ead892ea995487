/**
 * Documents for key values (writable when the profile allows writes; see values/valueSaver.ts): `redis-tls:/<profile>/db<n>/<title>?k=<key>&<position>`.
 * The key travels in the query as base64url bytes (exact for binary keys); the title is only for the
 * tab and the breadcrumbs. The position (`offset`, `cursor`, `after`) selects the part of a capped value.
 */
import * as vscode from 'vscode';
import { displayBytes, keyFromToken, keyToToken } from '../core/keys/bytes';
import { Database } from '../core/keys/database';
import { readValue, type DocumentKind, type ValuePart, type ValuePosition } from '../core/keys/values';
import { isReadOnlyProfile } from '../core/profiles/profile';
import type { ActiveSession } from '../platform/contracts';
import type { Config } from '../platform/config';
import { isEditablePart, ValueSaver, type OpenedPart, type SaveOutcome, type ValueAddress, type ValueSaverDeps } from './valueSaver';

export const VALUE_SCHEME = 'redis-tls';

export type { ValueAddress };

const EXTENSIONS: Record<DocumentKind, string> = { json: '.json', jsonc: '.jsonc', text: '.txt', hex: '.hexdump.txt' };

/** A tab title from the key: no path separators, bounded length. */
function title(key: Buffer): string {
  const shown = displayBytes(key).replace(/[/\\]/g, '∕');
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown || '(empty key)';
}

export function valueUri(address: ValueAddress, kind: DocumentKind = 'text'): vscode.Uri {
  const query = new URLSearchParams();
  query.set('k', keyToToken(address.key));
  if (address.position.offset !== undefined && address.position.offset > 0) query.set('offset', String(address.position.offset));
  if (address.position.cursor !== undefined && address.position.cursor !== '0') query.set('cursor', address.position.cursor);
  if (address.position.after !== undefined) query.set('after', address.position.after);
  return vscode.Uri.from({
    scheme: VALUE_SCHEME,
    path: `/${encodeURIComponent(address.profileId)}/db${address.db}/${title(address.key)}${EXTENSIONS[kind]}`,
    query: query.toString(),
  });
}

export function parseValueUri(uri: vscode.Uri): ValueAddress {
  if (uri.scheme !== VALUE_SCHEME) throw vscode.FileSystemError.FileNotFound(uri);
  // ['', profile, 'db<n>', title]: the key itself travels in the query (k = base64url bytes).
  const parts = uri.path.split('/');
  if (parts.length < 4) throw vscode.FileSystemError.FileNotFound(uri);
  const profileId = decodeURIComponent(parts[1] as string);
  const dbMatch = /^db(\d{1,5})$/.exec(parts[2] as string);
  if (!dbMatch) throw vscode.FileSystemError.FileNotFound(uri);
  const db = Number(dbMatch[1]);
  const query = new URLSearchParams(uri.query);
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
  return { profileId, db, key, position };
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

  private async read(uri: vscode.Uri): Promise<Rendered> {
    const id = partId(uri);
    const address = parseValueUri(uri);
    const session = await this.session(address.profileId);
    const db = new Database(session.client, address.db, session.profile.db ?? 0);
    const part = await readValue(db, address.key, address.position, this.config.valueCaps);
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
    if (!isServerView(uri)) this.opened.set(partId(uri), { part: r.part, text: r.part.text });
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
    this.changes.dispose();
    this.rendering.dispose();
    this.writing.dispose();
    this.rendered.clear();
    this.opened.clear();
  }
}

/** "Load Next Part" / "Refresh Value" above partial value documents. */
export class ValueCodeLens implements vscode.CodeLensProvider {
  constructor(private readonly fs: ValueFileSystem) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.uri.scheme !== VALUE_SCHEME) return [];
    const range = new vscode.Range(0, 0, 0, 0);
    const lenses = [new vscode.CodeLens(range, { command: 'redisTls.keys.refreshValue', title: 'Refresh', arguments: [document.uri] })];
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
