/**
 * "Audit TLS Posture": runs the core audit against a connection's endpoint and shows it in its own
 * panel, with the CSP and textContent rules of every panel (src/webviews/html.ts): the page holds no
 * data until it says `ready`, and every message out is checked for secrets by construction (the
 * audit result carries no password, key or passphrase).
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { auditEndpoint, type AuditResult } from '../core/audit';
import { targetId, type Target } from '../commands/target';
import { buildPage, WEBVIEW_SCRIPT_DIR } from '../webviews/html';
import type { ToAuditPanel } from '../webviews/panel/auditPanel';

export const AUDIT_COMMAND = 'redisTls.auditTlsPosture';

export interface AuditCommandOptions {
  /** The plaintext port to look at (default 6379; null: do not look). */
  plaintextPort?: number | null;
  pingSamples?: number;
}

export class AuditPanel implements vscode.Disposable {
  static latest: AuditPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;

  constructor(
    container: Container,
    readonly panel: vscode.WebviewPanel,
    private result: AuditResult | { error: string } | undefined,
  ) {
    AuditPanel.latest = this;
    panel.webview.html = buildPage({
      webview: panel.webview,
      extensionUri: container.context.extensionUri,
      script: 'auditPanel.js',
      style: 'auditPanel.css',
      title: 'TLS posture',
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'ready') {
          this.ready = true;
          void this.post();
        }
      }),
    );
  }

  show(result: AuditResult | { error: string }): void {
    this.result = result;
    this.panel.reveal();
    void this.post();
  }

  get current(): AuditResult | { error: string } | undefined {
    return this.result;
  }

  private async post(): Promise<void> {
    if (!this.ready || this.disposed || !this.result) return;
    const message: ToAuditPanel =
      'error' in this.result ? { type: 'status', text: this.result.error, error: true } : { type: 'audit', result: this.result };
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (AuditPanel.latest === this) AuditPanel.latest = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Registers "Audit TLS Posture" (tree context menu and palette). Returns the result for tests. */
export function registerAuditCommand(container: Container): vscode.Disposable {
  const panels = new Map<string, AuditPanel>();
  return vscode.commands.registerCommand(
    AUDIT_COMMAND,
    async (arg?: Target, opts?: AuditCommandOptions): Promise<AuditResult | undefined> => {
      let id = targetId(arg);
      if (!id) {
        const profiles = container.profiles.list().filter((p) => p.tls);
        const pick = await container.ui.showQuickPick(
          profiles.map((p) => ({ label: p.name, description: `${p.host}:${p.port}`, id: p.id })),
          { title: 'Audit TLS Posture', placeHolder: 'Which connection?' },
        );
        id = pick?.id;
      }
      const profile = id ? container.profiles.get(id) : undefined;
      if (!profile) return undefined;
      if (!profile.tls) {
        void vscode.window.showInformationMessage(`${profile.name} does not use TLS: there is no TLS posture to audit.`);
        return undefined;
      }
      const options = await container.sessions.resolveOptions(profile, true);
      let panel = panels.get(profile.id);
      if (!panel) {
        const webview = vscode.window.createWebviewPanel('redisTls.audit', `TLS posture: ${profile.name}`, vscode.ViewColumn.Active, {
          enableScripts: true,
          enableCommandUris: false,
          retainContextWhenHidden: false,
          localResourceRoots: [
            vscode.Uri.joinPath(container.context.extensionUri, 'media'),
            vscode.Uri.joinPath(container.context.extensionUri, ...WEBVIEW_SCRIPT_DIR),
          ],
        });
        const created = new AuditPanel(container, webview, undefined);
        panels.set(profile.id, created);
        webview.onDidDispose(() => panels.delete(profile.id));
        container.own(created);
        panel = created;
      }
      const shown = panel;
      const result = await vscode.window
        .withProgress({ location: vscode.ProgressLocation.Notification, title: `Auditing the TLS posture of ${profile.name}…` }, () =>
          auditEndpoint({
            connection: options,
            plaintextPort: opts?.plaintextPort === undefined ? 6379 : opts.plaintextPort,
            ...(opts?.pingSamples ? { pingSamples: opts.pingSamples } : {}),
            warnDays: container.config.expiryWarningDays,
          }),
        )
        .then(
          (r) => r,
          (e: unknown) => ({ error: e instanceof Error ? e.message : 'The audit failed.' }),
        );
      shown.show(result);
      container.log.info(`Audit TLS Posture: ${profile.name}: ${'error' in result ? 'failed' : `${result.findings.length} finding(s)`}`);
      return 'error' in result ? undefined : result;
    },
  );
}
