import type { ConnectionOptions } from '../endpoint/options';
import { RedisConnection } from './connection';
import { sniFor, TlsCache } from '../tls/context';
import type { CertSummary } from '../certs/summary';
import { diagnosticHandshake } from '../tls/probes';
import type { HandshakeReport } from '../tls/report';
import { isDiagnosedError, type DiagnosisCode, type ProblemField } from '../diagnosis/problem';
import { classifyError } from '../tls/classify';

/** The doctor's verdict; also the shape of `redis-tls doctor --json`. */
export interface DoctorResult {
  ok: boolean;
  problem: { code: DiagnosisCode; title: string; detail: string; fix: string; field?: ProblemField } | null;
  target: { host: string; port: number; tls: boolean; servername: string | null };
  tls: {
    protocol: string | null;
    cipher: string | null;
    alpn: string | null;
    authorized: boolean;
    authorizationError: string | null;
    verification: HandshakeReport['verification'];
    sessionReused: boolean;
  } | null;
  chain: CertSummary[];
  server: (Record<string, string> & { redisVersion?: string; mode?: string }) | null;
  timings: HandshakeReport['timings'] | null;
  /** Things that work today but deserve attention (expiry soon, verification off...). */
  warnings: string[];
}

const SERVER_FIELDS: Record<string, string> = {
  redis_version: 'redisVersion',
  redis_mode: 'mode',
  os: 'os',
  arch_bits: 'archBits',
  tcp_port: 'tcpPort',
  uptime_in_seconds: 'uptimeSeconds',
  run_id: 'runId',
  server_name: 'serverName',
};

/** Parses the `# Server` section of INFO into camel-cased fields we know. Values are server-supplied text. */
export function parseInfoServer(info: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const name = SERVER_FIELDS[key];
    if (name) out[name] = line.slice(i + 1).slice(0, 200);
  }
  return out;
}

const DAY = 86_400_000;

function chainWarnings(chain: CertSummary[], now = Date.now()): string[] {
  const out: string[] = [];
  for (const c of chain) {
    const left = Date.parse(c.notAfter) - now;
    if (left > 0 && left < 30 * DAY) out.push(`"${c.subject}" expires in ${Math.ceil(left / DAY)} day(s), on ${c.notAfter}.`);
    // Node accepts these at its default security level; Debian's OpenSSL (redis-cli, redis-server) does not.
    const key = c.publicKey;
    if ((key.algorithm === 'rsa' || key.algorithm === 'rsa-pss' || key.algorithm === 'dsa') && key.size !== null && key.size < 2048) {
      out.push(
        `WEAK_CERTIFICATE: "${c.subject}" has a ${key.size}-bit ${key.algorithm.toUpperCase()} key (below 2048 bits); OpenSSL at security level 2, as in redis-cli and many servers, refuses it. Reissue it with RSA-2048+ or an EC key.`,
      );
    }
    if (!c.selfIssued && /sha1|md5/i.test(c.signatureAlgorithm)) {
      out.push(
        `WEAK_CERTIFICATE: "${c.subject}" is signed with ${c.signatureAlgorithm}; reissue it with a SHA-256 (or stronger) signature.`,
      );
    }
  }
  return out;
}

/** Connects as the options say, authenticates, PINGs, reads INFO server, and reports. Never throws. */
export async function runDoctor(options: ConnectionOptions, deps: { tlsCache?: TlsCache } = {}): Promise<DoctorResult> {
  const target = {
    host: options.host,
    port: options.port,
    tls: options.tls.enabled,
    servername: options.tls.enabled ? (sniFor(options.host, options.tls.servername) ?? null) : null,
  };
  const warnings: string[] = [];
  if (options.tls.enabled && options.tls.verify === 'insecure')
    warnings.push('Certificate verification is OFF (--insecure): the server is not authenticated.');
  if (!options.tls.enabled) warnings.push('TLS is off: the password and data cross the network in clear text.');
  let conn: RedisConnection | undefined;
  try {
    conn = await RedisConnection.open(options, { tlsCache: deps.tlsCache ?? new TlsCache() });
    await conn.send(['PING']);
    let server: DoctorResult['server'] = {};
    try {
      const info = await conn.send(['INFO', 'server']);
      if (Buffer.isBuffer(info)) server = parseInfoServer(info.toString('utf8'));
    } catch {
      warnings.push('INFO server was refused; server details are unknown.');
    }
    const r = conn.report;
    warnings.push(...chainWarnings(r.chain));
    return {
      ok: true,
      problem: null,
      target,
      tls: r.tls
        ? {
            protocol: r.protocol,
            cipher: r.cipher,
            alpn: r.alpn,
            authorized: r.authorized,
            authorizationError: r.authorizationError,
            verification: r.verification,
            sessionReused: r.sessionReused,
          }
        : null,
      chain: r.chain,
      server,
      timings: r.timings,
      warnings,
    };
  } catch (e) {
    const p = isDiagnosedError(e) ? e.problem : classifyError(e, { options });
    let chain = Array.isArray(p.facts?.chain) ? (p.facts?.chain as CertSummary[]) : [];
    const tlsLevel = ![
      'CONNECTION_REFUSED',
      'HOST_NOT_FOUND',
      'TIMEOUT',
      'NOT_TLS',
      'KEY_MISMATCH',
      'KEY_PASSPHRASE',
      'TLS_VERSION_MISMATCH',
    ].includes(p.code);
    if (chain.length === 0 && options.tls.enabled && tlsLevel) {
      // Show what the server presents even when the failure is elsewhere (client cert, auth...).
      const d = await diagnosticHandshake(options, 2000);
      chain = d.chain;
    }
    return {
      ok: false,
      problem: { code: p.code, title: p.title, detail: p.detail, fix: p.fix, ...(p.field ? { field: p.field } : {}) },
      target,
      tls: null,
      chain,
      server: null,
      timings: null,
      warnings,
    };
  } finally {
    if (conn) await conn.close().catch(() => undefined);
  }
}
