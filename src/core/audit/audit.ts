/**
 * The TLS posture of a Redis endpoint, seen from outside: protocols, TLS 1.2 suites, the TLS 1.3
 * suite, client-certificate policy, session resumption, the presented chain, a plaintext port next
 * to it, and what TLS costs per round trip. Also the shape of `redis-tls audit --json`.
 */
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import {
  buildChain,
  certificateFindings,
  DEFAULT_EXPIRY_WARNING_DAYS,
  parseCertificates,
  type Certificate,
  type ChainReport,
} from '../certs';
import { RedisConnection } from '../client/connection';
import type { ConnectionOptions } from '../endpoint/options';
import { sniFor, TlsCache } from '../tls/context';
import { fetchPresentedChain } from '../tls/inspectionHandshake';
import { plaintextRedisProbe } from '../tls/probes';
import { isClientCertRefusal, isVersionRefusal, probeHandshake, type ProbeTarget } from './handshake';
import { throwawayClientIdentity } from './throwawayIdentity';

export const AUDIT_PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type AuditProtocol = (typeof AUDIT_PROTOCOLS)[number];

/** Probes only: OpenSSL offers TLS 1.0/1.1 and every suite it has at security level 0. */
const PROBE_CIPHERS = 'DEFAULT:@SECLEVEL=0';

export interface AuditFinding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  title: string;
  detail: string;
  fix: string | null;
}

export interface CipherVerdict {
  name: string;
  weak: boolean;
  /** Why it is weak ("no forward secrecy", "CBC mode", "broken: 3DES"...). */
  reasons: string[];
}

export interface AuditChain {
  presented: number;
  complete: boolean;
  trusted: boolean;
  verdict: string;
  trustSource: string;
  hostname: { name: string; match: boolean; explanation: string } | null;
  leaf: {
    subject: string;
    issuer: string;
    notAfter: string;
    daysLeft: number;
    key: string;
    keyBits: number | null;
    signatureAlgorithm: string;
  } | null;
  certificates: Array<{ subject: string; issuer: string; notAfter: string; role: string; source: string }>;
}

export interface AuditResult {
  target: { host: string; port: number; servername: string | null };
  protocols: Record<AuditProtocol, boolean>;
  ciphers: { 'TLSv1.2': CipherVerdict[]; 'TLSv1.3': string | null; enumerated: boolean };
  clientCert: 'required' | 'optional' | 'none';
  resumption: { supported: boolean; freshMs: number | null; resumedMs: number | null };
  chain: AuditChain | null;
  plaintextPort: { port: number; open: boolean } | null;
  cost: {
    pingTlsMs: number | null;
    pingPlaintextMs: number | null;
    samples: number;
    handshakeFreshMs: number | null;
    handshakeResumedMs: number | null;
  };
  findings: AuditFinding[];
}

export interface AuditOptions {
  /** Where and how (CA, client identity, servername, password) — as for the doctor. */
  connection: ConnectionOptions;
  /** The plaintext port to look at; null: do not look. Default 6379. */
  plaintextPort?: number | null;
  /** PINGs per median (default 100). */
  pingSamples?: number;
  /** Handshakes per resumption median (default 5). */
  resumptionRounds?: number;
  timeoutMs?: number;
  warnDays?: number;
  now?: Date;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const v = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return Math.round(v * 1000) / 1000;
}

/** The TLS 1.2 suites this client can offer (PSK and SRP need shared secrets and are left out). */
export function tls12CipherCandidates(): string[] {
  return tls
    .getCiphers()
    .filter((n) => !n.startsWith('tls_') && !/psk|srp/.test(n))
    .map((n) => n.toUpperCase());
}

export function judgeCipher(name: string): CipherVerdict {
  const reasons: string[] = [];
  const broken = /RC4|DES|NULL|EXP|ANON|ADH|AECDH|MD5|IDEA|SEED|RC2/.exec(name);
  if (broken) reasons.push(`broken: ${broken[0] === 'DES' && /CBC3/.test(name) ? '3DES' : broken[0]}`);
  if (!/^(ECDHE|DHE|EDH)-/.test(name)) reasons.push('no forward secrecy (RSA key exchange)');
  if (!/GCM|CHACHA20|CCM/.test(name)) reasons.push('CBC mode');
  return { name, weak: reasons.length > 0, reasons };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

async function pingMedian(options: ConnectionOptions, samples: number): Promise<number | null> {
  let conn: RedisConnection | undefined;
  try {
    conn = await RedisConnection.open(options, { tlsCache: new TlsCache() });
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      await conn.send(['PING']);
      times.push(performance.now() - t0);
    }
    return median(times);
  } catch {
    return null;
  } finally {
    if (conn) await conn.close().catch(() => undefined);
  }
}

function chainSummary(report: ChainReport, presented: Certificate[], hostname: string, trustSource: string, now: Date): AuditChain {
  const leaf = presented[0];
  const s = leaf.summary();
  // Complete: every certificate between the leaf and the root was sent by the server.
  const complete = report.complete && report.links.every((l) => l.position === 0 || l.role === 'root' || l.source.startsWith('presented'));
  return {
    presented: presented.length,
    complete,
    trusted: report.trusted,
    verdict: report.verdict,
    trustSource,
    hostname: report.nameMatch ? { name: hostname, match: report.nameMatch.ok, explanation: report.nameMatch.explanation } : null,
    leaf: {
      subject: s.subject,
      issuer: s.issuer,
      notAfter: s.notAfter,
      daysLeft: Math.floor((leaf.notAfter.getTime() - now.getTime()) / 86_400_000),
      key: s.publicKey,
      keyBits: s.keyBits ?? null,
      signatureAlgorithm: s.signatureAlgorithm,
    },
    certificates: report.links.map((l) => ({
      subject: l.cert.subject,
      issuer: l.cert.issuer,
      notAfter: l.cert.notAfter.toISOString(),
      role: l.role,
      source: l.source,
    })),
  };
}

/** Runs every probe against the endpoint. Never throws for network trouble: it becomes a finding. */
export async function auditEndpoint(o: AuditOptions): Promise<AuditResult> {
  const c = o.connection;
  const now = o.now ?? new Date();
  const warnDays = o.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const timeoutMs = o.timeoutMs ?? 5000;
  const samples = o.pingSamples ?? 100;
  const servername = sniFor(c.host, c.tls.servername) ?? null;
  const identity = c.tls.cert || c.tls.pfx ? { cert: c.tls.cert, key: c.tls.key, passphrase: c.tls.passphrase, pfx: c.tls.pfx } : undefined;
  const target: ProbeTarget = {
    host: c.host,
    port: c.port,
    ...(c.tls.servername ? { servername: c.tls.servername } : {}),
    ...(identity ? { identity } : {}),
    timeoutMs,
  };
  const findings: AuditFinding[] = [];
  const result: AuditResult = {
    target: { host: c.host, port: c.port, servername },
    protocols: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false },
    ciphers: { 'TLSv1.2': [], 'TLSv1.3': null, enumerated: false },
    clientCert: 'none',
    resumption: { supported: false, freshMs: null, resumedMs: null },
    chain: null,
    plaintextPort: null,
    cost: { pingTlsMs: null, pingPlaintextMs: null, samples, handshakeFreshMs: null, handshakeResumedMs: null },
    findings,
  };

  // Client certificates first: without one, a TLS 1.2 server that demands it fails every handshake.
  const bare = await probeHandshake(target, { identity: null, ping: true });
  if (
    !bare.handshake &&
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|TIMEOUT|ECONNRESET|CLOSED|WRONG_VERSION_NUMBER|PACKET_LENGTH/.test(
      bare.errorCode ?? '',
    ) &&
    !isClientCertRefusal(bare.errorCode)
  ) {
    findings.push({
      severity: 'error',
      code: 'UNREACHABLE',
      title: `No TLS handshake with ${c.host}:${c.port}`,
      detail: `The probe failed with ${bare.errorCode}${bare.errorCode === 'TIMEOUT' ? ' (a plaintext Redis port stays silent when spoken TLS to)' : ''}.`,
      fix: 'Check the host, the port and that it is a TLS port (tls-port).',
    });
    return result;
  }
  if (!bare.replied && (isClientCertRefusal(bare.errorCode) || bare.handshake)) {
    result.clientCert = 'required';
  } else {
    const throwaway = await throwawayClientIdentity();
    const other = await probeHandshake(target, { identity: throwaway, ping: true });
    result.clientCert = other.replied ? 'none' : 'optional';
  }
  const needIdentity = result.clientCert === 'required' && !identity;

  // Protocols, one by one.
  for (const v of AUDIT_PROTOCOLS) {
    const r = await probeHandshake(target, { minVersion: v, maxVersion: v, ciphers: PROBE_CIPHERS });
    result.protocols[v] =
      r.handshake || (needIdentity && !isVersionRefusal(r.errorCode) && isClientCertRefusal(r.errorCode) && v === 'TLSv1.3');
  }
  // TLS 1.2 suites, from what this client can offer; the TLS 1.3 suite the server picks.
  if (result.protocols['TLSv1.2'] && !needIdentity) {
    const accepted = await mapLimit(tls12CipherCandidates(), 6, async (name) => {
      const r = await probeHandshake(target, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: `${name}:@SECLEVEL=0` });
      return r.handshake ? name : undefined;
    });
    result.ciphers['TLSv1.2'] = accepted.filter((n): n is string => n !== undefined).map(judgeCipher);
    result.ciphers.enumerated = true;
  }
  if (result.protocols['TLSv1.3']) {
    const r = await probeHandshake(target, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    result.ciphers['TLSv1.3'] = r.cipher;
  }

  // Session resumption: a fresh handshake, then one offering its session.
  const rounds = o.resumptionRounds ?? 5;
  const fresh: number[] = [];
  const resumed: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const first = await probeHandshake(target, { ping: true });
    if (first.handshakeMs !== null) fresh.push(first.handshakeMs);
    if (!first.session) continue;
    const second = await probeHandshake(target, { ping: true, session: first.session });
    if (second.sessionReused && second.handshakeMs !== null) resumed.push(second.handshakeMs);
  }
  result.resumption = { supported: resumed.length > 0, freshMs: median(fresh), resumedMs: median(resumed) };
  result.cost.handshakeFreshMs = result.resumption.freshMs;
  result.cost.handshakeResumedMs = result.resumption.resumedMs;

  // The chain as presented, judged against the configured CAs (or the system store).
  try {
    const probe = await fetchPresentedChain({
      host: c.host,
      port: c.port,
      ...(c.tls.servername ? { servername: c.tls.servername } : {}),
      ...(identity ?? {}),
      timeoutMs,
    });
    const anchors = c.tls.ca ? c.tls.ca.flatMap((x) => parseCertificates(x)) : undefined;
    const hostname = c.tls.servername || c.host;
    const report = await buildChain({
      presented: probe.presented,
      anchors,
      useSystemRoots: c.tls.useSystemCA,
      hostname,
      purpose: 'server',
      now,
    });
    result.chain = chainSummary(report, probe.presented, hostname, anchors ? 'the CA file given' : 'the system trust store', now);
    chainFindings(result.chain, report, probe.presented[0], warnDays, now, findings);
  } catch (e) {
    findings.push({
      severity: 'error',
      code: 'CHAIN_UNREADABLE',
      title: 'The certificate chain could not be read',
      detail: e instanceof Error ? e.message : 'The probe failed.',
      fix: null,
    });
  }

  // A plaintext Redis on the same host?
  const plainPort = o.plaintextPort === undefined ? 6379 : o.plaintextPort;
  if (plainPort !== null && plainPort !== c.port) {
    const open = await plaintextRedisProbe(c.host, plainPort, Math.min(timeoutMs, 2000));
    result.plaintextPort = { port: plainPort, open };
  }

  // What TLS costs per round trip.
  result.cost.pingTlsMs = await pingMedian({ ...c, tls: { ...c.tls, enabled: true } }, samples);
  if (result.plaintextPort?.open) {
    result.cost.pingPlaintextMs = await pingMedian({ ...c, port: result.plaintextPort.port, tls: { enabled: false } }, samples);
  }

  postureFindings(result, needIdentity, findings);
  return result;
}

function chainFindings(
  chain: AuditChain,
  report: ChainReport,
  leaf: Certificate,
  warnDays: number,
  now: Date,
  findings: AuditFinding[],
): void {
  if (!chain.complete) {
    findings.push({
      severity: 'error',
      code: 'CHAIN_INCOMPLETE',
      title: 'The server does not send its whole chain',
      detail: `${report.links.find((l) => l.checks.some((x) => x.id === 'signature' && x.verdict === 'error'))?.checks.find((x) => x.id === 'signature')?.text ?? 'An intermediate certificate was not presented by the server.'}`,
      fix: 'Put the intermediate certificate(s) after the leaf in tls-cert-file (or in tls-ca-cert-file, from which OpenSSL completes the chain).',
    });
  } else if (!chain.trusted) {
    findings.push({
      severity: 'error',
      code: 'CHAIN_UNTRUSTED',
      title: 'The chain is not trusted',
      detail: `${report.verdict} (judged against ${chain.trustSource}).`,
      fix: 'Give the CA that issued the server certificate (--cacert), or fix the certificate.',
    });
  }
  if (chain.hostname && !chain.hostname.match) {
    findings.push({
      severity: 'error',
      code: 'HOSTNAME_MISMATCH',
      title: `The certificate does not name ${chain.hostname.name}`,
      detail: chain.hostname.explanation,
      fix: 'Connect with a name the certificate lists (--sni), or reissue it with this name as a SAN.',
    });
  }
  for (const f of certificateFindings(leaf, { now, warnDays, purpose: 'server' })) {
    const code =
      f.id === 'expired'
        ? 'CERT_EXPIRED'
        : f.id === 'expiring'
          ? 'CERT_EXPIRING'
          : f.id === 'not-yet-valid'
            ? 'CERT_NOT_YET_VALID'
            : f.id === 'weak-rsa'
              ? 'WEAK_KEY'
              : f.id === 'sha1-signature'
                ? 'WEAK_SIGNATURE'
                : f.id === 'missing-server-eku'
                  ? 'WRONG_PURPOSE'
                  : undefined;
    if (code) findings.push({ severity: f.severity, code, title: f.title, detail: f.detail, fix: f.fix ?? null });
  }
}

function postureFindings(r: AuditResult, needIdentity: boolean, findings: AuditFinding[]): void {
  const old = (['TLSv1', 'TLSv1.1'] as const).filter((v) => r.protocols[v]);
  if (old.length) {
    findings.push({
      severity: 'error',
      code: 'OLD_PROTOCOL',
      title: `${old.join(' and ')} accepted`,
      detail: `The server completes handshakes with ${old.join(' and ')}, deprecated by RFC 8996.`,
      fix: 'tls-protocols "TLSv1.2 TLSv1.3" in redis.conf.',
    });
  }
  if (!r.protocols['TLSv1.3'] && r.protocols['TLSv1.2']) {
    findings.push({
      severity: 'info',
      code: 'NO_TLS13',
      title: 'TLS 1.3 is not offered',
      detail: 'Only TLS 1.2 (or older) is accepted; TLS 1.3 handshakes are faster and resume cheaper.',
      fix: 'tls-protocols "TLSv1.2 TLSv1.3".',
    });
  }
  if (!AUDIT_PROTOCOLS.some((v) => r.protocols[v])) {
    findings.push({
      severity: 'error',
      code: 'NO_PROTOCOL',
      title: 'No protocol version could be negotiated',
      detail: needIdentity ? 'The server demands a client certificate; give one (--cert/--key) to probe it.' : 'Every probe failed.',
      fix: null,
    });
  }
  const broken = r.ciphers['TLSv1.2'].filter((x) => x.reasons.some((why) => why.startsWith('broken')));
  const weak = r.ciphers['TLSv1.2'].filter((x) => x.weak && !broken.includes(x));
  if (broken.length)
    findings.push({
      severity: 'error',
      code: 'INSECURE_CIPHER',
      title: `${broken.length} broken TLS 1.2 suite(s) accepted`,
      detail: broken.map((x) => `${x.name} (${x.reasons.join(', ')})`).join('; '),
      fix: 'Remove them with tls-ciphers (e.g. DEFAULT:!MEDIUM:!3DES:!RC4).',
    });
  if (weak.length)
    findings.push({
      severity: 'warning',
      code: 'WEAK_CIPHER',
      title: `${weak.length} weak TLS 1.2 suite(s) accepted`,
      detail: weak.map((x) => `${x.name} (${x.reasons.join(', ')})`).join('; '),
      fix: 'tls-ciphers "ECDHE+AESGCM:ECDHE+CHACHA20" keeps forward-secret AEAD suites only.',
    });
  if (needIdentity && r.protocols['TLSv1.2'] === false) {
    findings.push({
      severity: 'info',
      code: 'NEEDS_CLIENT_CERT',
      title: 'TLS 1.2 could not be probed without a client certificate',
      detail: 'The server demands a client certificate; TLS 1.2 refuses the handshake without one, so its versions and suites are unknown.',
      fix: 'Run the audit with --cert and --key.',
    });
  }
  if (r.clientCert === 'none')
    findings.push({
      severity: 'info',
      code: 'CLIENT_CERT_NONE',
      title: 'No client certificate is asked for',
      detail: 'tls-auth-clients no: anyone who reaches the port can start a session; only a password or ACL user protects the data.',
      fix: 'tls-auth-clients yes (mutual TLS) where clients can hold certificates.',
    });
  if (r.clientCert === 'optional')
    findings.push({
      severity: 'info',
      code: 'CLIENT_CERT_OPTIONAL',
      title: 'Client certificates are optional',
      detail: 'A client certificate is verified when sent, but clients without one are accepted too.',
      fix: null,
    });
  if (!r.resumption.supported && r.resumption.freshMs !== null) {
    findings.push({
      severity: 'warning',
      code: 'NO_RESUMPTION',
      title: 'TLS session resumption is off',
      detail: `A second handshake offering the first's session was not resumed: every reconnect pays for a full handshake (${r.resumption.freshMs} ms here).`,
      fix: 'tls-session-caching yes in redis.conf.',
    });
  }
  if (r.plaintextPort?.open) {
    findings.push({
      severity: 'warning',
      code: 'PLAINTEXT_OPEN',
      title: `Redis also answers in clear text on port ${r.plaintextPort.port}`,
      detail: 'Clients (and attackers on the path) can bypass TLS entirely on that port.',
      fix: 'port 0 in redis.conf (TLS only).',
    });
  }
}
