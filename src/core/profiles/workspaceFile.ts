/**
 * `.vscode/redis-tls.json`: team-shared profiles. They reference certificate files by path (relative
 * to the workspace folder) and never contain secrets; secret-looking fields are refused with a warning.
 * Read with jsonc-parser (VS Code's own JSON parser), so comments and trailing commas are accepted as
 * the editor accepts them; the same tree gives the offsets of a profile's fields for diagnostics.
 */
import * as path from 'node:path';
import { parse, parseTree, type Edit, type Node as JsonNode, type ParseError, type ParseOptions } from 'jsonc-parser';
import type { TlsVersion, VerifyMode } from '../endpoint/options';
import { DEFAULT_DELIMITER, type CaSource, type ClientIdentity, type Profile } from './profile';

export const WORKSPACE_PROFILES_FILE = '.vscode/redis-tls.json';

/** Fields that would hold secrets: never read from the shared file. */
const FORBIDDEN_FIELDS = [
  'password',
  'pass',
  'auth',
  'passphrase',
  'key',
  'keyPem',
  'cert',
  'certPem',
  'ca',
  'caPem',
  'pfx',
  'pfxPassword',
  'url',
];

export interface WorkspaceProfilesResult {
  profiles: Profile[];
  warnings: string[];
  /** For each profile, the index of its entry in the file's list. */
  entries: number[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function tlsVersion(v: unknown): TlsVersion | undefined {
  return v === 'TLSv1.2' || v === 'TLSv1.3' ? v : undefined;
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'profile'
  );
}

/** JSONC as VS Code edits `.vscode/*.json`: comments and trailing commas allowed. */
const JSONC: ParseOptions = { allowTrailingComma: true, disallowComments: false };

export function parseWorkspaceProfiles(text: string, folderPath: string, folderName: string): WorkspaceProfilesResult {
  const warnings: string[] = [];
  let json: unknown;
  try {
    const errors: ParseError[] = [];
    json = parse(text, errors, JSONC);
    if (errors.length > 0) return { profiles: [], warnings: ['not valid JSON'], entries: [] };
  } catch {
    // jsonc-parser recurses per nesting level: absurd nesting ends here, not in the caller
    return { profiles: [], warnings: ['not valid JSON'], entries: [] };
  }
  const list = Array.isArray(json) ? json : (json as { profiles?: unknown } | null)?.profiles;
  if (!Array.isArray(list)) return { profiles: [], warnings: ['expected { "profiles": [ ... ] }'], entries: [] };
  const entries: number[] = [];
  const resolve = (p: string): string => (path.isAbsolute(p) ? p : path.resolve(folderPath, p));
  const profiles: Profile[] = [];
  const seen = new Set<string>();
  list.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      warnings.push(`profile #${index + 1} is not an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const field of FORBIDDEN_FIELDS) {
      if (field in e)
        warnings.push(
          `profile #${index + 1}: field "${field}" ignored (secrets and PEM material never belong in this file; they are asked for and kept in SecretStorage)`,
        );
    }
    const name = str(e.name);
    const host = str(e.host);
    if (!name || !host) {
      warnings.push(`profile #${index + 1} needs "name" and "host"`);
      return;
    }
    const port = typeof e.port === 'number' && Number.isInteger(e.port) && e.port > 0 && e.port < 65536 ? e.port : 6379;
    const verify: VerifyMode = e.verify === 'pin' || e.verify === 'insecure' ? e.verify : 'full';
    const caFile = str(e.caFile);
    const ca: CaSource = caFile ? { kind: 'file', path: resolve(caFile), alsoSystem: e.alsoSystemCA === true } : { kind: 'system' };
    const certFile = str(e.certFile);
    const keyFile = str(e.keyFile);
    const pfxFile = str(e.pfxFile);
    let client: ClientIdentity = { kind: 'none' };
    if (pfxFile) client = { kind: 'pfx', path: resolve(pfxFile) };
    else if (certFile && keyFile)
      client = { kind: 'files', certPath: resolve(certFile), keyPath: resolve(keyFile), encryptedKey: e.encryptedKey === true };
    else if (certFile || keyFile) warnings.push(`profile "${name}": "certFile" and "keyFile" go together`);
    let id = `ws-${slug(folderName)}-${slug(str(e.id) ?? name)}`;
    while (seen.has(id)) id += '-1';
    seen.add(id);
    entries.push(index);
    profiles.push({
      id,
      name,
      host,
      port,
      db: typeof e.db === 'number' && Number.isInteger(e.db) && e.db >= 0 ? e.db : 0,
      username: str(e.username),
      hasPassword: e.passwordRequired === true ? true : undefined,
      tls: e.tls !== false,
      servername: str(e.servername),
      minTlsVersion: tlsVersion(e.minTlsVersion),
      maxTlsVersion: tlsVersion(e.maxTlsVersion),
      verify,
      pinSha256: str(e.pinSha256),
      ca,
      client,
      delimiter: str(e.delimiter) ?? DEFAULT_DELIMITER,
      group: str(e.group),
      color: str(e.color),
      source: 'workspace',
      workspaceFolder: folderName,
      preset: str(e.preset),
      ...(typeof e.readOnly === 'boolean' ? { readOnly: e.readOnly } : {}),
      ...(e.production === true ? { production: true } : {}),
      ...clusterFields(e),
      ...sentinelField(e.sentinel, resolve),
    });
  });
  return { profiles, warnings, entries };
}

export type { Edit as TextEdit, JsonNode };

/**
 * The text edits (jsonc-parser's `Edit`) that take the entry of the workspace profile `id` out of a redis-tls.json text, or
 * undefined when no entry of the text makes that profile (the store may have suffixed the id with
 * "-ws"). An entry on lines of its own goes with those lines and the comment lines right above it;
 * the comma that separated it goes too; every other comment and line stays as it was.
 */
export function removeProfileEdits(text: string, folderPath: string, folderName: string, id: string): Edit[] | undefined {
  const parsed = parseWorkspaceProfiles(text, folderPath, folderName);
  let i = parsed.profiles.findIndex((p) => p.id === id);
  if (i < 0) i = parsed.profiles.findIndex((p) => p.id === id.replace(/(?:-ws)+$/, ''));
  if (i < 0) return undefined;
  const index = parsed.entries[i] as number;
  const root = parseWorkspaceTree(text);
  const list = root?.type === 'array' ? root : root ? jsonProperty(root, 'profiles')?.value : undefined;
  const items = list?.children ?? [];
  const node = items[index];
  if (!node) return undefined;
  const previous = index > 0 ? items[index - 1] : undefined;
  const next = items[index + 1];
  const ownLines = removeOnOwnLines(text, node, previous, next === undefined);
  if (ownLines) return ownLines;
  // Shares a line with other text: the entry and the comma that separates it from a neighbour.
  const end = node.offset + node.length;
  if (next) return [{ offset: node.offset, length: next.offset - node.offset, content: '' }];
  if (previous) return [{ offset: previous.offset + previous.length, length: end - previous.offset - previous.length, content: '' }];
  return [{ offset: node.offset, length: node.length, content: '' }];
}

const COMMENT_LINE = /^[ \t]*(?:\/\/.*|\/\*.*\*\/[ \t]*)$/;

function removeOnOwnLines(text: string, node: JsonNode, previous: JsonNode | undefined, last: boolean): Edit[] | undefined {
  let start = text.lastIndexOf('\n', node.offset - 1) + 1;
  if (!/^[ \t]*$/.test(text.slice(start, node.offset))) return undefined;
  let end = node.offset + node.length;
  const rest = /^[ \t]*,?[ \t]*(?:\r?\n|$)/.exec(text.slice(end));
  if (!rest) return undefined;
  end += rest[0].length;
  // Comment lines right above the entry describe it.
  while (start > 0) {
    const lineStart = text.lastIndexOf('\n', start - 2) + 1;
    const line = text.slice(lineStart, start).replace(/\r?\n$/, '');
    if (!COMMENT_LINE.test(line) || (previous && lineStart < previous.offset + previous.length)) break;
    start = lineStart;
  }
  const edits: Edit[] = [{ offset: start, length: end - start, content: '' }];
  // The last entry: the comma after the entry before it goes.
  if (last && previous) {
    const comma = /^\s*,/.exec(text.slice(previous.offset + previous.length));
    if (comma) edits.unshift({ offset: previous.offset + previous.length + comma[0].length - 1, length: 1, content: '' });
  }
  return edits;
}

/** The syntax tree of a redis-tls.json text with offsets, or undefined when it does not parse (yet). */
export function parseWorkspaceTree(text: string): JsonNode | undefined {
  try {
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, JSONC);
    return errors.length === 0 ? root : undefined;
  } catch {
    return undefined;
  }
}

/** A property of an object node: its key and value nodes. */
export interface JsonProperty {
  key: JsonNode;
  value: JsonNode;
}

export function jsonProperty(obj: JsonNode, name: string): JsonProperty | undefined {
  for (const p of obj.type === 'object' ? (obj.children ?? []) : []) {
    const [key, value] = p.children ?? [];
    if (key?.value === name && value) return { key, value };
  }
  return undefined;
}

/** The profile objects of a redis-tls.json tree ({ "profiles": [...] } or a bare array), as parseWorkspaceProfiles reads them. */
export function profileNodes(root: JsonNode | undefined): JsonNode[] {
  if (!root) return [];
  const list = root.type === 'array' ? root : jsonProperty(root, 'profiles')?.value;
  return (list?.type === 'array' ? (list.children ?? []) : []).filter((n) => n.type === 'object');
}

/** The profile object whose "id" or (else) "name" is the given one. */
export function findProfileNode(root: JsonNode | undefined, name: string, id?: string): JsonNode | undefined {
  const objects = profileNodes(root);
  return (
    objects.find((o) => id !== undefined && jsonProperty(o, 'id')?.value.value === id) ??
    objects.find((o) => jsonProperty(o, 'name')?.value.value === name)
  );
}

/**
 * A Sentinel section: `{ "service", "sentinels": ["host:port", ...], "tls", "servername", "caFile",
 * "certFile", "keyFile", "username", "passwordRequired", "replica" }` (paths only, never secrets).
 */
function sentinelField(raw: unknown, resolve: (p: string) => string): Pick<Profile, 'sentinel'> {
  if (typeof raw !== 'object' || raw === null) return {};
  const s = raw as Record<string, unknown>;
  const service = str(s.service);
  const sentinels = Array.isArray(s.sentinels)
    ? s.sentinels
        .map(str)
        .filter((x): x is string => x !== undefined)
        .slice(0, 32)
    : [];
  if (!service || sentinels.length === 0) return {};
  const caFile = str(s.caFile);
  const certFile = str(s.certFile);
  const keyFile = str(s.keyFile);
  const servername = str(s.servername);
  const username = str(s.username);
  return {
    sentinel: {
      service,
      sentinels,
      ...(typeof s.tls === 'boolean' ? { tls: s.tls } : {}),
      ...(servername ? { servername } : {}),
      ...(caFile ? { ca: { kind: 'file', path: resolve(caFile) } } : {}),
      ...(certFile && keyFile ? { client: { kind: 'files', certPath: resolve(certFile), keyPath: resolve(keyFile) } } : {}),
      ...(username ? { username } : {}),
      ...(s.passwordRequired === true ? { hasPassword: true } : {}),
      ...(s.replica === true ? { replica: true } : {}),
    },
  };
}

/** Cluster node naming from a shared profile: `clusterNaming`, `clusterNodeNames` (string -> string), `readFromReplicas`. */
function clusterFields(e: Record<string, unknown>): Pick<Profile, 'clusterNaming' | 'clusterNodeNames' | 'readFromReplicas'> {
  const naming =
    e.clusterNaming === 'seed' || e.clusterNaming === 'announced' || e.clusterNaming === 'mapping' ? e.clusterNaming : undefined;
  const raw = e.clusterNodeNames;
  const names =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? Object.fromEntries(
          Object.entries(raw as Record<string, unknown>)
            .filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1].trim() !== '')
            .slice(0, 256),
        )
      : undefined;
  return {
    ...(naming ? { clusterNaming: naming } : {}),
    ...(names && Object.keys(names).length ? { clusterNodeNames: names } : {}),
    ...(e.readFromReplicas === true ? { readFromReplicas: true } : {}),
  };
}
