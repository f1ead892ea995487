/**
 * Connection failures in the Problems panel. A failure of a profile from `.vscode/redis-tls.json`
 * sits on the field at fault (host/servername for a name mismatch, caFile for an unknown issuer,
 * certFile/keyFile/pfxFile for client identity problems) with the fix as its message and code
 * actions where one applies. Failures of user profiles appear under a `redis-tls:` resource.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { fetchPresentedChain } from '../core/tls/inspectionHandshake';
import type { DiagnosisCode, Problem, ProblemField } from '../core/diagnosis/problem';
import type { Profile } from '../core/profiles/profile';
import { findProfileNode, jsonProperty, parseWorkspaceTree, WORKSPACE_PROFILES_FILE, type JsonNode } from '../core/profiles/workspaceFile';

export const PROFILE_DIAGNOSTIC_SOURCE = 'Redis TLS connection';
/** Failures of profiles that live in no file are shown under this read-only document scheme. */
export const CONNECTION_PROBLEM_SCHEME = 'redis-tls-connection';

/** The keys of redis-tls.json that hold each problem field, in order of preference. */
const FIELD_KEYS: Record<ProblemField, string[]> = {
  host: ['host'],
  port: ['port', 'host'],
  servername: ['servername', 'host'],
  tls: ['tls', 'port', 'host'],
  ca: ['caFile', 'host'],
  cert: ['certFile', 'pfxFile'],
  key: ['keyFile', 'pfxFile', 'certFile'],
  passphrase: ['keyFile', 'pfxFile', 'encryptedKey'],
  username: ['username', 'passwordRequired'],
  password: ['passwordRequired', 'username'],
  tlsVersion: ['minTlsVersion', 'maxTlsVersion', 'tls'],
  pin: ['pinSha256', 'verify'],
};

const FALLBACK_FIELD: Partial<Record<DiagnosisCode, ProblemField>> = {
  HOSTNAME_MISMATCH: 'servername',
  HOST_NOT_FOUND: 'host',
  CONNECTION_REFUSED: 'port',
  NOT_TLS: 'tls',
  TLS_REQUIRED: 'tls',
  UNKNOWN_ISSUER: 'ca',
  UNTRUSTED_ROOT: 'ca',
  SELF_SIGNED: 'ca',
  CA_BUNDLE_INCOMPLETE: 'ca',
  CLIENT_CERT_REQUIRED: 'cert',
  CLIENT_CERT_UNTRUSTED: 'cert',
  CLIENT_CERT_REJECTED: 'cert',
  KEY_MISMATCH: 'key',
  KEY_PASSPHRASE: 'passphrase',
  TLS_VERSION_MISMATCH: 'tlsVersion',
};

/** "DNS:a.example", "IP Address:10.0.0.1", "a.example" -> the bare name. */
export function bareName(name: string): string {
  return name.replace(/^(DNS|IP Address|IP):\s*/i, '').trim();
}

/** Names a servername may be set to: DNS names without wildcards, then IP addresses. */
export function servernameCandidates(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names.map(bareName)) {
    if (!n || n.includes('*') || out.includes(n)) continue;
    out.push(n);
  }
  return out.slice(0, 5);
}

export interface Located {
  range: { start: number; end: number };
  key?: string;
  object: JsonNode;
}

/** Where the diagnostic for `field` goes inside the profile's object (offsets). */
export function locateField(
  text: string,
  profile: Pick<Profile, 'name'> & { fileId?: string },
  field: ProblemField | undefined,
): Located | undefined {
  const obj = findProfileNode(parseWorkspaceTree(text), profile.name, profile.fileId);
  if (!obj) return undefined;
  const span = (n: JsonNode): Located['range'] => ({ start: n.offset, end: n.offset + n.length });
  for (const key of field ? FIELD_KEYS[field] : []) {
    const p = jsonProperty(obj, key);
    if (p) return { range: span(p.value), key, object: obj };
  }
  const name = jsonProperty(obj, 'name');
  return name ? { range: span(name.value), key: 'name', object: obj } : { range: { start: obj.offset, end: obj.offset + 1 }, object: obj };
}

interface Failure {
  profile: Profile;
  problem: Problem;
  uri: vscode.Uri;
  /** Names on the server certificate (HOSTNAME_MISMATCH), from the problem facts or a probe. */
  certNames: string[];
  /** The problem's detail lists the certificate's names already (they came with the failure). */
  namesInDetail?: boolean;
  diagnostic?: vscode.Diagnostic;
}

class ProfileDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('redis-tls-connections');
  private readonly failures = new Map<string, Failure>();
  private generation = 0;

  constructor(private readonly container: Container) {}

  /** The read-only text behind a `redis-tls-connection:` problem entry. */
  describe(uri: vscode.Uri): string {
    const f = this.failures.get(uri.query);
    if (!f) return 'This connection has no recorded failure (it connected since, or was removed).\n';
    const p = f.problem;
    return [
      `Connection: ${f.profile.name} (${f.profile.host}:${f.profile.port})`,
      `Problem:    ${p.code}: ${p.title}`,
      '',
      p.detail,
      '',
      `Fix: ${p.fix}`,
      '',
      'Commands: "Redis TLS: Test Connection", "Redis TLS: Inspect Connection Certificate".',
      '',
    ].join('\n');
  }

  failedIds(): string[] {
    return [...this.failures.keys()];
  }

  async onState(profileId: string): Promise<void> {
    const state = this.container.sessions.state(profileId);
    const profile = this.container.profiles.get(profileId);
    if (!profile || state.kind === 'connected') {
      this.failures.delete(profileId);
    } else if (state.kind === 'failed') {
      const facts = state.problem.facts ?? {};
      const certNames = Array.isArray(facts.certNames) ? facts.certNames.filter((n): n is string => typeof n === 'string') : [];
      // Only a profile defined in a workspace file has a real resource to put the failure on; the
      // others are shown in the tree and the notification only (no made-up file in Problems).
      const uri = await this.fileFor(profile);
      if (!uri) {
        if (!this.failures.delete(profileId)) return;
        await this.publish();
        return;
      }
      this.failures.set(profileId, { profile, problem: state.problem, uri, certNames, namesInDetail: certNames.length > 0 });
      if (state.problem.code === 'HOSTNAME_MISMATCH' && certNames.length === 0) void this.probeNames(profileId);
    } else {
      return;
    }
    await this.publish();
  }

  /** The redis-tls.json that defines a workspace profile. */
  private async fileFor(profile: Profile): Promise<vscode.Uri | undefined> {
    if (profile.source !== 'workspace') return undefined;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, WORKSPACE_PROFILES_FILE);
      try {
        const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
        if (locateField(text, profile, undefined)) return uri;
      } catch {
        // no profile file in this folder
      }
    }
    return undefined;
  }

  /** A name mismatch without the names: read them from the certificate the server presents. */
  private async probeNames(profileId: string): Promise<void> {
    const failure = this.failures.get(profileId);
    if (!failure) return;
    const p = failure.profile;
    try {
      const probe = await fetchPresentedChain({ host: p.host, port: p.port, servername: p.servername, timeoutMs: 5000 });
      const leaf = probe.presented[0];
      failure.certNames = leaf.sans.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => n.value);
      if (failure.certNames.length === 0) failure.certNames = leaf.commonNames;
      if (this.failures.get(profileId) === failure) await this.publish();
    } catch {
      // the diagnostic stays without the name actions
    }
  }

  private async publish(): Promise<void> {
    const gen = ++this.generation;
    const byUri = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
    for (const f of this.failures.values()) {
      const field = f.problem.field ?? FALLBACK_FIELD[f.problem.code];
      let range = new vscode.Range(0, 0, 0, 0);
      if (f.uri.scheme !== CONNECTION_PROBLEM_SCHEME) {
        try {
          // An open document with unsaved edits is what the user sees; otherwise the file on disk
          // (a document cached from before the file was rewritten may not have caught up yet).
          const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === f.uri.toString());
          const text = open?.isDirty ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(f.uri)).toString('utf8');
          const loc = locateField(text, f.profile, field);
          if (loc) range = new vscode.Range(positionAt(text, loc.range.start), positionAt(text, loc.range.end));
        } catch {
          // keep the top of the file
        }
      }
      // The detail already names the certificate's names unless they were read afterwards (probeNames).
      const names =
        f.problem.code === 'HOSTNAME_MISMATCH' && f.certNames.length && !f.namesInDetail
          ? ` The certificate lists: ${f.certNames.map(bareName).join(', ')}.`
          : '';
      const d = new vscode.Diagnostic(
        range,
        `${f.profile.name}: ${f.problem.title}. ${f.problem.detail} Fix: ${f.problem.fix}${names}`,
        vscode.DiagnosticSeverity.Error,
      );
      d.source = PROFILE_DIAGNOSTIC_SOURCE;
      d.code = f.problem.code;
      f.diagnostic = d;
      const key = f.uri.toString();
      const entry = byUri.get(key) ?? { uri: f.uri, diags: [] };
      entry.diags.push(d);
      byUri.set(key, entry);
    }
    if (gen !== this.generation) return;
    this.collection.clear();
    for (const { uri, diags } of byUri.values()) this.collection.set(uri, diags);
  }

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== PROFILE_DIAGNOSTIC_SOURCE) continue;
      const failure = [...this.failures.values()].find(
        (f) =>
          f.diagnostic === d ||
          (f.uri.toString() === doc.uri.toString() && f.problem.code === d.code && d.message.startsWith(`${f.profile.name}:`)),
      );
      if (!failure) continue;
      if (failure.problem.code === 'HOSTNAME_MISMATCH') {
        for (const name of servernameCandidates(failure.certNames)) {
          const edit = servernameEdit(doc, failure.profile, name);
          if (!edit) continue;
          const action = new vscode.CodeAction(
            `Set "servername" to ${name} (a name the certificate lists)`,
            vscode.CodeActionKind.QuickFix,
          );
          action.edit = edit;
          action.diagnostics = [d];
          action.isPreferred = actions.length === 0;
          actions.push(action);
        }
      }
      const field = failure.problem.field ?? FALLBACK_FIELD[failure.problem.code];
      if (field === 'ca' && failure.profile.source === 'workspace') {
        const choose = new vscode.CodeAction(`Choose the CA file for "${failure.profile.name}"…`, vscode.CodeActionKind.QuickFix);
        choose.command = { title: 'Choose CA file', command: CHOOSE_CA_COMMAND, arguments: [doc.uri, failure.profile.name] };
        choose.diagnostics = [d];
        actions.push(choose);
      }
      const client = failure.profile.client;
      if ((field === 'cert' || field === 'key' || field === 'passphrase') && (client.kind === 'files' || client.kind === 'pfx')) {
        const target = client.kind === 'files' ? client.certPath : client.path;
        const inspectClient = new vscode.CodeAction('Inspect the client certificate', vscode.CodeActionKind.QuickFix);
        inspectClient.command = {
          title: 'Inspect the client certificate',
          command: 'redisTls.inspectCertificateFile',
          arguments: [vscode.Uri.file(target)],
        };
        inspectClient.diagnostics = [d];
        actions.push(inspectClient);
      }
      if (failure.profile.tls) {
        const inspect = new vscode.CodeAction('Inspect the server certificate', vscode.CodeActionKind.QuickFix);
        inspect.command = {
          title: 'Inspect the server certificate',
          command: 'redisTls.inspectConnectionCertificate',
          arguments: [failure.profile.id],
        };
        inspect.diagnostics = [d];
        actions.push(inspect);
      }
      const retry = new vscode.CodeAction('Test the connection again', vscode.CodeActionKind.QuickFix);
      retry.command = { title: 'Test the connection again', command: 'redisTls.testConnection', arguments: [failure.profile.id] };
      retry.diagnostics = [d];
      actions.push(retry);
    }
    return actions;
  }

  dispose(): void {
    this.collection.dispose();
    this.failures.clear();
  }
}

/** Replaces (or inserts after "host") one string property of a profile object in redis-tls.json. */
export function profilePropertyEdit(
  doc: vscode.TextDocument,
  profileName: string,
  key: string,
  text: string,
): vscode.WorkspaceEdit | undefined {
  const obj = findProfileNode(parseWorkspaceTree(doc.getText()), profileName);
  if (!obj) return undefined;
  const edit = new vscode.WorkspaceEdit();
  const existing = jsonProperty(obj, key);
  const value = JSON.stringify(text);
  if (existing) {
    const v = existing.value;
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(v.offset), doc.positionAt(v.offset + v.length)), value);
    return edit;
  }
  const first = obj.children?.[0]?.children;
  const anchor = jsonProperty(obj, 'host') ?? (first?.[0] && first[1] ? { key: first[0], value: first[1] } : undefined);
  if (!anchor) {
    edit.insert(doc.uri, doc.positionAt(obj.offset + 1), ` ${JSON.stringify(key)}: ${value} `);
    return edit;
  }
  // After the "host" property, on its own line with the same indentation when the file is laid out so.
  const anchorPos = doc.positionAt(anchor.key.offset);
  const indent = doc.lineAt(anchorPos.line).text.slice(0, anchorPos.character);
  const onOwnLine = /^\s*$/.test(indent);
  edit.insert(
    doc.uri,
    doc.positionAt(anchor.value.offset + anchor.value.length),
    onOwnLine ? `,\n${indent}${JSON.stringify(key)}: ${value}` : `, ${JSON.stringify(key)}: ${value}`,
  );
  return edit;
}

export function servernameEdit(doc: vscode.TextDocument, profile: Profile, name: string): vscode.WorkspaceEdit | undefined {
  return profilePropertyEdit(doc, profile.name, 'servername', name);
}

const CHOOSE_CA_COMMAND = 'redisTls.chooseCaFileForWorkspaceProfile';

/** Code action target: pick a CA file and write it (relative to the folder when inside it) as "caFile". */
async function chooseCaFile(fileUri: vscode.Uri, profileName: string): Promise<boolean> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Use as CA',
    title: `CA certificate for ${profileName}`,
    filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] },
  });
  if (!picked?.[0]) return false;
  const folder = vscode.workspace.getWorkspaceFolder(fileUri);
  let value = picked[0].fsPath;
  if (folder) {
    const rel = path.relative(folder.uri.fsPath, value);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) value = rel.split(path.sep).join('/');
  }
  const doc = await vscode.workspace.openTextDocument(fileUri);
  const edit = profilePropertyEdit(doc, profileName, 'caFile', value);
  return edit ? vscode.workspace.applyEdit(edit) : false;
}

/** The position of a character offset in text, as TextDocument.positionAt counts it. */
function positionAt(text: string, offset: number): vscode.Position {
  const before = text.slice(0, offset);
  const lineStart = Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r')) + 1;
  const line = (before.match(/\r\n|\r|\n/g) ?? []).length;
  return new vscode.Position(line, offset - lineStart);
}

export function registerProfileDiagnostics(container: Container): void {
  const diagnostics = container.own(new ProfileDiagnostics(container));
  container.own(container.sessions.onDidChangeState((id) => void diagnostics.onState(id)));
  container.own(
    container.profiles.onDidChange(() => {
      const ids = new Set([...container.profiles.list().map((p) => p.id), ...diagnostics.failedIds()]);
      for (const id of ids) void diagnostics.onState(id);
    }),
  );
  container.own(
    vscode.commands.registerCommand(CHOOSE_CA_COMMAND, (fileUri: vscode.Uri, profileName: string) => chooseCaFile(fileUri, profileName)),
  );
  container.own(
    vscode.workspace.registerTextDocumentContentProvider(CONNECTION_PROBLEM_SCHEME, {
      provideTextDocumentContent: (uri) => diagnostics.describe(uri),
    }),
  );
  container.own(
    vscode.languages.registerCodeActionsProvider({ pattern: `**/${WORKSPACE_PROFILES_FILE}` }, diagnostics, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  );
}
