/**
 * Read-only documents for key values: `redis-tls:/<profile>/db<n>/<title>?k=<key>&<position>`.
 * The key travels in the query as base64url bytes (exact for binary keys); the title is only for the
 * tab and the breadcrumbs. The position (`offset`, `cursor`, `after`) selects the part of a capped value.
 */
import * as vscode from 'vscode';
import { displayBytes, keyFromToken, keyToToken } from '../core/keys/bytes';
import { Database } from '../core/keys/database';
import { readValue, type DocumentKind, type ValuePart, type ValuePosition } from '../core/keys/values';
import type { ActiveSession } from '../platform/contracts';
import type { Config } from '../platform/config';

export const VALUE_SCHEME = 'redis-tls';

export interface ValueAddress {
  profileId: string;
  db: number;
  key: Buffer;
  position: ValuePosition;
}

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
}

/** Serves value documents; never writes. */
export class ValueFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private readonly rendering = new vscode.EventEmitter<vscode.Uri>();
  /** A part was read from the server. */
  readonly onDidRender = this.rendering.event;
  /** The last rendering per URI: stat and readFile share one read; "next part" needs the position. */
  private readonly rendered = new Map<string, Rendered>();

  constructor(
    private readonly session: (profileId: string) => Promise<ActiveSession>,
    private readonly config: Config,
  ) {}

  /** Reads (or re-reads) the part an URI names. */
  async render(uri: vscode.Uri, fresh = true): Promise<Rendered> {
    const cached = this.rendered.get(partId(uri));
    if (cached && (!fresh || Date.now() - cached.at < 1500)) return cached;
    const address = parseValueUri(uri);
    const session = await this.session(address.profileId);
    const db = new Database(session.client, address.db, session.profile.db ?? 0);
    const part = await readValue(db, address.key, address.position, this.config.valueCaps);
    const out: Rendered = { part, bytes: Buffer.from(part.text, 'utf8'), at: Date.now() };
    this.rendered.set(partId(uri), out);
    this.rendering.fire(uri);
    if (this.rendered.size > 200) this.rendered.delete(this.rendered.keys().next().value as string);
    return out;
  }

  lastPart(uri: vscode.Uri): ValuePart | undefined {
    return this.rendered.get(partId(uri))?.part;
  }

  /** Makes open documents re-read the server. */
  reload(uri: vscode.Uri): void {
    this.rendered.delete(partId(uri));
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const r = await this.render(uri);
    return { type: vscode.FileType.File, ctime: r.at, mtime: r.at, size: r.bytes.length, permissions: vscode.FilePermission.Readonly };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return (await this.render(uri)).bytes;
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
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
    this.rendered.clear();
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
    if (part?.next) lenses.unshift(new vscode.CodeLens(range, { command: 'redisTls.keys.nextPart', title: '$(arrow-down) Load Next Part', arguments: [document.uri] }));
    return lenses;
  }
}

export function nextPartUri(uri: vscode.Uri, part: ValuePart): vscode.Uri | undefined {
  if (!part.next) return undefined;
  const address = parseValueUri(uri);
  return valueUri({ ...address, position: part.next }, part.kind);
}
