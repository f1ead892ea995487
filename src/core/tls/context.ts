import { createHash } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { checkKeyPair } from '../certs/keyPair';
import type { ConnectionOptions, TlsSettings } from '../endpoint/options';
import { DiagnosedError } from '../diagnosis/problem';
import { classifyError } from './classify';

function digest(parts: Array<string | Buffer | undefined>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    if (p === undefined) h.update('\u0000undefined');
    else {
      h.update(`\u0000${Buffer.byteLength(p)}:`);
      h.update(p);
    }
  }
  return h.digest('hex');
}

/** The SNI a handshake sends: the configured servername, else the host unless it is an IP literal. */
export function sniFor(host: string, servername: string | undefined): string | undefined {
  return servername ?? (net.isIP(host) ? undefined : host);
}

/**
 * digest(ca) per CA list (cluster nodes' options share their profile's list): a bundle is hashed
 * once, again only when the list's entries changed.
 */
const caDigests = new WeakMap<readonly (string | Buffer)[], { items: Array<string | Buffer>; digest: string }>();
function caDigest(ca: readonly (string | Buffer)[] | undefined): string {
  if (!ca) return digest(['<system>']);
  const known = caDigests.get(ca);
  if (known && known.items.length === ca.length && known.items.every((x, i) => x === ca[i])) return known.digest;
  const items = [...ca];
  const d = digest(items);
  caDigests.set(ca, { items, digest: d });
  return d;
}

/**
 * Everything that changes what a handshake verifies or presents, hashed: two connections share TLS
 * sessions only if their keys are equal. Secrets only enter as hashes.
 */
export function tlsProfileKey(o: ConnectionOptions): string {
  const t = o.tls;
  // The target and how it is verified, on top of the SecureContext's own settings.
  return digest([o.host.toLowerCase(), String(o.port), t.servername ?? '', secureContextKey(o), t.verify ?? 'full', t.pinSha256 ?? '']);
}

/**
 * Everything createSecureContext is given (secureContextOptions), hashed: connections of one profile
 * share a SecureContext whatever host, port, server name, verify mode or pin they use (each cluster
 * node would otherwise parse the CA bundle again: 26 ms for a 140-certificate bundle).
 */
export function secureContextKey(o: ConnectionOptions): string {
  const t = o.tls;
  return digest([
    caDigest(t.ca),
    t.useSystemCA ? 'system+' : 'own',
    digest([t.cert, t.key, t.passphrase]),
    t.pfx ? digest([t.pfx]) : '',
    t.minVersion ?? 'TLSv1.2',
    t.maxVersion ?? '',
  ]);
}

/** The options of tls.createSecureContext for a profile. */
export function secureContextOptions(
  t: TlsSettings,
  overrides?: { minVersion?: tls.SecureVersion; maxVersion?: tls.SecureVersion; withClientIdentity?: boolean },
): tls.SecureContextOptions {
  const ca = t.ca && t.ca.length > 0 ? (t.useSystemCA ? [...tls.rootCertificates, ...t.ca] : t.ca) : undefined;
  const withId = overrides?.withClientIdentity ?? true;
  return {
    ...(ca ? { ca } : {}),
    ...(withId && t.cert ? { cert: t.cert } : {}),
    ...(withId && t.key ? { key: t.key } : {}),
    ...(withId && t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
    ...(withId && t.pfx ? { pfx: t.pfx } : {}),
    minVersion: overrides?.minVersion ?? t.minVersion ?? 'TLSv1.2',
    ...((overrides?.maxVersion ?? t.maxVersion) ? { maxVersion: overrides?.maxVersion ?? t.maxVersion } : {}),
  };
}

/**
 * Checks the client key before any socket exists: a wrong or missing passphrase and a key that
 * does not match its certificate would otherwise be thrown synchronously from tls.connect.
 */
export function precheckClientIdentity(o: ConnectionOptions): void {
  const t = o.tls;
  const result = checkKeyPair({ cert: t.cert, key: t.key, passphrase: t.passphrase }, { requireBoth: true });
  if (!result.ok) throw new DiagnosedError(result.problem, result.cause === undefined ? undefined : { cause: result.cause });
}

/**
 * One SecureContext per profile (cheaper handshakes), and TLS sessions for resumption. Sessions are
 * stored only from connections whose chain and host name were verified, under the full profile key,
 * so an unverified connection can never hand its session to a verifying one.
 */
export class TlsCache {
  private readonly contexts = new Map<string, tls.SecureContext>();
  private readonly sessions = new Map<string, Buffer>();
  private readonly maxEntries: number;

  constructor(maxEntries = 256) {
    this.maxEntries = maxEntries;
  }

  /** The SecureContext for a profile's TLS settings (secureContextKey), made once. */
  secureContext(o: ConnectionOptions, key = secureContextKey(o)): tls.SecureContext {
    let ctx = this.contexts.get(key);
    if (!ctx) {
      try {
        ctx = tls.createSecureContext(secureContextOptions(o.tls));
      } catch (e) {
        throw new DiagnosedError(classifyError(e, { options: o }), { cause: e });
      }
      if (this.contexts.size >= this.maxEntries) this.contexts.delete(this.contexts.keys().next().value as string);
      this.contexts.set(key, ctx);
    }
    return ctx;
  }

  hasSecureContext(key: string): boolean {
    return this.contexts.has(key);
  }

  session(key: string): Buffer | undefined {
    return this.sessions.get(key);
  }

  /** Stores a session only when the connection verified the server (chain + name, or the pin). */
  storeSession(key: string, session: Buffer, verified: boolean): void {
    if (!verified) return;
    if (this.sessions.size >= this.maxEntries && !this.sessions.has(key)) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(key, session);
  }

  forgetSession(key: string): void {
    this.sessions.delete(key);
  }

  clear(): void {
    this.contexts.clear();
    this.sessions.clear();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  get contextCount(): number {
    return this.contexts.size;
  }
}

/** The process-wide cache shared by all connections that do not bring their own. */
export const defaultTlsCache = new TlsCache();
