/**
 * A connection profile as the user configures it. Non-secret fields only: secrets (password, key
 * passphrase, private key PEM, imported PEM material, PFX) live in SecretStorage, keyed by profile id
 * (see platform/secretStore). Team-shared profiles from `.vscode/redis-tls.json` use the same shape
 * with `source: 'workspace'` and reference certificate files by path.
 */
import type { TlsVersion, VerifyMode } from '../client/options';

export type CaSource =
  /** The system trust store only. */
  | { kind: 'system' }
  /** PEM text imported into the profile (kept in SecretStorage as imported material). */
  | { kind: 'imported'; label?: string; alsoSystem?: boolean }
  /** A PEM file on disk, read at every connection (watched for rotation). */
  | { kind: 'file'; path: string; alsoSystem?: boolean };

export type ClientIdentity =
  | { kind: 'none' }
  /** PEM cert + key kept in SecretStorage (imported). */
  | { kind: 'imported'; label?: string; encryptedKey?: boolean }
  /** PEM cert and key files on disk (the key may be encrypted: its passphrase is a secret). */
  | { kind: 'files'; certPath: string; keyPath: string; encryptedKey?: boolean }
  /** A PKCS#12/PFX file; its password is a secret. */
  | { kind: 'pfx'; path: string };

export interface Profile {
  id: string;
  name: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  /** Whether a password is stored in SecretStorage (never the password itself). */
  hasPassword?: boolean;
  tls: boolean;
  /** SNI and verification name; empty -> the host. */
  servername?: string;
  minTlsVersion?: TlsVersion;
  maxTlsVersion?: TlsVersion;
  verify: VerifyMode;
  /** For verify 'pin': SHA-256 of the server certificate accepted on first use. */
  pinSha256?: string;
  ca: CaSource;
  client: ClientIdentity;
  delimiter: string;
  group?: string;
  color?: string;
  /** Where the profile is defined. */
  source: 'user' | 'workspace';
  /** Workspace profiles: the name of the workspace folder whose `.vscode/redis-tls.json` defines it. */
  workspaceFolder?: string;
  /** Provider preset used to create it, if any (e.g. 'azure-cache'). */
  preset?: string;
  /** Refuse every command that is not a read (core/client/readOnly.ts). Default: on for production profiles. */
  readOnly?: boolean;
  /** Marked as production: shown with a "production" badge and read-only unless `readOnly: false`. */
  production?: boolean;
}

/** Whether the profile's sessions refuse writes: `readOnly` when set, else on for production profiles. */
export function isReadOnlyProfile(profile: Pick<Profile, 'readOnly' | 'production'>): boolean {
  return profile.readOnly ?? profile.production === true;
}

export const DEFAULT_DELIMITER = ':';
