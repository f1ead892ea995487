/**
 * redis.conf in the editor: language detection for *.conf files that look like Redis configuration,
 * hovers and completion from the tls-* catalogue, diagnostics with quick fixes from the core rules
 * (the same module as `redis-tls check-conf`), and an "Inspect certificate" CodeLens per file directive.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import {
  checkServerConf,
  directiveHoverMarkdown,
  RELATED_DIRECTIVES,
  TLS_DIRECTIVES,
  tlsDirective,
  type CheckConfResult,
  type ConfFinding,
} from '../core/serverConf';

export const REDIS_CONF_LANGUAGE = 'redis-conf';
const SOURCE = 'redis-tls';
/** Lines that only a Redis configuration has: a *.conf file with two of them becomes redis-conf. */
const REDIS_CONF_HINT =
  /^\s*(tls-[a-z-]+|port|bind|requirepass|appendonly|save|maxmemory|replicaof|slaveof|cluster-enabled|protected-mode|daemonize|databases|sentinel)\s/gim;
const GENERIC_LANGUAGES = new Set(['plaintext', 'properties', 'ini', 'conf']);

interface DocState {
  version: number;
  result: CheckConfResult;
  findings: Array<{ finding: ConfFinding; range: vscode.Range }>;
}

/** Where redis-server is assumed to start, and how to say so. */
export function assumedWorkingDir(uri: vscode.Uri): { dir: string; label: string } {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder && folder.uri.scheme === 'file')
    return { dir: folder.uri.fsPath, label: "the workspace folder (assumed to be redis-server's working directory)" };
  return { dir: path.dirname(uri.fsPath), label: "the file's folder (assumed to be redis-server's working directory)" };
}

function severityOf(s: ConfFinding['severity']): vscode.DiagnosticSeverity {
  return s === 'error'
    ? vscode.DiagnosticSeverity.Error
    : s === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

export class RedisConfEditor implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('redis-conf');
  private readonly states = new Map<string, DocState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  /** Resolves when the document's current version has been checked (in-host tests wait on it). */
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(private readonly container: Container) {
    const selector: vscode.DocumentSelector = { language: REDIS_CONF_LANGUAGE };
    this.disposables.push(
      this.diagnostics,
      this.lensesChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.onOpen(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      container.config.onDidChange(['expiryWarningDays'], () => this.recheckAll()),
      vscode.languages.registerHoverProvider(selector, { provideHover: (d, p) => this.hover(d, p) }),
      vscode.languages.registerCompletionItemProvider(selector, { provideCompletionItems: (d, p) => this.complete(d, p) }, ' ', '-'),
      vscode.languages.registerCodeActionsProvider(
        selector,
        { provideCodeActions: (d, _r, ctx) => this.codeActions(d, ctx) },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
      vscode.languages.registerCodeLensProvider(selector, {
        provideCodeLenses: (d) => this.codeLenses(d),
        onDidChangeCodeLenses: this.lensesChanged.event,
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.onOpen(d);
  }

  private onOpen(d: vscode.TextDocument): void {
    if (d.languageId === REDIS_CONF_LANGUAGE) {
      this.schedule(d, 0);
      return;
    }
    if (d.uri.scheme !== 'file' || !d.fileName.endsWith('.conf') || !GENERIC_LANGUAGES.has(d.languageId)) return;
    const hints = d.getText(new vscode.Range(0, 0, Math.min(d.lineCount, 400), 0)).match(REDIS_CONF_HINT);
    if ((hints?.length ?? 0) >= 2) void vscode.languages.setTextDocumentLanguage(d, REDIS_CONF_LANGUAGE);
  }

  private schedule(d: vscode.TextDocument, delayMs = 300): void {
    if (d.languageId !== REDIS_CONF_LANGUAGE) return;
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(d).catch((e: unknown) =>
          this.container.log.warn(`redis.conf check failed: ${e instanceof Error ? e.message : 'unknown error'}`),
        );
      }, delayMs),
    );
  }

  private recheckAll(): void {
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private forget(d: vscode.TextDocument): void {
    const key = d.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
    this.diagnostics.delete(d.uri);
  }

  /** Checks the document now and publishes its diagnostics. */
  async check(d: vscode.TextDocument): Promise<readonly vscode.Diagnostic[]> {
    const version = d.version;
    const { dir, label } = assumedWorkingDir(d.uri);
    const file = d.uri.scheme === 'file' ? d.uri.fsPath : undefined;
    const result = await checkServerConf({
      text: d.getText(),
      ...(file ? { file } : {}),
      workingDir: dir,
      workingDirLabel: label,
      warnDays: this.container.config.expiryWarningDays,
    });
    if (d.isClosed || d.version !== version) return this.diagnostics.get(d.uri) ?? [];
    const findings: DocState['findings'] = [];
    const includeLines = result.directives.filter((x) => x.name === 'include' && (x.file === file || x.file === undefined));
    for (const f of result.findings) {
      if (f.file === undefined || f.file === file) {
        const line = Math.min(f.line, d.lineCount - 1);
        findings.push({ finding: f, range: new vscode.Range(line, f.start, line, Math.max(f.end, f.start + 1)) });
      } else {
        // A finding inside an included file: shown on the include line of this file.
        const inc = includeLines[0];
        if (!inc) continue;
        const text = `${path.basename(f.file)}:${f.line + 1}: ${f.message}`;
        findings.push({
          finding: { ...f, message: text, fix: f.fix ? { title: f.fix.title } : undefined },
          range: new vscode.Range(inc.line, inc.nameStart, inc.line, d.lineAt(inc.line).range.end.character),
        });
      }
    }
    this.states.set(d.uri.toString(), { version, result, findings });
    const diags = findings.map(({ finding, range }) => {
      const diag = new vscode.Diagnostic(range, finding.message, severityOf(finding.severity));
      diag.source = SOURCE;
      diag.code = finding.code;
      return diag;
    });
    this.diagnostics.set(d.uri, diags);
    this.lensesChanged.fire();
    for (const w of this.waiters.get(d.uri.toString()) ?? []) w();
    this.waiters.delete(d.uri.toString());
    return diags;
  }

  /** The diagnostics once the document's current text has been checked. */
  whenChecked(d: vscode.TextDocument): Promise<readonly vscode.Diagnostic[]> {
    const state = this.states.get(d.uri.toString());
    if (state && state.version === d.version) return Promise.resolve(this.diagnostics.get(d.uri) ?? []);
    return new Promise((resolve) => {
      const key = d.uri.toString();
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), () => resolve(this.diagnostics.get(d.uri) ?? [])]);
      this.schedule(d, 0);
    });
  }

  private hover(d: vscode.TextDocument, p: vscode.Position): vscode.Hover | undefined {
    const range = d.getWordRangeAtPosition(p, /[A-Za-z][A-Za-z0-9-]*/);
    if (!range) return undefined;
    const before = d.lineAt(p.line).text.slice(0, range.start.character);
    if (before.trim() !== '') return undefined;
    const word = d.getText(range).toLowerCase();
    const info = tlsDirective(word);
    if (info) return new vscode.Hover(new vscode.MarkdownString(directiveHoverMarkdown(info)), range);
    const related = RELATED_DIRECTIVES[word];
    return related ? new vscode.Hover(new vscode.MarkdownString(`**${word}**\n\n${related}`), range) : undefined;
  }

  private complete(d: vscode.TextDocument, p: vscode.Position): vscode.CompletionItem[] {
    const before = d.lineAt(p.line).text.slice(0, p.character);
    if (/^\s*[A-Za-z-]*$/.test(before)) {
      return TLS_DIRECTIVES.map((info) => {
        const item = new vscode.CompletionItem(info.name, vscode.CompletionItemKind.Property);
        item.detail = `default: ${info.defaultText}`;
        item.documentation = new vscode.MarkdownString(directiveHoverMarkdown(info));
        item.insertText = `${info.name} `;
        item.command = info.values ? { command: 'editor.action.triggerSuggest', title: 'Values' } : undefined;
        return item;
      });
    }
    const m = /^\s*(tls-[a-z-]+)\s+("?[^"]*)$/i.exec(before);
    const info = m ? tlsDirective(m[1]) : undefined;
    if (!m || !info?.values) return [];
    const typed = m[2];
    const start = p.translate(0, -typed.length);
    return info.values.map((v, i) => {
      const item = new vscode.CompletionItem(v, vscode.CompletionItemKind.Value);
      item.range = new vscode.Range(start, p);
      item.sortText = String(i).padStart(2, '0');
      item.detail = info.name;
      return item;
    });
  }

  private codeActions(d: vscode.TextDocument, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const state = this.states.get(d.uri.toString());
    if (!state) return [];
    const out: vscode.CodeAction[] = [];
    for (const diag of ctx.diagnostics) {
      if (diag.source !== SOURCE) continue;
      const hit = state.findings.find((f) => f.finding.code === diag.code && f.range.isEqual(diag.range));
      const edits = hit?.finding.fix?.edits;
      if (!hit || !edits?.length || (hit.finding.file !== undefined && d.uri.scheme === 'file' && hit.finding.file !== d.uri.fsPath))
        continue;
      const action = new vscode.CodeAction(hit.finding.fix?.title ?? 'Fix', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.isPreferred = edits.length > 0;
      action.edit = new vscode.WorkspaceEdit();
      for (const e of edits) action.edit.replace(d.uri, new vscode.Range(e.line, e.start, e.line, e.end), e.newText);
      out.push(action);
    }
    return out;
  }

  private codeLenses(d: vscode.TextDocument): vscode.CodeLens[] {
    const state = this.states.get(d.uri.toString());
    if (!state) return [];
    const unreadable = new Set(
      state.result.findings.filter((f) => f.code === 'FILE_NOT_FOUND' || f.code === 'FILE_UNREADABLE').map((f) => f.path),
    );
    return state.result.files
      .filter((f) => (f.role === 'server-cert' || f.role === 'client-cert' || f.role === 'ca') && !unreadable.has(f.path))
      .map(
        (f) =>
          new vscode.CodeLens(new vscode.Range(f.directive.line, 0, f.directive.line, 0), {
            title: 'Inspect certificate',
            tooltip: f.path,
            command: 'redisTls.inspectCertificateFile',
            arguments: [vscode.Uri.file(f.path)],
          }),
      );
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
