/**
 * Findings on certificate and key files in the workspace (.pem .crt .cer .key): diagnostics on each
 * block's BEGIN..END lines, a hover with the certificate's details, and an "Inspect certificate"
 * CodeLens above every certificate.
 */
import * as vscode from 'vscode';
import { PlainMarkdown } from '../platform/plainMarkdown';
import type { Container } from '../container';
import { analyzeCertificateFile, describeValidity, type BlockAnalysis, type FileAnalysis, type Severity } from '../core/certs';
import type { Config } from '../platform/config';

export const CERT_FILE_GLOB = '**/*.{pem,crt,cer,key,PEM,CRT,CER,KEY}';
const CERT_FILE = /\.(pem|crt|cer|key)$/i;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_WORKSPACE_FILES = 500;
export const CERT_DIAGNOSTIC_SOURCE = 'Redis TLS';

export function isCertificateFile(uri: vscode.Uri): boolean {
  return (uri.scheme === 'file' || uri.scheme === 'vscode-remote' || uri.scheme === 'untitled') && CERT_FILE.test(uri.path);
}

function severity(s: Severity): vscode.DiagnosticSeverity {
  return s === 'error'
    ? vscode.DiagnosticSeverity.Error
    : s === 'warning'
      ? vscode.DiagnosticSeverity.Warning
      : vscode.DiagnosticSeverity.Information;
}

function blockRange(block: BlockAnalysis, lineCount?: number): vscode.Range {
  const end = lineCount !== undefined ? Math.min(block.endLine, Math.max(0, lineCount - 1)) : block.endLine;
  // "-----END CERTIFICATE-----" is at most ~40 characters; the range is clamped by the editor.
  return new vscode.Range(block.startLine, 0, end, 64);
}

export function diagnosticsFor(analysis: FileAnalysis, lineCount?: number): vscode.Diagnostic[] {
  const out: vscode.Diagnostic[] = [];
  for (const block of analysis.blocks) {
    for (const f of block.findings) {
      const cn = block.cert ? (block.cert.commonNames[0] ?? block.cert.subject) : '';
      const who = cn && !f.title.includes(cn) ? ` [${cn}]` : '';
      const d = new vscode.Diagnostic(
        blockRange(block, lineCount),
        `${f.title}${who}: ${f.detail}${f.fix ? ` Fix: ${f.fix}` : ''}`,
        severity(f.severity),
      );
      d.source = CERT_DIAGNOSTIC_SOURCE;
      d.code = f.code ? `${f.id} (${f.code})` : f.id;
      out.push(d);
    }
  }
  return out;
}

class CertificateFileIndex implements vscode.HoverProvider, vscode.CodeLensProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('redis-tls-certificates');
  private readonly cache = new Map<string, { version: number; analysis: FileAnalysis }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;

  constructor(private readonly config: Config) {}

  analyzeDocument(doc: vscode.TextDocument): FileAnalysis {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const analysis = analyzeCertificateFile(doc.getText(), { warnDays: this.config.expiryWarningDays }, doc.uri.fsPath);
    this.cache.set(key, { version: doc.version, analysis });
    this.collection.set(doc.uri, diagnosticsFor(analysis, doc.lineCount));
    return analysis;
  }

  schedule(doc: vscode.TextDocument): void {
    if (!isCertificateFile(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.analyzeDocument(doc);
        this.lensEmitter.fire();
      }, 250),
    );
  }

  async analyzeFile(uri: vscode.Uri): Promise<void> {
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return;
    try {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_FILE_BYTES) return;
      const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
      const analysis = analyzeCertificateFile(bytes, { warnDays: this.config.expiryWarningDays }, uri.fsPath);
      this.collection.set(uri, diagnosticsFor(analysis));
    } catch {
      this.collection.delete(uri);
    }
  }

  async scanWorkspace(): Promise<void> {
    const files = await vscode.workspace.findFiles(CERT_FILE_GLOB, '**/node_modules/**', MAX_WORKSPACE_FILES);
    for (const f of files) await this.analyzeFile(f);
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const analysis = this.analyzeDocument(doc);
    const block = analysis.blocks.find((b) => position.line >= b.startLine && position.line <= b.endLine);
    if (!block) return undefined;
    const md = new PlainMarkdown();
    if (block.cert) {
      const s = block.cert.summary();
      const line = (label: string, value: string): void => {
        md.appendMarkdown(`**${label}:** `);
        md.appendText(value);
        md.appendMarkdown('  \n');
      };
      line('Subject', s.subject);
      line('Issuer', s.issuer);
      line('SANs', s.sans.length ? s.sans.map((n) => `${n.type.toUpperCase()}:${n.value}`).join(', ') : 'none');
      line('Validity', describeValidity(block.cert));
      line('Key', s.publicKey);
      line('Signature', s.signatureAlgorithm);
      line('CA', s.isCA ? `yes${s.pathLength !== undefined ? `, path length ≤ ${s.pathLength}` : ''}` : 'no');
      if (s.extendedKeyUsage.length) line('Extended key usage', s.extendedKeyUsage.join(', '));
      line('SHA-256', s.sha256);
    } else {
      md.appendMarkdown(`**${block.kind === 'key' ? 'Private key' : 'PEM block'}:** `);
      md.appendText(block.label);
      md.appendMarkdown('  \n');
    }
    for (const f of block.findings) {
      md.appendMarkdown(f.severity === 'error' ? '\n$(error) ' : f.severity === 'warning' ? '\n$(warning) ' : '\n$(info) ');
      md.appendText(`${f.title}. ${f.detail}${f.fix ? ` Fix: ${f.fix}` : ''}`);
      md.appendMarkdown('  \n');
    }
    md.supportThemeIcons = true;
    return new vscode.Hover(md, new vscode.Range(block.startLine, 0, block.endLine, 64));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const analysis = this.analyzeDocument(doc);
    const lenses: vscode.CodeLens[] = [];
    let index = 0;
    for (const block of analysis.blocks) {
      if (block.kind !== 'certificate' || !block.cert) continue;
      const problems = block.findings.filter((f) => f.severity !== 'info').length;
      lenses.push(
        new vscode.CodeLens(new vscode.Range(block.startLine, 0, block.startLine, 0), {
          title: `Inspect certificate${problems ? ` (${problems} finding${problems === 1 ? '' : 's'})` : ''}`,
          command: 'redisTls.inspectCertificateFile',
          arguments: [doc.uri, index],
        }),
      );
      index++;
    }
    return lenses;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
    this.collection.delete(uri);
  }

  refreshAll(): void {
    this.cache.clear();
    for (const doc of vscode.workspace.textDocuments) if (isCertificateFile(doc.uri)) this.analyzeDocument(doc);
    void this.scanWorkspace();
    this.lensEmitter.fire();
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.collection.dispose();
    this.lensEmitter.dispose();
  }
}

/** The index is exposed for in-host tests. */
export let certificateFileIndex: CertificateFileIndex | undefined;

export function registerCertificateDiagnostics(container: Container): void {
  const index = container.own(new CertificateFileIndex(container.config));
  certificateFileIndex = index;
  const selector: vscode.DocumentSelector = [
    { scheme: 'file', pattern: CERT_FILE_GLOB },
    { scheme: 'vscode-remote', pattern: CERT_FILE_GLOB },
    { scheme: 'untitled', pattern: CERT_FILE_GLOB },
  ];
  container.own(vscode.languages.registerHoverProvider(selector, index));
  container.own(vscode.languages.registerCodeLensProvider(selector, index));
  container.own(vscode.workspace.onDidOpenTextDocument((d) => index.schedule(d)));
  container.own(vscode.workspace.onDidChangeTextDocument((e) => index.schedule(e.document)));
  container.own(
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (isCertificateFile(d.uri)) void index.analyzeFile(d.uri);
    }),
  );
  container.own(container.config.onDidChange(['expiryWarningDays'], () => index.refreshAll()));
  const watcher = container.own(vscode.workspace.createFileSystemWatcher(CERT_FILE_GLOB));
  container.own(watcher.onDidCreate((u) => void index.analyzeFile(u)));
  container.own(watcher.onDidChange((u) => void index.analyzeFile(u)));
  container.own(watcher.onDidDelete((u) => index.forget(u)));
  for (const doc of vscode.workspace.textDocuments) index.schedule(doc);
  void index.scanWorkspace().catch((e: unknown) => container.log.warn(`Certificate scan failed: ${e instanceof Error ? e.name : 'error'}`));
}
