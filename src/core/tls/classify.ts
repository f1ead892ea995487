import { isIP } from 'node:net';
import { formatEndpoint, type ConnectionOptions } from '../endpoint/options';
import type { CertSummary } from '../certs/summary';
import { DiagnosedError, type Problem } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { tlsErrorFamily } from './errorFamilies';
import { identityErrorProblem } from '../certs/keyPair';

/** What the connection knew when it failed; every field optional except the options. */
export interface FailureContext {
  options: ConnectionOptions;
  /** The name verified against the certificate (servername, else host). */
  checkedName?: string;
  /** The chain the server presented (read by a separate, never-cached diagnostic handshake). */
  chain?: CertSummary[];
  /** TLS versions the server accepted when probed alone. */
  serverVersions?: string[];
  /** Was a client certificate offered? */
  clientCertGiven?: boolean;
  /** A plaintext PING got a Redis answer on this port. */
  plaintextRedis?: boolean;
  /** A TLS handshake succeeded on this port (for plaintext connections). */
  tlsAnswered?: boolean;
  /** Stage reached: tcp connected, TLS established. */
  tcpConnected?: boolean;
  secureConnected?: boolean;
}

/** Node error objects: the properties this module reads. */
interface NodeErrorLike {
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  host?: unknown;
  cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } };
  library?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function errorCode(err: unknown): string | undefined {
  return err && typeof err === 'object' ? str((err as NodeErrorLike).code) : undefined;
}

function endpoint(o: ConnectionOptions): string {
  return formatEndpoint(o.host, o.port);
}

function versionsWanted(o: ConnectionOptions): string {
  const min = o.tls.minVersion ?? 'TLSv1.2';
  const max = o.tls.maxVersion ?? 'TLSv1.3';
  return min === max ? min : `${min} to ${max}`;
}

function leafOf(ctx: FailureContext): CertSummary | undefined {
  return ctx.chain?.[0];
}

function describeCert(c: CertSummary): string {
  return `"${c.subject}" (issued by "${c.issuer}")`;
}

function chainFacts(ctx: FailureContext): Record<string, unknown> {
  return ctx.chain ? { chain: ctx.chain } : {};
}

/**
 * Maps a low-level failure to one diagnosis. Classifies by err.code, then err.reason; message text is
 * read only for OpenSSL's UNSPECIFIED verify code, which carries no other information.
 */
export function classifyError(err: unknown, ctx: FailureContext): Problem {
  const o = ctx.options;
  const e = (err && typeof err === 'object' ? err : {}) as NodeErrorLike;
  const code = str(e.code) ?? '';
  const reason = str(e.reason) ?? '';
  const where = endpoint(o);
  const checked = ctx.checkedName ?? o.tls.servername ?? o.host;
  const leaf = leafOf(ctx);
  const family = tlsErrorFamily(code);
  const facts = { errorCode: code || undefined, ...chainFacts(ctx) };
  if (!o.tls.enabled && ctx.tlsAnswered) {
    return makeProblem(
      'TLS_REQUIRED',
      `The server at ${where} dropped the plaintext connection${code ? ` (${code})` : ''} or answered it with non-RESP bytes, and a TLS handshake on the same port succeeded.`,
      { facts },
    );
  }
  if (err instanceof DiagnosedError) return err.problem;
  const identity = identityErrorProblem(err, o.tls, facts);
  if (identity) return identity.problem;

  switch (code) {
    case 'ECONNREFUSED':
      return makeProblem('CONNECTION_REFUSED', `Nothing accepted a TCP connection on ${where} (ECONNREFUSED).`, { facts });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return makeProblem('HOST_NOT_FOUND', `The name "${o.host}" could not be resolved to an address (${code}).`, { facts });
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return makeProblem('TIMEOUT', `No TCP connection to ${where} (${code}).`, { facts });
    case 'ERR_TLS_CERT_ALTNAME_INVALID': {
      const names = str(e.cert?.subjectaltname) ?? (leaf ? leaf.subjectAltNames.join(', ') : '');
      const cn = str(e.cert?.subject?.CN);
      const list = names ? names : cn ? `no subjectAltName (CN=${cn}, which is not used for name checks)` : 'no names';
      const checkedHost = str(e.host) ?? checked;
      const ip = isIP(checkedHost) !== 0;
      return makeProblem(
        'HOSTNAME_MISMATCH',
        `The certificate lists ${list}, but the connection checked ${ip ? 'the IP address' : 'the name'} "${checkedHost}".${ip ? ' An IP address must appear as an IP SAN.' : ''}`,
        { facts: { ...facts, certNames: names ? names.split(/,\s*/) : [], checkedName: checkedHost } },
      );
    }
    case 'CERT_HAS_EXPIRED': {
      const now = Date.now();
      const expired = ctx.chain?.find((c) => Date.parse(c.notAfter) < now);
      const detail = expired
        ? `${expired === leaf ? 'The server certificate' : 'A certificate in the chain'} ${describeCert(expired)} expired on ${expired.notAfter}; it is now ${new Date(now).toISOString()}.`
        : `A certificate in the server's chain has expired (checked at ${new Date(now).toISOString()}).`;
      return makeProblem('CERT_EXPIRED', detail, { facts: { ...facts, notAfter: expired?.notAfter } });
    }
    case 'CERT_NOT_YET_VALID': {
      const now = Date.now();
      const early = ctx.chain?.find((c) => Date.parse(c.notBefore) > now);
      const detail = early
        ? `The certificate ${describeCert(early)} is valid only from ${early.notBefore}; this machine's clock says ${new Date(now).toISOString()}.`
        : `A certificate in the server's chain is not valid yet (this machine's clock says ${new Date(now).toISOString()}).`;
      return makeProblem('CERT_NOT_YET_VALID', detail, { facts: { ...facts, notBefore: early?.notBefore } });
    }
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return makeProblem(
        'SELF_SIGNED',
        leaf
          ? `The server presented a self-signed certificate "${leaf.subject}" (SHA-256 ${leaf.sha256}) that is not in the trusted CA set${o.tls.ca ? ' of this connection' : ' (system store)'}.`
          : 'The server presented a self-signed certificate that is not in the trusted CA set.',
        { facts },
      );
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const root = ctx.chain?.find((c) => c.selfIssued);
      return makeProblem(
        'UNTRUSTED_ROOT',
        root
          ? `The server sent a chain ending in the root "${root.subject}" (SHA-256 ${root.sha256}), which is not in the trusted CA set${o.tls.ca ? ' of this connection' : ' (system store)'}.`
          : 'The server sent a chain that ends in a root certificate that is not trusted.',
        { facts },
      );
    }
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': {
      const top = ctx.chain && ctx.chain.length > 0 ? ctx.chain[ctx.chain.length - 1] : undefined;
      const leafOnly = ctx.chain?.length === 1;
      const missing = top?.issuer;
      let detail = missing
        ? `No certificate for the issuer "${missing}" of "${top.subject}" was found: the server sent ${ctx.chain?.length === 1 ? 'only its own certificate' : `${ctx.chain?.length} certificates`}, and the trusted CA set${o.tls.ca ? ' of this connection' : ' (system store)'} does not contain that issuer.`
        : 'The issuer of the server certificate is not in the trusted CA set.';
      if (leafOnly) detail += ' The server may be omitting its intermediate certificate, or the CA is not configured here.';
      return makeProblem('UNKNOWN_ISSUER', detail, { facts: { ...facts, missingIssuer: missing } });
    }
    case 'UNABLE_TO_GET_ISSUER_CERT': {
      const top = ctx.chain && ctx.chain.length > 0 ? ctx.chain[ctx.chain.length - 1] : undefined;
      return makeProblem(
        'CA_BUNDLE_INCOMPLETE',
        `The CA file trusts an intermediate, but not the root it was issued by${top ? ` (chain top: "${top.subject}", issued by "${top.issuer}")` : ''}; OpenSSL needs the chain to end in a trusted self-signed root.`,
        { facts },
      );
    }
    case 'INVALID_PURPOSE': {
      const eku = leaf ? (leaf.extendedKeyUsage.length ? leaf.extendedKeyUsage.join(', ') : 'none') : 'unknown';
      return makeProblem(
        'WRONG_PURPOSE',
        `The server certificate${leaf ? ` "${leaf.subject}"` : ''} has extendedKeyUsage ${eku}; a TLS server certificate needs serverAuth.`,
        { facts },
      );
    }
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
    case 'CERT_REJECTED':
      return makeProblem('UNTRUSTED_ROOT', `The server chain failed verification (${code}).`, { facts });
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
      return makeProblem(
        'CLIENT_CERT_REQUIRED',
        `The server at ${where} asked for a client certificate (TLS 1.3 alert certificate_required)${ctx.clientCertGiven ? ', and the one offered was not sent' : ' and none is configured'}.`,
        { facts },
      );
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
      if (!ctx.clientCertGiven) {
        return makeProblem(
          'CLIENT_CERT_REQUIRED',
          `The server at ${where} ended the handshake (alert 40 handshake_failure) and no client certificate is configured; a server with tls-auth-clients yes does this.`,
          { facts },
        );
      }
      return makeProblem(
        'CLIENT_CERT_REJECTED',
        `The server at ${where} ended the handshake (alert 40 handshake_failure) after the client certificate was offered.`,
        { facts },
      );
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
      return makeProblem(
        'CLIENT_CERT_UNTRUSTED',
        `The server at ${where} does not know the CA that issued the client certificate (alert 48 unknown_ca).`,
        { facts },
      );
    default:
      break;
  }
  if (family === 'version') {
    const server = ctx.serverVersions;
    return makeProblem(
      'TLS_VERSION_MISMATCH',
      `This connection allows ${versionsWanted(o)}; the server ${server && server.length ? `accepts ${server.join(' and ')}` : 'accepted none of them'} (${code}).`,
      { facts: { ...facts, clientVersions: versionsWanted(o), serverVersions: server } },
    );
  }
  if (family === 'weak-certificate' || (code === 'UNSPECIFIED' && /too weak|too small/i.test(reason || str(e.message) || ''))) {
    const why = reason || (code === 'UNSPECIFIED' ? (str(e.message) ?? '').slice(0, 120) : '') || code;
    const weak = ctx.chain?.find(
      (c) => /sha1|md5/i.test(c.signatureAlgorithm) || (c.publicKey.algorithm === 'rsa' && (c.publicKey.size ?? 4096) < 2048),
    );
    return makeProblem(
      'WEAK_CERTIFICATE',
      weak
        ? `The certificate ${describeCert(weak)} uses ${weak.signatureAlgorithm} and a ${weak.publicKey.size}-bit ${weak.publicKey.algorithm.toUpperCase()} key; OpenSSL refuses it at this security level ("${why}").`
        : `OpenSSL refused a certificate in the chain as too weak ("${why}").`,
      { facts },
    );
  }
  if (family === 'client-cert-rejected') {
    if (!ctx.clientCertGiven && code === 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN') {
      return makeProblem('CLIENT_CERT_REQUIRED', `The server at ${where} requires a client certificate (${code}).`, { facts });
    }
    return makeProblem(
      'CLIENT_CERT_REJECTED',
      `The server at ${where} refused the client certificate (${code.replace(/^ERR_SSL_/, '').toLowerCase()}).`,
      { facts },
    );
  }
  if (family === 'not-tls' || (ctx.plaintextRedis && o.tls.enabled)) {
    return makeProblem(
      'NOT_TLS',
      `The server at ${where} answered a TLS ClientHello with non-TLS bytes${ctx.plaintextRedis ? ', and a plaintext PING got a Redis reply' : ''}.`,
      { facts },
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return makeProblem(
      'PROTOCOL_ERROR',
      `The server at ${where} reset the connection${ctx.secureConnected ? ' after the TLS handshake' : ctx.tcpConnected && o.tls.enabled ? ' during the TLS handshake' : ''} (${code}).`,
      { facts, title: 'The server closed the connection' },
    );
  }
  return makeProblem('PROTOCOL_ERROR', `Unexpected failure talking to ${where}${code ? ` (${code})` : ''}.`, {
    facts,
    title: 'Unexpected connection failure',
  });
}

/** Classifies a RESP error reply by its error code word (NOAUTH, WRONGPASS, NOPERM...). */
export function classifyReplyError(message: string, command: string, ctx: { options: ConnectionOptions }): Problem | undefined {
  const word = /^([A-Z]+)/.exec(message)?.[1] ?? '';
  const user = ctx.options.username ?? 'default';
  const first = (message.split('\n')[0] ?? '').slice(0, 200);
  switch (word) {
    case 'NOAUTH':
      return makeProblem(
        'AUTH_REQUIRED',
        `The server answered ${command} with "${first}": it needs AUTH first, and no password is configured.`,
        { facts: { reply: first } },
      );
    case 'WRONGPASS':
      return makeProblem('AUTH_FAILED', `The server refused AUTH for user "${user}": "${first}".`, {
        facts: { reply: first, username: user },
      });
    case 'NOPERM':
      return makeProblem('NO_PERMISSION', `User "${user}" may not run ${command}: "${first}".`, {
        facts: { reply: first, username: user, command },
      });
    default:
      break;
  }
  if (command === 'AUTH' && word === 'ERR') {
    // Redis < 6 says "ERR invalid password"; 6+ without requirepass says "ERR AUTH <password> called without any password configured".
    return makeProblem('AUTH_FAILED', `The server refused AUTH: "${first}".`, { facts: { reply: first, username: user } });
  }
  return undefined;
}
