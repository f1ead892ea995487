import type * as vscode from 'vscode';
import { SECRET_KINDS, type ProfileSecrets, type SecretKind } from '../core/profiles/secretKinds';

export { SECRET_KINDS, type ProfileSecrets, type SecretKind };

/**
 * Each secret of a profile is kept in SecretStorage under `redisTls.profile.<id>.<kind>`; nothing
 * secret is ever written to globalState, settings, logs or webview messages.
 */
export function secretKey(profileId: string, kind: SecretKind): string {
  return `redisTls.profile.${profileId}.${kind}`;
}

/**
 * Typed, namespaced access to SecretStorage (an adapter: what to write, prune and delete is the
 * profile store's policy, platform/profileStore.ts).
 */
export class SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(profileId: string, kind: SecretKind): Thenable<string | undefined> {
    return this.storage.get(secretKey(profileId, kind));
  }

  /** Stores a secret; `undefined` or '' deletes it. */
  async set(profileId: string, kind: SecretKind, value: string | undefined): Promise<void> {
    if (value === undefined || value === '') {
      await this.storage.delete(secretKey(profileId, kind));
    } else {
      await this.storage.store(secretKey(profileId, kind), value);
    }
  }

  /** All secrets of a profile (missing ones left out). */
  async getAll(profileId: string): Promise<ProfileSecrets> {
    const out: ProfileSecrets = {};
    for (const kind of SECRET_KINDS) {
      const value = await this.storage.get(secretKey(profileId, kind));
      if (value !== undefined) out[kind] = value;
    }
    return out;
  }

  async delete(profileId: string, kinds: readonly SecretKind[]): Promise<void> {
    for (const kind of kinds) await this.storage.delete(secretKey(profileId, kind));
  }
}
