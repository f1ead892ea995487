/**
 * Provider presets: what each managed Redis needs filled in. Only facts the provider documents
 * are set; the user still types the endpoint.
 */
import type { Profile } from './profile';

export interface ProfilePreset {
  id: string;
  label: string;
  /** One line shown under the label in the picker. */
  detail: string;
  /** Example host, used as the InputBox placeholder. */
  hostExample: string;
  /** Fields the preset sets on a new profile. */
  fields: Partial<Pick<Profile, 'port' | 'tls' | 'minTlsVersion' | 'verify' | 'username' | 'ca' | 'db'>>;
  /** The provider requires a password/token (asked for in the auth step). */
  needsPassword: boolean;
  /** The provider uses a private CA the user must download (CA step opens a file picker). */
  needsCaFile: boolean;
  /** Hint shown at the CA step. */
  caHint?: string;
}

export const PRESETS: readonly ProfilePreset[] = [
  {
    id: 'aws-elasticache',
    label: 'AWS ElastiCache (in-transit encryption)',
    detail: 'Port 6379, TLS, Amazon CA in the system trust store; AUTH token or RBAC user.',
    hostExample: 'master.my-cache.abc123.use1.cache.amazonaws.com',
    fields: { port: 6379, tls: true, minTlsVersion: 'TLSv1.2', verify: 'full', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: false,
  },
  {
    id: 'azure-cache',
    label: 'Azure Cache for Redis',
    detail: 'TLS port 6380, TLS 1.2 minimum, access key as password.',
    hostExample: 'my-cache.redis.cache.windows.net',
    fields: { port: 6380, tls: true, minTlsVersion: 'TLSv1.2', verify: 'full', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: false,
  },
  {
    id: 'azure-managed-redis',
    label: 'Azure Managed Redis',
    detail: 'TLS port 10000, TLS 1.2 minimum, access key as password.',
    hostExample: 'my-cache.westeurope.redis.azure.net',
    fields: { port: 10000, tls: true, minTlsVersion: 'TLSv1.2', verify: 'full', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: false,
  },
  {
    id: 'redis-cloud',
    label: 'Redis Cloud',
    detail: 'TLS with the downloaded Redis Cloud CA (redis_ca.pem); user "default" + password.',
    hostExample: 'redis-12345.c1.us-east-1-2.ec2.redns.redis-cloud.com',
    fields: { tls: true, verify: 'full', username: 'default', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: true,
    caHint: 'Pick redis_ca.pem downloaded from the database page (Security > Transport layer security).',
  },
  {
    id: 'upstash',
    label: 'Upstash',
    detail: 'TLS always on, port 6379, user "default" + token, public CA.',
    hostExample: 'eu1-sharp-fox-12345.upstash.io',
    fields: { port: 6379, tls: true, verify: 'full', username: 'default', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: false,
  },
  {
    id: 'gcp-memorystore',
    label: 'GCP Memorystore for Redis',
    detail: 'TLS port 6378 with the per-instance server CA (server-ca.pem, may hold several CAs during rotation); AUTH string.',
    hostExample: '10.0.0.3',
    fields: { port: 6378, tls: true, verify: 'full', ca: { kind: 'system' } },
    needsPassword: true,
    needsCaFile: true,
    caHint:
      'Pick the instance\'s server-ca.pem (gcloud redis instances describe ... --format="value(serverCaCerts)"); during rotation it holds two CAs.',
  },
];

export function findPreset(id: string | undefined): ProfilePreset | undefined {
  return PRESETS.find((p) => p.id === id);
}
