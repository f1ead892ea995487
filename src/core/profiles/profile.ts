/**
 * A connection profile as the user configures it. Non-secret fields only: secrets (password, key
 * passphrase, private key PEM, imported PEM material, PFX) live in SecretStorage, keyed by profile id
 * (see platform/secretStore). Team-shared profiles from `.vscode/redis-tls.json` use the same shape
 * with `source: 'workspace'` and reference certificate files by path.
 */
import type { TlsVersion, VerifyMode } from '../endpoint/options';
import type { NodeNaming } from '../diagnosis/topology';

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
  /** Cluster: the name each node is verified against (default 'seed': servername, else host). */
  clusterNaming?: NodeNaming;
  /** Cluster: node address / node id / pattern with `*` -> verification name (applies in every mode). */
  clusterNodeNames?: Record<string, string>;
  /** Cluster: read values from a replica of the key's primary (READONLY). */
  readFromReplicas?: boolean;
  /** A Sentinel profile: host/port/TLS/credentials above are the data nodes'; this says how to find them. */
  sentinel?: SentinelProfile;
}

/** How a Sentinel profile reaches its sentinels (their own TLS settings and ACL user; the password is a secret). */
export interface SentinelProfile {
  /** The monitored service (master) name. */
  service: string;
  /** 'host:port' of each sentinel, asked in this order. */
  sentinels: string[];
  /** TLS towards the sentinels (default: the profile's). */
  tls?: boolean;
  /** SNI / verification name of the sentinels (default: each sentinel's host). */
  servername?: string;
  /** CA for the sentinels (default: the profile's CA). */
  ca?: CaSource;
  /** Client certificate for the sentinels (default: the profile's). */
  client?: ClientIdentity;
  username?: string;
  /** Whether a sentinel password is stored (secret `sentinelPassword`). */
  hasPassword?: boolean;
  /** Browse a replica instead of the primary. */
  replica?: boolean;
}

/** Whether the profile's sessions refuse writes: `readOnly` when set, else on for production profiles. */
export function isReadOnlyProfile(profile: Pick<Profile, 'readOnly' | 'production'>): boolean {
  return profile.readOnly ?? profile.production === true;
}

export const DEFAULT_DELIMITER = ':';
