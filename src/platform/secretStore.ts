import * as vscode from 'vscode';

/**
 * Every secret a profile can own. Each is kept in SecretStorage under `redisTls.profile.<id>.<kind>`;
 * nothing secret is ever written to globalState, settings, logs or webview messages.
 */
export const SECRET_KINDS = ['password', 'passphrase', 'keyPem', 'certPem', 'caPem', 'pfx', 'pfxPassword', 'sentinelPassword'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export type ProfileSecrets = Partial<Record<SecretKind, string>>;

export function secretKey(profileId: string, kind: SecretKind): string {
  return `redisTls.profile.${profileId}.${kind}`;
}

/** Typed, namespaced access to the secrets of connection profiles. */
export class SecretStore {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(profileId: string, kind: SecretKind): Thenable<string | undefined> {
    return this.storage.get(secretKey(profileId, kind));
  }

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

  /** Stores the given secrets; a key present with `undefined`/'' deletes that secret, absent keys are kept. */
  async setAll(profileId: string, secrets: ProfileSecrets): Promise<void> {
    for (const kind of SECRET_KINDS) {
      if (kind in secrets) await this.set(profileId, kind, secrets[kind]);
    }
  }

  async copy(fromId: string, toId: string): Promise<void> {
    await this.setAll(toId, await this.getAll(fromId));
  }

  /** Forgets what can be asked for again (password, passphrase, PFX password); keeps imported PEM material. */
  async forgetCredentials(profileId: string): Promise<void> {
    for (const kind of ['password', 'passphrase', 'pfxPassword'] as const) await this.storage.delete(secretKey(profileId, kind));
  }

  async deleteAll(profileId: string): Promise<void> {
    for (const kind of SECRET_KINDS) await this.storage.delete(secretKey(profileId, kind));
  }
}
