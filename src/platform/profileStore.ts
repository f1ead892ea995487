import * as vscode from 'vscode';
import type { Profile } from '../core/profiles/profile';
import { CREDENTIAL_KINDS, SECRET_KINDS, usedSecretKinds, type ProfileSecrets, type SecretKind } from '../core/profiles/secretKinds';
import { checkBinding, makeBinding, parseBinding, secretNamespace, visibleProfiles } from '../core/profiles/secretBinding';
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
    // Restricted Mode: workspace profiles come on when the user trusts the workspace.
    this.disposables.add(vscode.workspace.onDidGrantWorkspaceTrust(reload));
  }

  /** Resolves once the workspace file(s) have been read. */
  async ready(): Promise<void> {
    await this.reloadWorkspace();
  }

  /** User profiles, and workspace profiles unless the workspace is untrusted (Restricted Mode). */
  list(): Profile[] {
    return visibleProfiles([...this.userProfiles(), ...this.workspaceProfiles], vscode.workspace.isTrusted);
  }

  get(id: string): Profile | undefined {
    return this.list().find((p) => p.id === id);
  }

  isWorkspace(id: string): boolean {
    return this.workspaceProfiles.some((p) => p.id === id);
  }

  /** SecretStorage namespace of a profile id: user and workspace profiles never share secrets. */
  private namespaceOf(id: string): string {
    return secretNamespace({ id, source: this.isWorkspace(id) ? 'workspace' : 'user' });
  }

  /**
   * Adds or replaces a user profile. `secrets` given: those present are stored (a kind present with
   * `undefined`/'' is deleted), then every kind the profile no longer uses is pruned. The secrets are
   * (re)bound to the saved target: saving is the user's own edit of it. Workspace profiles are edited
   * in their file, never here.
   */
  async save(profile: Profile, secrets?: ProfileSecrets): Promise<void> {
    if (this.isWorkspace(profile.id)) throw new Error('Workspace profiles are defined in .vscode/redis-tls.json; edit that file.');
    const ns = secretNamespace({ id: profile.id, source: 'user' });
    if (secrets) {
      for (const kind of SECRET_KINDS) if (kind in secrets) await this.secrets.set(ns, kind, secrets[kind]);
      const used = usedSecretKinds(profile);
      await this.secrets.delete(
        ns,
        SECRET_KINDS.filter((k) => !used.has(k)),
      );
    }
    await this.secrets.set(ns, 'binding', JSON.stringify(makeBinding(profile)));
    const stored = { ...profile, source: 'user' as const };
    const all = this.userProfiles();
    const index = all.findIndex((p) => p.id === profile.id);
    if (index >= 0) all[index] = stored;
    else all.push(stored);
    await this.state.update(STATE_KEY, all);
    this.changeEmitter.fire();
  }

  /** Removes a user profile and all of its secrets. For a workspace profile, forgets its secrets and accepted pin only. */
  async remove(id: string): Promise<void> {
    const all = this.userProfiles();
    const rest = all.filter((p) => p.id !== id);
    if (rest.length !== all.length) await this.state.update(STATE_KEY, rest);
    await this.secrets.delete(this.namespaceOf(id), [...SECRET_KINDS, 'binding', 'acceptedPin']);
    // Workspace secrets stored before the namespaces were separated were kept under the user namespace.
    if (this.isWorkspace(id)) await this.secrets.delete(secretNamespace({ id, source: 'user' }), SECRET_KINDS);
    this.changeEmitter.fire();
  }

  /** Saves `copy` (a new user profile) with the secrets of the profile `fromId`. */
  async duplicate(fromId: string, copy: Profile): Promise<void> {
    await this.save(copy, await this.secretsOf(fromId));
  }

  /**
   * The stored secrets of a profile, whatever target they were entered for: for checks on this machine
   * only (e.g. a passphrase opening a key). What may be sent to a server comes from `boundSecretsOf`.
   * The result holds secrets: never log or persist it elsewhere.
   */
  secretsOf(id: string): Promise<ProfileSecrets> {
    return this.secrets.getAll(this.namespaceOf(id));
  }

  /**
   * The secrets that may be sent to the profile's target as it is now: all of them when they are
   * bound to this target, none when the target changed since they were entered (`change` says how).
   * User profiles' secrets stored before bindings existed are bound to the profile as it is (only the
   * user edits a user profile); a workspace profile's unbound secrets are not sent.
   */
  async boundSecretsOf(profile: Profile): Promise<{ secrets: ProfileSecrets; change?: string }> {
    const ns = this.namespaceOf(profile.id);
    const secrets = await this.secrets.getAll(ns);
    if (Object.keys(secrets).length === 0) return { secrets };
    const stored = parseBinding(await this.secrets.get(ns, 'binding'));
    if (!stored && profile.source === 'user') {
      await this.secrets.set(ns, 'binding', JSON.stringify(makeBinding(profile)));
      return { secrets };
    }
    const check = checkBinding(stored, profile);
    return check.ok ? { secrets } : { secrets: {}, change: check.change };
  }

  /**
   * Keeps one secret of a profile (e.g. asked for at connection time), bound to the profile's target
   * now; credentials entered for another target are dropped.
   */
  async setSecret(id: string, kind: SecretKind, value: string): Promise<void> {
    const ns = this.namespaceOf(id);
    const profile = this.get(id);
    if (profile) {
      const binding = makeBinding(profile);
      if (parseBinding(await this.secrets.get(ns, 'binding'))?.digest !== binding.digest) {
        await this.secrets.delete(ns, CREDENTIAL_KINDS);
        await this.secrets.set(ns, 'binding', JSON.stringify(binding));
      }
    }
    await this.secrets.set(ns, kind, value);
  }

  /** Forgets what can be asked for again (password, passphrase, PFX password); keeps imported PEM material. */
  async forgetCredentials(id: string): Promise<void> {
    await this.secrets.delete(this.namespaceOf(id), CREDENTIAL_KINDS);
  }

  /**
   * Trust on first use for a workspace profile (its file cannot be written): the accepted certificate
   * SHA-256 is kept beside its secrets, bound to the profile's target as the file defines it.
   */
  async setAcceptedPin(profile: Profile, pinSha256: string): Promise<void> {
    const pin = { digest: makeBinding(profile).digest, pin: pinSha256 };
    await this.secrets.set(this.namespaceOf(profile.id), 'acceptedPin', JSON.stringify(pin));
  }

  /**
   * The profile with the pin accepted on first use filled in (workspace profiles with `verify: "pin"`
   * and no `pinSha256`), when it was accepted for this very target; else the profile as it is.
   */
  async withAcceptedPin(profile: Profile): Promise<Profile> {
    if (profile.source !== 'workspace' || !profile.tls || profile.verify !== 'pin' || profile.pinSha256) return profile;
    const text = await this.secrets.get(this.namespaceOf(profile.id), 'acceptedPin');
    try {
      const stored = text ? (JSON.parse(text) as { digest?: unknown; pin?: unknown }) : undefined;
      if (stored && stored.digest === makeBinding(profile).digest && typeof stored.pin === 'string' && stored.pin)
        return { ...profile, pinSha256: stored.pin };
    } catch {
      // malformed: no accepted pin
    }
    return profile;
  }

  private userProfiles(): Profile[] {
    const raw = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(raw) ? (raw as Profile[]).map((p) => ({ ...p })) : [];
  }

  private async reloadWorkspace(): Promise<void> {
    const found: Profile[] = [];
    if (!vscode.workspace.isTrusted) {
      this.workspaceProfiles = found;
      this.changeEmitter.fire();
      return;
    }
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
      const userIds = new Set(this.userProfiles().map((p) => p.id));
      for (const p of result.profiles) {
        while (userIds.has(p.id) || found.some((f) => f.id === p.id)) p.id += '-ws';
        found.push(p);
      }
    }
    this.workspaceProfiles = found;
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
