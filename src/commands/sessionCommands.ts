/** Connect, Disconnect, Test Connection, Show Connection Details: one handler per command. */
import * as vscode from 'vscode';
import { isDiagnosedError } from '../core/diagnosis/problem';
import { completeWalkthroughStep } from '../platform/walkthrough';
import { describeSession } from '../sessions/statusBar';
import type { ConnectionService, TestResult } from './connectionService';
import type { Target } from './target';

export async function connect(svc: ConnectionService, arg?: Target): Promise<boolean> {
  const p = await svc.resolveTarget(arg, 'Connect to which Redis?');
  if (!p) return false;
  try {
    const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${p.name}...` }, () =>
      svc.sessions.connect(p.id),
    );
    if (!s.verified && s.profile.tls)
      void vscode.window.showWarningMessage(`Connected to ${p.name} WITHOUT verifying the server certificate (UNVERIFIED).`);
    return true;
  } catch (e) {
    if (e instanceof vscode.CancellationError) return false;
    if (isDiagnosedError(e)) void svc.showProblem(e.problem, p.id);
    else void vscode.window.showErrorMessage(`Connection failed: ${e instanceof Error ? e.message : 'unknown error'}`);
    return false;
  }
}

export async function disconnect(svc: ConnectionService, arg?: Target): Promise<boolean> {
  const p = await svc.resolveTarget(arg, 'Disconnect which Redis?', (x) => svc.sessions.state(x.id).kind === 'connected');
  if (!p) return false;
  await svc.sessions.disconnect(p.id);
  return true;
}

export async function testConnection(svc: ConnectionService, arg?: Target): Promise<TestResult | undefined> {
  const p = await svc.resolveTarget(arg, 'Test which connection?');
  if (!p) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing ${p.name}...` }, () =>
    svc.testProfile(p),
  );
  if (result.ok) {
    // A connection that failed and now tests OK: the walkthrough's "Fix a broken connection" is done.
    if (svc.failedBefore.has(p.id) || svc.sessions.state(p.id).kind === 'failed') completeWalkthroughStep('fix');
    const version = result.serverVersion ? `, Redis ${result.serverVersion}` : '';
    const notes = result.warnings && result.warnings.length > 0 ? ` Warnings: ${result.warnings.join(' ')}` : '';
    const show = result.warnings && result.warnings.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`${p.name}: OK (${result.protocol ?? 'no TLS'}${result.verified ? ', verified' : ', UNVERIFIED'}${version}).${notes}`);
  } else if (result.problem) {
    const pr = result.problem;
    void vscode.window.showErrorMessage(`${p.name}: ${pr.code}: ${pr.title}`, { modal: true, detail: `${pr.detail}\n\nFix: ${pr.fix}` });
  }
  return result;
}

export async function showConnectionDetails(svc: ConnectionService): Promise<void> {
  const id = svc.sessions.activeProfileId;
  const s = id ? svc.sessions.session(id) : undefined;
  if (!s) return;
  const view = describeSession(
    {
      name: s.profile.name,
      tls: s.report.tls,
      verified: s.verified,
      protocol: s.report.protocol,
      cipher: s.report.cipher,
      nearestExpiry: s.nearestExpiry,
    },
    svc.config.expiryWarningDays,
  );
  const chain = s.report.chain.map((c, i) => `${i === 0 ? 'server' : `#${i}`}: ${c.subject} (until ${c.notAfter})`).join('\n');
  await vscode.window.showInformationMessage(view.tooltip, { modal: true, detail: `${s.report.host}:${s.report.port}\n${chain}` });
}
