/**
 * "Audit TLS Posture": runs the core audit against a connection's endpoint and shows it as a section
 * of that connection's certificate panel, below the chain, so one panel tells the whole story (the
 * panel's CSP and textContent rules apply: src/webviews/html.ts). The audit result carries no
 * password, key or passphrase, and every message to the panel is checked for secrets.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { auditEndpoint, type AuditResult } from '../core/audit';
import { targetId, type Target } from '../commands/target';
import { connectionModel } from '../commands/certificates';
import { AUDIT_COMMAND, CertificatePanel, connectionPanelKey } from '../webviews/certPanel';
import { auditForPanel } from '../webviews/certProtocol';

export { AUDIT_COMMAND };

export interface AuditCommandOptions {
  /** The plaintext port to look at (default 6379; null: do not look). */
  plaintextPort?: number | null;
  pingSamples?: number;
}

/** Registers "Audit TLS Posture" (tree context menu, palette, the certificate panel's button). Returns the result for tests. */
export function registerAuditCommand(container: Container): vscode.Disposable {
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
      const panel =
        CertificatePanel.ofConnection(profile.id) ??
        CertificatePanel.show(container, connectionPanelKey(profile.id), `Certificate: ${profile.name}`, () =>
          connectionModel(container, container.profiles.get(profile.id) ?? profile),
        );
      await panel.showAudit({
        state: 'running',
        text: `Auditing ${options.host}:${options.port}: protocols, cipher suites, client certificates, resumption, chain, plaintext port…`,
      });
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
      await panel.showAudit('error' in result ? { state: 'failed', text: result.error } : { state: 'done', result: auditForPanel(result) });
      container.log.info(`Audit TLS Posture: ${profile.name}: ${'error' in result ? 'failed' : `${result.findings.length} finding(s)`}`);
      return 'error' in result ? undefined : result;
    },
  );
}
