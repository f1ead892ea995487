import * as vscode from 'vscode';
import type { Container } from '../container';
import { completeWalkthroughStep } from '../platform/walkthrough';
import { buildPage, WEBVIEW_SCRIPT_DIR } from './html';
import { assertNoSecrets, parseFromPanel, type AuditView, type FromPanel, type PanelModel, type ToPanel } from './certProtocol';

export const USE_CA_COMMAND = 'redisTls.useCaInProfile';
/** "Audit TLS Posture" (src/serverConf/auditCommand.ts): its result is a section of the connection's certificate panel. */
export const AUDIT_COMMAND = 'redisTls.auditTlsPosture';
const CONNECTION_KEY = 'connection:';

/** The panel key of a connection profile's certificate panel. */
export function connectionPanelKey(profileId: string): string {
  return `${CONNECTION_KEY}${profileId}`;
}

/**
 * The certificate inspection panel. One panel per inspected subject (a connection, a file, a
 * host:port); opening the same subject again reveals and refreshes it. The page holds no data until
 * it says `ready`; every message in is validated, every message out is checked for secrets.
 */
export class CertificatePanel implements vscode.Disposable {
  static readonly viewType = 'redisTls.certificate';
  private static readonly open = new Map<string, CertificatePanel>();
  /** The most recently shown panel (used by in-host tests). */
  static latest: CertificatePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private model: PanelModel | undefined;
  /** The last TLS posture audit of a connection's panel (its own section, below the chain). */
  private audit: AuditView | undefined;
  private ready = false;
  private disposed = false;
  /** Resolves when the current load is shown (undefined when it failed; the panel says why). */
  shown: Promise<PanelModel | undefined>;
  private resolveShown!: (m: PanelModel | undefined) => void;

  static show(container: Container, key: string, title: string, load: () => Promise<PanelModel>): CertificatePanel {
    // A certificate panel opened, however its command was run: the walkthrough's "Inspect a certificate".
    completeWalkthroughStep('inspect');
    const existing = CertificatePanel.open.get(key);
    if (existing && !existing.disposed) {
      existing.load = load;
      existing.shown = existing.nextShown();
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CertificatePanel.viewType, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(container.context.extensionUri, 'media'),
        vscode.Uri.joinPath(container.context.extensionUri, ...WEBVIEW_SCRIPT_DIR),
      ],
    });
    const created = new CertificatePanel(container, key, panel, load);
    CertificatePanel.open.set(key, created);
    container.own(created);
    return created;
  }

  private constructor(
    container: Container,
    private readonly key: string,
    readonly panel: vscode.WebviewPanel,
    private load: () => Promise<PanelModel>,
  ) {
    CertificatePanel.latest = this;
    this.shown = this.nextShown();
    panel.iconPath = vscode.Uri.joinPath(container.context.extensionUri, 'media', 'redis-tls.svg');
    panel.webview.html = buildPage({
      webview: panel.webview,
      extensionUri: container.context.extensionUri,
      script: 'certPanel.js',
      style: 'certPanel.css',
      title: 'Certificate',
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseFromPanel(raw);
        if (!msg) {
          container.log.warn('Certificate panel: ignored an invalid message from the webview');
          return;
        }
        void this.handle(msg).catch((e: unknown) =>
          this.post({ type: 'status', text: e instanceof Error ? e.message : 'The action failed.', error: true }),
        );
      }),
    );
  }

  private nextShown(): Promise<PanelModel | undefined> {
    return new Promise((resolve) => {
      this.resolveShown = resolve;
    });
  }

  get currentModel(): PanelModel | undefined {
    return this.model;
  }

  get currentAudit(): AuditView | undefined {
    return this.audit;
  }

  /** The open panel of a connection, if any. */
  static ofConnection(profileId: string): CertificatePanel | undefined {
    const p = CertificatePanel.open.get(connectionPanelKey(profileId));
    return p && !p.disposed ? p : undefined;
  }

  /** Shows the connection's TLS posture audit (running, failed or done) as the panel's audit section. */
  async showAudit(audit: AuditView): Promise<void> {
    if (this.disposed) return;
    this.audit = audit;
    this.panel.reveal();
    if (this.ready) await this.post({ type: 'audit', audit });
  }

  async refresh(): Promise<void> {
    if (!this.ready) return;
    await this.post({ type: 'status', text: 'Inspecting…' });
    try {
      this.model = await this.load();
    } catch (e) {
      const text = e instanceof Error ? e.message : 'Inspection failed.';
      await this.post({ type: 'status', text, error: true });
      this.resolveShown(undefined);
      return;
    }
    this.panel.title = this.model.title;
    await this.post({ type: 'show', model: this.model });
    this.resolveShown(this.model);
  }

  private async post(message: ToPanel): Promise<void> {
    if (this.disposed) return;
    assertNoSecrets(message);
    await this.panel.webview.postMessage(message);
  }

  private pemAt(position: number): string | undefined {
    return this.model?.links.find((l) => l.position === position)?.cert.pem;
  }

  private async handle(msg: FromPanel): Promise<void> {
    switch (msg.type) {
      case 'ready':
        // A page reloaded after being hidden gets the model it had; the first load inspects.
        this.ready = true;
        if (this.audit) await this.post({ type: 'audit', audit: this.audit });
        if (this.model) await this.post({ type: 'show', model: this.model });
        else await this.refresh();
        return;
      case 'audit':
        if (this.key.startsWith(CONNECTION_KEY)) await vscode.commands.executeCommand(AUDIT_COMMAND, this.key.slice(CONNECTION_KEY.length));
        return;
      case 'refresh':
        this.shown = this.nextShown();
        await this.refresh();
        return;
      case 'copyPem': {
        const pem = this.pemAt(msg.position);
        if (!pem) return;
        await vscode.env.clipboard.writeText(pem);
        await this.post({ type: 'status', text: 'PEM copied to the clipboard.' });
        return;
      }
      case 'copyFingerprint': {
        const fp = this.model?.links.find((l) => l.position === msg.position)?.cert.sha256;
        if (!fp) return;
        await vscode.env.clipboard.writeText(fp);
        await this.post({ type: 'status', text: 'SHA-256 fingerprint copied to the clipboard.' });
        return;
      }
      case 'saveChain': {
        if (!this.model || this.model.links.length === 0 || this.model.links.some((l) => !l.cert.pem)) {
          await this.post({ type: 'status', text: 'No PEM to save: the chain could not be read again.', error: true });
          return;
        }
        const pem = this.model.links.map((l) => l.cert.pem).join('');
        const base = (this.model.links[0].cert.commonName ?? 'certificate').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'certificate';
        const target = await vscode.window.showSaveDialog({
          saveLabel: 'Save Chain',
          filters: { 'PEM certificates': ['pem', 'crt'] },
          defaultUri: defaultSaveUri(`${base}-chain.pem`),
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, Buffer.from(pem, 'utf8'));
        await this.post({ type: 'status', text: `Chain saved (${this.model.links.length} certificates).` });
        return;
      }
      case 'useCa': {
        const link = this.model?.links.find((l) => l.position === msg.position);
        if (!link) return;
        if (!link.cert.isCA && !link.cert.selfIssued) {
          await this.post({
            type: 'status',
            text: 'This certificate is not a CA; choose the root (or the self-signed certificate) instead.',
            error: true,
          });
          return;
        }
        const commands = await vscode.commands.getCommands(true);
        if (commands.includes(USE_CA_COMMAND)) {
          await vscode.commands.executeCommand(USE_CA_COMMAND, link.cert.pem);
          return;
        }
        const base = (link.cert.commonName ?? 'ca').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'ca';
        const target = await vscode.window.showSaveDialog({
          saveLabel: 'Save CA Certificate',
          filters: { 'PEM certificates': ['pem', 'crt'] },
          defaultUri: defaultSaveUri(`${base}.pem`),
        });
        if (!target) return;
        await vscode.workspace.fs.writeFile(target, Buffer.from(link.cert.pem, 'utf8'));
        await this.post({ type: 'status', text: 'CA certificate saved: set it as the CA file of a profile.' });
        return;
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (CertificatePanel.open.get(this.key) === this) CertificatePanel.open.delete(this.key);
    if (CertificatePanel.latest === this) CertificatePanel.latest = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function defaultSaveUri(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : undefined;
}
