import type * as vscode from 'vscode';
import { SECRET_KINDS, type ProfileSecrets, type SecretKind } from '../core/profiles/secretKinds';

export { SECRET_KINDS, type ProfileSecrets, type SecretKind };

/** Not secret kinds, kept beside them: the binding of the secrets and a workspace profile's accepted pin. */
export type SecretSideKind = 'binding' | 'acceptedPin';

/**
 * Each secret of a profile is kept in SecretStorage under `redisTls.<namespace>.<kind>`: the namespace
 * is `profile.<id>` for user profiles and `workspace.<id>` for workspace profiles
 * (core/profiles/secretBinding.ts `secretNamespace`). Nothing secret is ever written to globalState,
 * settings, logs or webview messages.
 */
export function secretKeyIn(namespace: string, kind: SecretKind | SecretSideKind): string {
  return `redisTls.${namespace}.${kind}`;
}

/** The key of a user profile's secret: `redisTls.profile.<id>.<kind>`. */
export function secretKey(profileId: string, kind: SecretKind): string {
  return secretKeyIn(`profile.${profileId}`, kind);
}

/**
 * Typed, namespaced access to SecretStorage (an adapter: what to write, prune and delete is the
 * profile store's policy, platform/profileStore.ts).
 */
export class SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(namespace: string, kind: SecretKind | SecretSideKind): Thenable<string | undefined> {
    return this.storage.get(secretKeyIn(namespace, kind));
  }

  /** Stores a secret; `undefined` or '' deletes it. */
  async set(namespace: string, kind: SecretKind | SecretSideKind, value: string | undefined): Promise<void> {
    if (value === undefined || value === '') {
      await this.storage.delete(secretKeyIn(namespace, kind));
    } else {
      await this.storage.store(secretKeyIn(namespace, kind), value);
    }
  }

  /** All secrets of a profile (missing ones left out). */
  async getAll(namespace: string): Promise<ProfileSecrets> {
    const out: ProfileSecrets = {};
    for (const kind of SECRET_KINDS) {
      const value = await this.storage.get(secretKeyIn(namespace, kind));
      if (value !== undefined) out[kind] = value;
    }
    return out;
  }

  async delete(namespace: string, kinds: ReadonlyArray<SecretKind | SecretSideKind>): Promise<void> {
    for (const kind of kinds) await this.storage.delete(secretKeyIn(namespace, kind));
  }
}
