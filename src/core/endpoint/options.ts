import { isIP } from 'node:net';

/**
 * A resolved connection: everything a live connection needs, secrets included. Built from a profile
 * (extension: SecretStorage; CLI: flags and environment) right before connecting and never persisted.
 */
export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export type VerifyMode =
  /** Chain and host name verified (the default). */
  | 'full'
  /** Trust on first use: the chain may be self-signed, but the leaf's SHA-256 must equal `pinSha256`. */
  | 'pin'
  /** No verification at all; every report says authorized: false. Only when a profile asks. */
  | 'insecure';

export interface TlsSettings {
  enabled: boolean;
  /** SNI and the name verified against the certificate; defaults to the host (no SNI for IP literals). */
  servername?: string;
  /** PEM CA certificates (each entry may be a bundle). Undefined: the system trust store. */
  ca?: Array<string | Buffer>;
  /** With `ca`, also trust the system store. */
  useSystemCA?: boolean;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  pfx?: Buffer;
  minVersion?: TlsVersion;
  maxVersion?: TlsVersion;
  verify?: VerifyMode;
  /** Hex SHA-256 of the server leaf certificate (DER), colons optional, any case. */
  pinSha256?: string;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  tls: TlsSettings;
  db?: number;
  username?: string;
  password?: string;
  clientName?: string;
  /** TCP connect + TLS handshake budget. Default 10000. */
  connectTimeoutMs?: number;
  /** A TLS client talking to a plaintext port gets no error: after this long without a handshake, probe. Default 3000. */
  handshakeTimeoutMs?: number;
  /** Per-command timeout. Default 10000. */
  commandTimeoutMs?: number;
  /** Cap on the bytes buffered for one reply. Default 512 MiB. */
  maxReplyBytes?: number;
}

/** The defaults of the optional budgets above. */
export const CONNECTION_DEFAULTS = {
  connectTimeoutMs: 10_000,
  handshakeTimeoutMs: 3_000,
  commandTimeoutMs: 10_000,
  maxReplyBytes: 512 * 1024 * 1024,
} as const;

/** Formats host:port with brackets for IPv6. */
export function formatEndpoint(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
