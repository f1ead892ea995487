import * as vscode from 'vscode';
import { isReadOnlyProfile } from '../core/profiles/profile';
import type { Config } from '../platform/config';
import { DisposableStore } from '../platform/disposables';
import type { SessionManager } from './sessionManager';

const DAY_MS = 86_400_000;

/** What the status bar shows for a session; exported for tests. */
export interface StatusBarView {
  text: string;
  tooltip: string;
  warning: boolean;
}

/**
 * "$(lock) Staging · TLSv1.3 · cert expires in 824 days": the connection's name, its transport, and
 * what the number is (the soonest expiry among the server chain and the client certificate).
 */
export function describeSession(
  input: {
    name: string;
    tls: boolean;
    verified: boolean;
    protocol?: string | null;
    cipher?: string | null;
    nearestExpiry?: Date;
    readOnly?: boolean;
    production?: boolean;
  },
  warningDays: number,
  now = Date.now(),
): StatusBarView {
  const parts: string[] = [];
  const tip: string[] = [`Redis TLS: ${input.name} (the connection in focus; select another in the Connections view to show it)`];
  let warning = false;
  if (!input.tls) {
    parts.push(`$(unlock) ${input.name}`, 'no TLS');
    tip.push('Plaintext connection: not encrypted.');
    warning = true;
  } else if (!input.verified) {
    parts.push(`$(unlock) ${input.name}`, `${input.protocol ?? 'TLS'} UNVERIFIED`);
    tip.push('The server certificate is NOT verified (insecure profile).');
    warning = true;
  } else {
    parts.push(`$(lock) ${input.name}`, input.protocol ?? 'TLS');
    tip.push(`Verified${input.cipher ? `, ${input.cipher}` : ''}.`);
  }
  if (input.nearestExpiry) {
    const days = Math.floor((input.nearestExpiry.getTime() - now) / DAY_MS);
    parts.push(days < 0 ? '$(warning) cert expired' : `cert expires in ${days} ${days === 1 ? 'day' : 'days'}`);
    tip.push(
      `Nearest certificate expiry (server chain and client certificate): ${input.nearestExpiry.toISOString().slice(0, 10)} (${days} days).`,
    );
    if (days < warningDays) warning = true;
  }
  if (input.readOnly) {
    parts.push(input.production ? '$(eye) production, read-only' : '$(eye) read-only');
    tip.push('Read-only profile: commands that are not reads are refused before they are sent.');
  } else if (input.production) {
    parts.push('$(warning) production');
    tip.push('Production profile with writes allowed (readOnly is off).');
  }
  // Production always has the warning background: the user sees where commands go.
  if (input.production) warning = true;
  return { text: parts.join(' · '), tooltip: tip.join('\n'), warning };
}

/** The status bar item of the active connection: lock, TLS version, days to the nearest expiry. */
export class ConnectionStatusBar implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly item: vscode.StatusBarItem;
  /** What is shown now (for tests). */
  current: StatusBarView | undefined;

  constructor(
    private readonly sessions: SessionManager,
    private readonly config: Config,
  ) {
    this.item = this.disposables.add(vscode.window.createStatusBarItem('redisTls.connection', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Redis TLS Connection';
    this.item.command = 'redisTls.showConnectionDetails';
    this.disposables.add(sessions.onDidChangeState(() => this.update()));
    this.disposables.add(config.onDidChange(['expiryWarningDays'], () => this.update()));
    this.update();
  }

  update(): void {
    const id = this.sessions.activeProfileId;
    const session = id ? this.sessions.session(id) : undefined;
    if (!session) {
      this.current = undefined;
      this.item.hide();
      return;
    }
    const view = describeSession(
      {
        name: session.profile.name,
        tls: session.report.tls,
        verified: session.verified,
        protocol: session.report.protocol,
        cipher: session.report.cipher,
        nearestExpiry: session.nearestExpiry,
        readOnly: isReadOnlyProfile(session.profile),
        production: session.profile.production === true,
      },
      this.config.expiryWarningDays,
    );
    this.current = view;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
