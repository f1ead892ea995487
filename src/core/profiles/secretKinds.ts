/**
 * The secrets a connection profile can own, and which of them a profile uses. The one list of secret
 * kinds: the extension's profile store keeps each in SecretStorage and prunes the ones a profile
 * no longer uses.
 */
import type { Profile } from './profile';

export const SECRET_KINDS = ['password', 'passphrase', 'keyPem', 'certPem', 'caPem', 'pfx', 'pfxPassword', 'sentinelPassword'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export type ProfileSecrets = Partial<Record<SecretKind, string>>;

/** What can be asked for again (Forget Stored Password and Passphrases); imported PEM material is kept. */
export const CREDENTIAL_KINDS: readonly SecretKind[] = ['password', 'passphrase', 'pfxPassword', 'sentinelPassword'];

/** Secret kinds a profile uses; anything else stored for it is stale. */
export function usedSecretKinds(p: Profile): Set<SecretKind> {
  const used = new Set<SecretKind>();
  if (p.hasPassword) used.add('password');
  if (p.tls && p.ca.kind === 'imported') used.add('caPem');
  if (p.tls && p.client.kind === 'imported') used.add('certPem').add('keyPem').add('passphrase');
  if (p.tls && p.client.kind === 'files') used.add('passphrase');
  if (p.tls && p.client.kind === 'pfx') used.add('pfx').add('pfxPassword');
  if (p.sentinel?.hasPassword) used.add('sentinelPassword');
  return used;
}
