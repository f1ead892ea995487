/**
 * Add, Edit, Duplicate, Rename, Remove, Forget Stored Secrets, Copy as redis-cli, Open Workspace
 * Connection Profiles: one handler per command over the connection service. Every command taking a
 * profile accepts a profile id, a tree node `{ profileId }`, or nothing (then a QuickPick asks).
 */
import * as vscode from 'vscode';
import { newProfileId } from '../core/profiles/draft';
import { toRedisCliCommand } from '../core/profiles/export';
import type { Profile } from '../core/profiles/profile';
import { runInteractiveFlow } from './connectionFlow';
import type { ConnectionService, SaveResult } from './connectionService';
import type { Target } from './target';

/** The guided Add Connection flow (every prompt through the container's UserInput). */
export async function addConnection(svc: ConnectionService): Promise<SaveResult | undefined> {
  return svc.addInteractive();
}

export async function editConnection(svc: ConnectionService, arg?: Target): Promise<SaveResult | undefined> {
  const p = await svc.resolveTarget(arg, 'Edit which connection?');
  if (!p) return undefined;
  if (!(await svc.userProfileOrExplain(p))) return undefined;
  const stored = await svc.profiles.secretsOf(p.id);
  const flow = await runInteractiveFlow(svc.flowEnv, `Edit ${p.name}`, p, stored);
  if (!flow) return undefined;
  const result = await svc.fromAnswers({ ...flow.answers, connect: flow.connect, ignoreProblems: true }, p, stored);
  svc.reportSave(result, true);
  return result;
}

export async function duplicateConnection(svc: ConnectionService, arg?: Target, options?: { name?: unknown }): Promise<string | undefined> {
  const p = await svc.resolveTarget(arg, 'Duplicate which connection?');
  if (!p) return undefined;
  const copy: Profile = {
    ...p,
    id: newProfileId(),
    name: svc.uniqueName(typeof options?.name === 'string' ? options.name : `${p.name} (copy)`),
    source: 'user',
  };
  await svc.profiles.duplicate(p.id, copy);
  svc.log.info(`Duplicated connection "${p.name}" as "${copy.name}"`);
  return copy.id;
}

export async function renameConnection(svc: ConnectionService, arg?: Target, givenName?: unknown): Promise<boolean> {
  // From a tree context menu the second argument is the selection: only a string is a new name.
  const newName = typeof givenName === 'string' ? givenName : undefined;
  const p = await svc.resolveTarget(arg, 'Rename which connection?');
  if (!p) return false;
  if (newName === undefined && !(await svc.userProfileOrExplain(p))) return false;
  if (p.source === 'workspace') throw new Error('Workspace profiles are renamed in .vscode/redis-tls.json.');
  const name =
    newName ??
    (await svc.ui.showInputBox({
      title: 'Rename Connection',
      value: p.name,
      validateInput: (t) =>
        t.trim() === ''
          ? 'Enter a name.'
          : svc.uniqueName(t.trim(), p.id) !== t.trim()
            ? `Another connection is called "${t.trim()}".`
            : undefined,
    }));
  if (!name || name.trim() === '') return false;
  await svc.profiles.save({ ...p, name: svc.uniqueName(name.trim(), p.id) });
  return true;
}

/**
 * Remove Connection. A user profile: asks, then deletes it with its secrets. A workspace profile
 * (from `.vscode/redis-tls.json`): offers to take its entry out of the file — a workspace edit the
 * user can undo, comments kept — or only to forget its stored secrets.
 */
export async function removeConnection(svc: ConnectionService, arg?: Target): Promise<boolean> {
  const p = await svc.resolveTarget(arg, 'Remove which connection?');
  if (!p) return false;
  if (p.source === 'workspace') return removeWorkspaceConnection(svc, p);
  const remove = 'Remove';
  const message = `Remove the connection "${p.name}"? Its password, keys and imported certificates are deleted from secret storage.`;
  if ((await svc.ui.showWarningMessage(message, { modal: true }, remove)) !== remove) return false;
  await svc.sessions.disconnect(p.id);
  await svc.profiles.remove(p.id);
  svc.log.info(`Removed connection "${p.name}" and its secrets`);
  return true;
}

async function removeWorkspaceConnection(svc: ConnectionService, p: Profile): Promise<boolean> {
  const fromFile = 'Remove from redis-tls.json';
  const forget = 'Forget Secrets Only';
  const choice = await svc.ui.showWarningMessage(
    `"${p.name}" is defined in .vscode/redis-tls.json${p.workspaceFolder ? ` in ${p.workspaceFolder}` : ''}. Remove its entry from the file (an edit you can undo) and forget its stored secrets, or only forget the secrets (password, passphrase)?`,
    { modal: true },
    fromFile,
    forget,
  );
  if (choice !== fromFile && choice !== forget) return false;
  if (choice === fromFile && !(await svc.removeWorkspaceEntry(p))) return false;
  await svc.sessions.disconnect(p.id);
  await svc.profiles.remove(p.id);
  svc.log.info(
    choice === fromFile
      ? `Removed "${p.name}" from .vscode/redis-tls.json and forgot its secrets`
      : `Forgot the stored secrets of the workspace connection "${p.name}"`,
  );
  return true;
}

export async function forgetSecrets(svc: ConnectionService, arg?: Target): Promise<boolean> {
  const p = await svc.resolveTarget(arg, 'Forget the stored secrets of which connection?');
  if (!p) return false;
  await svc.sessions.disconnect(p.id);
  await svc.profiles.forgetCredentials(p.id);
  svc.log.info(`Forgot the stored password and passphrases of "${p.name}" (asked for at the next connection)`);
  return true;
}

export async function copyAsRedisCli(svc: ConnectionService, arg?: Target): Promise<string | undefined> {
  const p = await svc.resolveTarget(arg, 'Copy which connection as a redis-cli command?');
  if (!p) return undefined;
  const { command, notes } = toRedisCliCommand(p);
  await vscode.env.clipboard.writeText(command);
  void vscode.window.showInformationMessage(`Copied: ${command}${notes.length > 0 ? ` — ${notes.join(' ')}` : ''}`);
  return command;
}

export function openWorkspaceProfiles(svc: ConnectionService): Promise<void> {
  return svc.openWorkspaceFile();
}
