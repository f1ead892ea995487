/**
 * Secrets are bound to the target they were entered for. A stored password (or passphrase, PFX
 * password, imported key...) is only handed to a connection whose target is the one the user typed
 * it for: same host, port, TLS on/off, verification mode, server name, CA source and pin. The
 * binding is a SHA-256 digest of a canonical JSON of those fields, kept beside the secrets; when the
 * target differs, the stored secrets are not sent and the user is asked again, told what changed.
 *
 * Also the namespaces of secrets: a workspace profile (from `.vscode/redis-tls.json`) and a user
 * profile never share secrets, whatever their ids or names.
 */
import { createHash } from 'node:crypto';
import type { CaSource, Profile } from './profile';
import { WORKSPACE_PROFILES_FILE } from './workspaceFile';

/** What a secret may be sent to. Non-secret: these are the profile's own fields. */
export interface SecretTarget {
  host: string;
  port: number;
  tls: boolean;
  verify: string;
  servername: string;
  ca: string;
  pin: string;
  /** Sentinel profiles: the service, the sentinels and how they are reached (absent otherwise, so older bindings stay valid). */
  sentinel?: string;
}

/** Kept beside the secrets of a profile (SecretStorage, key `<namespace>.binding`). */
export interface StoredBinding {
  v: 1;
  digest: string;
  target: SecretTarget;
}

function caText(ca: CaSource): string {
  if (ca.kind === 'file') return `file ${ca.path}${ca.alsoSystem ? ' + system store' : ''}`;
  if (ca.kind === 'imported') return `imported${ca.alsoSystem ? ' + system store' : ''}`;
  return 'system store';
}

/** The target of a profile as far as its secrets are concerned. With TLS off, the TLS fields do not apply. */
export function secretTarget(
  p: Pick<Profile, 'host' | 'port' | 'tls' | 'verify' | 'servername' | 'ca' | 'pinSha256' | 'sentinel'>,
): SecretTarget {
  const s = p.sentinel;
  return {
    ...(s
      ? {
          sentinel: `${s.service} at ${s.sentinels.map((x) => x.trim().toLowerCase()).join(', ')}; TLS ${s.tls === false ? 'off' : 'on'}${s.servername ? `, server name ${s.servername.trim().toLowerCase()}` : ''}${s.ca ? `, CA ${caText(s.ca)}` : ''}`,
        }
      : {}),
    host: p.host.trim().toLowerCase(),
    port: p.port,
    tls: p.tls,
    verify: p.tls ? p.verify : '',
    servername: p.tls ? (p.servername ?? '').trim().toLowerCase() : '',
    ca: p.tls ? caText(p.ca) : '',
    pin: p.tls && p.verify === 'pin' ? (p.pinSha256 ?? '').replace(/:/g, '').toUpperCase() : '',
  };
}

/** JSON with the keys sorted: the same target always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function bindingDigest(target: SecretTarget): string {
  return createHash('sha256').update(canonicalJson(target)).digest('hex');
}

export function makeBinding(p: Parameters<typeof secretTarget>[0]): StoredBinding {
  const target = secretTarget(p);
  return { v: 1, digest: bindingDigest(target), target };
}

/** Reads a stored binding; anything malformed counts as no binding. */
export function parseBinding(text: string | undefined): StoredBinding | undefined {
  if (!text) return undefined;
  try {
    const b = JSON.parse(text) as StoredBinding;
    if (b && b.v === 1 && typeof b.digest === 'string' && b.target && typeof b.target === 'object' && bindingDigest(b.target) === b.digest)
      return b;
  } catch {
    // malformed: no binding
  }
  return undefined;
}

const endpoint = (t: SecretTarget): string => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);
const shown = (v: string): string => v || '(none)';

/**
 * What changed between the target the secrets were entered for and the target now, in words:
 * "host was cache.prod:6380, is now 203.0.113.7:6379; TLS is now off". Empty when nothing changed.
 */
export function describeTargetChange(was: SecretTarget, now: SecretTarget): string[] {
  const out: string[] = [];
  if (was.host !== now.host || was.port !== now.port) out.push(`host was ${endpoint(was)}, is now ${endpoint(now)}`);
  if (was.tls !== now.tls) out.push(`TLS is now ${now.tls ? 'on' : 'off'}`);
  if (was.tls && now.tls) {
    if (was.verify !== now.verify) out.push(`verification was ${was.verify}, is now ${now.verify}`);
    if (was.servername !== now.servername) out.push(`server name was ${shown(was.servername)}, is now ${shown(now.servername)}`);
    if (was.ca !== now.ca) out.push(`CA was ${was.ca}, is now ${now.ca}`);
    if (was.pin !== now.pin) out.push(`pinned certificate was ${shown(was.pin)}, is now ${shown(now.pin)}`);
  }
  if ((was.sentinel ?? '') !== (now.sentinel ?? ''))
    out.push(`sentinels were ${shown(was.sentinel ?? '')}, are now ${shown(now.sentinel ?? '')}`);
  return out;
}

/** Whether stored secrets may go to the profile's target now, and if not, why (in words). */
export type BindingCheck = { ok: true } | { ok: false; change: string };

export function checkBinding(stored: StoredBinding | undefined, p: Parameters<typeof secretTarget>[0]): BindingCheck {
  const now = makeBinding(p);
  if (stored?.digest === now.digest) return { ok: true };
  if (!stored) return { ok: false, change: 'there is no record of the target they were entered for' };
  const changes = describeTargetChange(stored.target, now.target);
  return { ok: false, change: changes.length > 0 ? changes.join('; ') : 'the target changed' };
}

/**
 * The SecretStorage namespace of a profile: user profiles keep `profile.<id>` (the keys they always
 * had); workspace profiles use `workspace.<id>`, so they never share secrets with a user profile.
 */
export function secretNamespace(p: Pick<Profile, 'id' | 'source'>): string {
  return `${p.source === 'workspace' ? 'workspace' : 'profile'}.${p.id}`;
}

/** Where a profile comes from, for labels, tooltips, quick picks and prompts; '' for user profiles. */
export function profileOrigin(p: Pick<Profile, 'source' | 'workspaceFolder'>): string {
  return p.source === 'workspace' ? `from ${WORKSPACE_PROFILES_FILE}${p.workspaceFolder ? ` in ${p.workspaceFolder}` : ''}` : '';
}

/** Restricted Mode: workspace profiles are off until the workspace is trusted; user profiles always work. */
export function visibleProfiles<T extends Pick<Profile, 'source'>>(profiles: readonly T[], workspaceTrusted: boolean): T[] {
  return workspaceTrusted ? [...profiles] : profiles.filter((p) => p.source !== 'workspace');
}
