import * as vscode from 'vscode';
import type { Profile } from '../core/profiles/profile';
import { CREDENTIAL_KINDS, SECRET_KINDS, usedSecretKinds, type ProfileSecrets, type SecretKind } from '../core/profiles/secretKinds';
import { parseWorkspaceProfiles, WORKSPACE_PROFILES_FILE } from '../core/profiles/workspaceFile';
import type { ProfileStoreApi } from './contracts';
import { DisposableStore } from './disposables';
import type { Logger } from './logger';
import type { SecretStore } from './secretStore';

const STATE_KEY = 'redisTls.profiles';

/**
 * The one store of connection profiles and their secrets (Cosmos DB's StorageService is the model):
 * user profiles' non-secret fields in globalState, their secrets in SecretStorage, written, pruned
 * and deleted together here; plus team-shared profiles read from `.vscode/redis-tls.json` in every
 * workspace folder (paths only, never secrets; their secrets are asked for and kept here too).
 */
export class ProfileStore implements ProfileStoreApi, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly changeEmitter = this.disposables.add(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;
  private workspaceProfiles: Profile[] = [];

  constructor(
    private readonly state: vscode.Memento,
    private readonly secrets: SecretStore,
    private readonly log?: Logger,
  ) {
    const watcher = this.disposables.add(vscode.workspace.createFileSystemWatcher(`**/${WORKSPACE_PROFILES_FILE}`));
    const reload = (): void => void this.reloadWorkspace();
    this.disposables.add(watcher.onDidChange(reload));
    this.disposables.add(watcher.onDidCreate(reload));
    this.disposables.add(watcher.onDidDelete(reload));
    this.disposables.add(vscode.workspace.onDidChangeWorkspaceFolders(reload));
  }

  /** Resolves once the workspace file(s) have been read. */
  async ready(): Promise<void> {
    await this.reloadWorkspace();
  }

  list(): Profile[] {
    return [...this.userProfiles(), ...this.workspaceProfiles];
  }

  get(id: string): Profile | undefined {
    return this.list().find((p) => p.id === id);
  }

  isWorkspace(id: string): boolean {
    return this.workspaceProfiles.some((p) => p.id === id);
  }

  /**
   * Adds or replaces a user profile. `secrets` given: those present are stored (a kind present with
   * `undefined`/'' is deleted), then every kind the profile no longer uses is pruned. Workspace
   * profiles are edited in their file, never here.
   */
  async save(profile: Profile, secrets?: ProfileSecrets): Promise<void> {
    if (this.isWorkspace(profile.id)) throw new Error('Workspace profiles are defined in .vscode/redis-tls.json; edit that file.');
    if (secrets) {
      for (const kind of SECRET_KINDS) if (kind in secrets) await this.secrets.set(profile.id, kind, secrets[kind]);
      const used = usedSecretKinds(profile);
      await this.secrets.delete(profile.id, SECRET_KINDS.filter((k) => !used.has(k)));
    }
    const stored = { ...profile, source: 'user' as const };
    const all = this.userProfiles();
    const index = all.findIndex((p) => p.id === profile.id);
    if (index >= 0) all[index] = stored;
    else all.push(stored);
    await this.state.update(STATE_KEY, all);
    this.changeEmitter.fire();
  }

  /** Removes a user profile and all of its secrets. For a workspace profile, forgets its secrets only. */
  async remove(id: string): Promise<void> {
    const all = this.userProfiles();
    const rest = all.filter((p) => p.id !== id);
    if (rest.length !== all.length) await this.state.update(STATE_KEY, rest);
    await this.secrets.delete(id, SECRET_KINDS);
    this.changeEmitter.fire();
  }

  /** Saves `copy` (a new user profile) with the secrets of the profile `fromId`. */
  async duplicate(fromId: string, copy: Profile): Promise<void> {
    await this.save(copy, await this.secrets.getAll(fromId));
  }

  /** The stored secrets of a profile. The result holds secrets: never log or persist it elsewhere. */
  secretsOf(id: string): Promise<ProfileSecrets> {
    return this.secrets.getAll(id);
  }

  /** Keeps one secret of a profile (e.g. asked for at connection time). */
  async setSecret(id: string, kind: SecretKind, value: string): Promise<void> {
    await this.secrets.set(id, kind, value);
  }

  /** Forgets what can be asked for again (password, passphrase, PFX password); keeps imported PEM material. */
  async forgetCredentials(id: string): Promise<void> {
    await this.secrets.delete(id, CREDENTIAL_KINDS);
  }

  private userProfiles(): Profile[] {
    const raw = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(raw) ? (raw as Profile[]).map((p) => ({ ...p })) : [];
  }

  private async reloadWorkspace(): Promise<void> {
    const found: Profile[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, WORKSPACE_PROFILES_FILE);
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        continue; // no file in this folder
      }
      const result = parseWorkspaceProfiles(text, folder.uri.fsPath, folder.name);
      for (const warning of result.warnings) this.log?.warn(`${WORKSPACE_PROFILES_FILE} in ${folder.name}: ${warning}`);
      found.push(...result.profiles);
    }
    this.workspaceProfiles = found;
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
