/**
 * Building and validating profiles. A profile never holds a secret: the secrets of a draft travel
 * separately (`DraftSecrets`) and are stored by the extension in SecretStorage.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DELIMITER, type Profile } from './profile';

export interface DraftSecrets {
  password?: string;
  passphrase?: string;
  keyPem?: string;
  certPem?: string;
  caPem?: string;
  /** PKCS#12 bytes, base64. */
  pfx?: string;
  pfxPassword?: string;
  /** The sentinels' password (Sentinel profiles). */
  sentinelPassword?: string;
}

export interface ProfileDraft {
  profile: Profile;
  secrets: DraftSecrets;
  /** Things the import could not carry over (unsupported flags, etc.). */
  warnings: string[];
}

export function newProfileId(): string {
  return randomUUID();
}

export function emptyProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: newProfileId(),
    name: '',
    host: '127.0.0.1',
    port: 6379,
    db: 0,
    tls: true,
    verify: 'full',
    ca: { kind: 'system' },
    client: { kind: 'none' },
    delimiter: DEFAULT_DELIMITER,
    source: 'user',
    ...overrides,
  };
}

export function defaultName(profile: Pick<Profile, 'host' | 'port'>): string {
  return `${profile.host}:${profile.port}`;
}

const HOST_RE = /^(?:\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:]*:[0-9a-fA-F:.]+|[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}))$/;

export function validateHost(host: string): string | undefined {
  const h = host.trim();
  if (h === '') return 'Enter a host name or IP address.';
  if (/\s/.test(h) || /[/@?#]/.test(h)) return 'A host name has no spaces, "/", "@", "?" or "#" (paste URLs with "Import from URL").';
  if (!HOST_RE.test(h)) return 'Not a valid host name or IP address.';
  return undefined;
}

export function validatePort(text: string): string | undefined {
  if (!/^\d{1,5}$/.test(text.trim())) return 'Enter a port number (1-65535).';
  const n = Number(text.trim());
  return n >= 1 && n <= 65535 ? undefined : 'The port must be between 1 and 65535.';
}

export function validateDb(text: string): string | undefined {
  return /^\d{1,5}$/.test(text.trim()) ? undefined : 'Enter a database number (0, 1, ...).';
}

const SHA256_RE = /^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;

/** Problems with a profile as a whole (field name -> message); empty when it can be saved. */
export function validateProfile(p: Profile): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  if (p.name.trim() === '') out.push({ field: 'name', message: 'The profile needs a name.' });
  const host = validateHost(p.host);
  if (host) out.push({ field: 'host', message: host });
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
    out.push({ field: 'port', message: 'The port must be between 1 and 65535.' });
  if (!Number.isInteger(p.db) || p.db < 0) out.push({ field: 'db', message: 'The database number must be 0 or more.' });
  if (p.verify === 'pin' && p.pinSha256 !== undefined && !SHA256_RE.test(p.pinSha256))
    out.push({ field: 'pin', message: 'The pin must be a SHA-256 fingerprint (64 hex digits, colons optional).' });
  if (p.minTlsVersion && p.maxTlsVersion && p.minTlsVersion > p.maxTlsVersion)
    out.push({ field: 'tlsVersion', message: 'The minimum TLS version is above the maximum.' });
  if (!p.tls && (p.ca.kind !== 'system' || p.client.kind !== 'none'))
    out.push({ field: 'tls', message: 'CA and client certificate settings need TLS on.' });
  if (p.ca.kind === 'file' && p.ca.path.trim() === '') out.push({ field: 'ca', message: 'Choose the CA file.' });
  if (p.client.kind === 'files' && (p.client.certPath.trim() === '' || p.client.keyPath.trim() === ''))
    out.push({ field: 'cert', message: 'Choose both the client certificate and its key.' });
  if (p.sentinel && p.sentinel.service.trim() === '')
    out.push({ field: 'host', message: 'A Sentinel profile needs the service (master) name.' });
  if (p.sentinel && p.sentinel.sentinels.length === 0)
    out.push({ field: 'host', message: 'A Sentinel profile needs at least one sentinel address.' });
  if (p.delimiter === '') out.push({ field: 'delimiter', message: 'The namespace delimiter cannot be empty.' });
  return out;
}

/** Short text for pickers and the status bar: "rediss host:port" plus an unverified marker. */
export function describeEndpoint(p: Profile): string {
  const scheme = p.tls ? 'rediss' : 'redis';
  const warn = p.tls && p.verify === 'insecure' ? ' (UNVERIFIED)' : !p.tls ? ' (no TLS)' : p.verify === 'pin' ? ' (pinned)' : '';
  return `${scheme}://${p.host}:${p.port}/${p.db}${warn}`;
}

export function isUnverified(p: Profile): boolean {
  return !p.tls || p.verify === 'insecure';
}
