/**
 * The answers of the Add/Edit Connection flow as plain data: what the interactive steps fill in,
 * and what tests (and other callers) may pass directly to `redisTls.addConnection`.
 */
import { isEncryptedKeyPem } from '../certs/pem';
import type { TlsVersion, VerifyMode } from '../endpoint/options';
import type { NodeNaming } from '../diagnosis/topology';
import { defaultName, emptyProfile, type DraftSecrets, type ProfileDraft } from './draft';
import { findPreset } from './presets';
import { parseEndpoint } from './topology';
import type { Profile } from './profile';

export interface ConnectionAnswers {
  name?: string;
  host?: string;
  port?: number;
  db?: number;
  tls?: boolean;
  servername?: string;
  verify?: VerifyMode;
  pinSha256?: string;
  minTlsVersion?: TlsVersion;
  maxTlsVersion?: TlsVersion;
  /** CA: a linked file (or directory); with `importCa` its content is imported into SecretStorage instead. */
  caPath?: string;
  importCa?: boolean;
  /** CA PEM text, imported into SecretStorage. */
  caPem?: string;
  /** Also trust the system store next to the given CA. */
  alsoSystemCA?: boolean;
  /** Client identity: linked PEM files; with `importIdentity` their content goes to SecretStorage. */
  certPath?: string;
  keyPath?: string;
  importIdentity?: boolean;
  certPem?: string;
  keyPem?: string;
  passphrase?: string;
  /** PKCS#12/PFX file (linked) and its password. */
  pfxPath?: string;
  pfxPassword?: string;
  username?: string;
  password?: string;
  delimiter?: string;
  group?: string;
  color?: string;
  /** Refuse writes (undefined: keep; production profiles default to read-only). */
  readOnly?: boolean;
  /** Mark as production (badge; read-only unless readOnly is false). */
  production?: boolean;
  preset?: string;
  /** Cluster: the name each node is verified against, and explicit entries (address / node id / pattern -> name). */
  clusterNaming?: NodeNaming;
  clusterNodeNames?: Record<string, string>;
  readFromReplicas?: boolean;
  /** A Sentinel profile (null: not one). Host and port then default to the first sentinel. */
  sentinel?: SentinelAnswers | null;
  /** Connect after saving. */
  connect?: boolean;
  /** Save even when the checks found problems (they are still reported). */
  ignoreProblems?: boolean;
}

/** How a Sentinel profile reaches its sentinels; unset TLS fields use the data nodes' settings. */
export interface SentinelAnswers {
  service: string;
  sentinels: string[];
  /** TLS towards the sentinels (undefined: as the data nodes). */
  tls?: boolean;
  servername?: string;
  /** CA file of the sentinels ('' or undefined: the data nodes' CA). */
  caPath?: string;
  /** Client certificate of the sentinels ('' for none; undefined: the data nodes'). */
  certPath?: string;
  keyPath?: string;
  username?: string;
  /** The sentinels' password (a secret: SecretStorage, never the profile); '' keeps the stored one. */
  password?: string;
  replica?: boolean;
}

/** File contents the caller read (the core does not choose how files are read). */
export interface AnswerFiles {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
  pfx?: Buffer;
}

/**
 * Applies answers onto a profile (a new one when `base` is undefined). Linked paths stay paths;
 * imported material and every secret go into the draft's secrets.
 */
export function applyAnswers(answers: ConnectionAnswers, base?: Profile, files: AnswerFiles = {}): ProfileDraft {
  const preset = findPreset(answers.preset);
  const p: Profile = base ? { ...base } : emptyProfile({ ...(preset?.fields ?? {}), preset: preset?.id });
  const secrets: DraftSecrets = {};
  const warnings: string[] = [];
  if (answers.host !== undefined) p.host = answers.host.trim();
  if (answers.port !== undefined) p.port = answers.port;
  if (answers.db !== undefined) p.db = answers.db;
  if (answers.tls !== undefined) p.tls = answers.tls;
  if (answers.servername !== undefined) p.servername = answers.servername.trim() || undefined;
  if (answers.verify !== undefined) p.verify = answers.verify;
  if (answers.pinSha256 !== undefined) p.pinSha256 = answers.pinSha256 || undefined;
  if ('minTlsVersion' in answers) p.minTlsVersion = answers.minTlsVersion;
  if ('maxTlsVersion' in answers) p.maxTlsVersion = answers.maxTlsVersion;
  if (answers.username !== undefined) p.username = answers.username.trim() || undefined;
  if (answers.delimiter !== undefined) p.delimiter = answers.delimiter;
  if (answers.group !== undefined) p.group = answers.group.trim() || undefined;
  if (answers.color !== undefined) p.color = answers.color.trim() || undefined;
  if (answers.production !== undefined) p.production = answers.production || undefined;
  if (answers.readOnly !== undefined) p.readOnly = answers.readOnly;
  if (p.verify !== 'pin') p.pinSha256 = undefined;
  if (answers.clusterNaming !== undefined) p.clusterNaming = answers.clusterNaming === 'seed' ? undefined : answers.clusterNaming;
  if (answers.clusterNodeNames !== undefined)
    p.clusterNodeNames = Object.keys(answers.clusterNodeNames).length > 0 ? { ...answers.clusterNodeNames } : undefined;
  if (answers.readFromReplicas !== undefined) p.readFromReplicas = answers.readFromReplicas || undefined;
  if (answers.sentinel === null) p.sentinel = undefined;
  else if (answers.sentinel) applySentinel(p, answers.sentinel, secrets);

  const alsoSystem = answers.alsoSystemCA === true ? true : undefined;
  if (answers.caPem !== undefined) {
    p.ca = { kind: 'imported', alsoSystem };
    secrets.caPem = answers.caPem;
  } else if (answers.caPath !== undefined) {
    if (answers.caPath === '') p.ca = { kind: 'system' };
    else if (answers.importCa && files.ca) {
      p.ca = { kind: 'imported', label: answers.caPath, alsoSystem };
      secrets.caPem = files.ca.map((b) => b.toString('utf8')).join('\n');
    } else p.ca = { kind: 'file', path: answers.caPath, alsoSystem };
  } else if (answers.alsoSystemCA !== undefined && p.ca.kind !== 'system') {
    p.ca = { ...p.ca, alsoSystem };
  }

  if (answers.pfxPath !== undefined) {
    p.client = answers.pfxPath === '' ? { kind: 'none' } : { kind: 'pfx', path: answers.pfxPath };
  } else if (answers.certPem !== undefined && answers.keyPem !== undefined) {
    p.client = { kind: 'imported', encryptedKey: isEncryptedKeyPem(answers.keyPem) };
    secrets.certPem = answers.certPem;
    secrets.keyPem = answers.keyPem;
  } else if (answers.certPath !== undefined || answers.keyPath !== undefined) {
    const certPath = answers.certPath ?? '';
    const keyPath = answers.keyPath ?? '';
    if (certPath === '' && keyPath === '') p.client = { kind: 'none' };
    else if (answers.importIdentity && files.cert && files.key) {
      const keyPem = files.key.toString('utf8');
      p.client = { kind: 'imported', label: certPath, encryptedKey: isEncryptedKeyPem(keyPem) };
      secrets.certPem = files.cert.toString('utf8');
      secrets.keyPem = keyPem;
    } else {
      p.client = { kind: 'files', certPath, keyPath, encryptedKey: files.key ? isEncryptedKeyPem(files.key.toString('utf8')) : undefined };
    }
  }
  if (answers.passphrase !== undefined) secrets.passphrase = answers.passphrase;
  if (answers.pfxPassword !== undefined) secrets.pfxPassword = answers.pfxPassword;
  if (answers.password !== undefined) {
    secrets.password = answers.password;
    p.hasPassword = answers.password !== '' ? true : undefined;
  }
  if (!p.tls) {
    if (p.ca.kind !== 'system' || p.client.kind !== 'none') warnings.push('TLS is off: the CA and client certificate are not used.');
    p.ca = { kind: 'system' };
    p.client = { kind: 'none' };
  }
  if (answers.name !== undefined && answers.name.trim() !== '') p.name = answers.name.trim();
  if (p.name.trim() === '') p.name = defaultName(p);
  return { profile: p, secrets, warnings };
}

function applySentinel(p: Profile, s: SentinelAnswers, secrets: DraftSecrets): void {
  const sentinels = s.sentinels.map((x) => x.trim()).filter((x) => x !== '');
  const had = p.sentinel;
  const servername = s.servername?.trim();
  const username = s.username?.trim();
  const hasPassword = s.password ? true : had?.hasPassword;
  p.sentinel = {
    service: s.service.trim(),
    sentinels,
    ...(s.tls !== undefined ? { tls: s.tls } : {}),
    ...(servername ? { servername } : {}),
    ...(s.caPath ? { ca: { kind: 'file' as const, path: s.caPath } } : {}),
    ...(s.certPath !== undefined
      ? {
          client:
            s.certPath === '' ? { kind: 'none' as const } : { kind: 'files' as const, certPath: s.certPath, keyPath: s.keyPath ?? '' },
        }
      : {}),
    ...(username ? { username } : {}),
    ...(hasPassword ? { hasPassword: true } : {}),
    ...(s.replica ? { replica: true } : {}),
  };
  if (s.password !== undefined && s.password !== '') secrets.sentinelPassword = s.password;
  // The data nodes are found through the sentinels: the profile's address is the first sentinel's.
  const first = sentinels[0] ? parseEndpoint(sentinels[0]) : undefined;
  if (first) {
    p.host = first.host;
    p.port = first.port;
  }
}
