/** The certificate panel's "Use This CA in a Profile". */
import * as vscode from 'vscode';
import { applyAnswers, type ConnectionAnswers } from '../core/profiles/answers';
import { describeEndpoint } from '../core/profiles/draft';
import { readAnswerFiles } from '../core/profiles/flowChecks';
import type { Profile } from '../core/profiles/profile';
import { CaArgumentError, parseCaArgument, type CaArgument } from './caArgument';
import type { ConnectionService, SaveResult } from './connectionService';

function describeCa(p: Profile): string {
  if (p.ca.kind === 'system') return 'the system trust store';
  const also = p.ca.alsoSystem ? ' plus the system trust store' : '';
  return p.ca.kind === 'file' ? `the linked file ${p.ca.path}${also}` : `an imported CA${p.ca.label ? ` (${p.ca.label})` : ''}${also}`;
}

/**
 * Stores `pem` as the imported CA of a user profile (SecretStorage, like an imported PEM in the
 * flow), after the same checks as a save. Asks which profile, then confirms; failures are shown.
 */
export async function useCaInProfile(svc: ConnectionService, pem?: unknown): Promise<SaveResult | undefined> {
  let ca: CaArgument;
  try {
    ca = parseCaArgument(pem);
  } catch (e) {
    if (!(e instanceof CaArgumentError)) throw e;
    void vscode.window.showErrorMessage(`Use This CA: ${e.message}`);
    return undefined;
  }
  const items: Array<vscode.QuickPickItem & { profile?: Profile }> = svc.profiles
    .list()
    .filter((x) => x.source !== 'workspace' && x.tls)
    .map((x) => ({
      label: `$(lock) ${x.name}`,
      description: `${x.production ? 'PRODUCTION · ' : ''}${describeEndpoint(x)}`,
      detail: `Now trusts ${describeCa(x)}`,
      profile: x,
    }));
  items.push({ label: '$(add) New connection with this CA…', detail: 'Starts Add Connection with this CA imported.' });
  const chosen = await svc.ui.showQuickPick(items, {
    title: 'Use This CA in a Profile',
    placeHolder: `Trust "${ca.subject}" for which connection?`,
    matchOnDescription: true,
  });
  if (!chosen) return undefined;
  if (!chosen.profile) return svc.addInteractive({ tls: true, caPem: ca.pem });
  const p = chosen.profile;
  const use = 'Use This CA';
  const unused =
    p.verify === 'full'
      ? ''
      : ` Note: this profile ${p.verify === 'pin' ? 'pins the server certificate' : 'does not verify the server'}, so the CA is used only once verification is set to the full chain (Edit Connection).`;
  const message = `Trust "${ca.subject}"${ca.count > 1 ? ` (and ${ca.count - 1} more certificate${ca.count > 2 ? 's' : ''})` : ''} for "${p.name}"? It replaces ${describeCa(p)} and is kept in VS Code's secret storage.${unused}`;
  if ((await svc.ui.showWarningMessage(message, { modal: true }, use)) !== use) return undefined;
  const stored = await svc.profiles.secretsOf(p.id);
  const answers: ConnectionAnswers = { caPem: ca.pem, alsoSystemCA: p.ca.kind !== 'system' && p.ca.alsoSystem === true };
  const files = await readAnswerFiles(answers, p);
  const draft = applyAnswers(answers, p, files.files);
  if (draft.profile.ca.kind === 'imported') draft.profile.ca.label = ca.subject;
  const result = await svc.saveDraft(draft, files, { stored });
  if (result.saved) {
    svc.log.info(`"${p.name}" now trusts an imported CA (${ca.count} certificate${ca.count > 1 ? 's' : ''})`);
    void vscode.window.showInformationMessage(`"${p.name}" now trusts "${ca.subject}". The next connection uses it.`);
  } else {
    svc.reportSave(result, true);
  }
  return result;
}
