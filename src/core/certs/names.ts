/**
 * Host name matching: THE rule for both the connection (tls.connect's checkServerIdentity, below) and
 * the certificate panel (chain.ts), so the panel never accepts a name the connection refuses. RFC 6125
 * as Node's tls.checkServerIdentity applies it (DNS SANs, case-insensitive, one wildcard in the
 * left-most label only, never for IP addresses; IP addresses match IP SANs only), plus one rule Node
 * lacks: the subject CN is never used (a certificate without SAN names no host), as browsers and Go do.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { NameFacts } from './nameFacts';

/**
 * The ASN.1 name reader, loaded on first use: a connection whose certificate Node's own check accepts
 * by a SAN never needs it (see checkServerIdentity), and loading the schema is a good part of the
 * CLI's start-up (`redis-tls scan` is measured with process start).
 */
function parseNameFacts(der: Uint8Array): NameFacts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./nameFacts') as typeof import('./nameFacts')).nameFacts(der);
}

export interface NameMatch {
  ok: boolean;
  /** The SAN or CN that matched. */
  matchedBy?: string;
  /** True when the certificate has no SAN and only a CN, which is not used for name checks. */
  usedCommonName: boolean;
  /** Every name the certificate is valid for (DNS and IP SANs, or the CN). */
  certNames: string[];
  explanation: string;
}

function normalizeIp(ip: string): string {
  // Canonicalise IPv6 so "::1" equals "0:0:0:0:0:0:0:1".
  if (net.isIPv6(ip)) {
    const sock = new net.SocketAddress({ address: ip, family: 'ipv6' });
    return sock.address.toLowerCase();
  }
  return ip;
}

function splitHost(name: string): string[] {
  return name.toLowerCase().replace(/\.$/, '').split('.');
}

/** True when `pattern` (a DNS SAN or CN) covers `host`. */
export function dnsNameMatches(host: string, pattern: string): boolean {
  const hostParts = splitHost(host);
  const patternParts = splitHost(pattern);
  if (hostParts.length !== patternParts.length) return false;
  if (patternParts.some((p) => p.length === 0)) return false;
  for (let i = patternParts.length - 1; i > 0; i--) {
    if (patternParts[i] !== hostParts[i]) return false;
  }
  const first = patternParts[0];
  const hostFirst = hostParts[0];
  if (!first.includes('*')) return first === hostFirst;
  // A wildcard needs at least three labels (no *.com) and is not allowed in IDNA labels.
  if (patternParts.length <= 2 || first.startsWith('xn--')) return false;
  const star = first.indexOf('*');
  if (first.indexOf('*', star + 1) !== -1) return false;
  const prefix = first.slice(0, star);
  const suffix = first.slice(star + 1);
  if (prefix.length + suffix.length > hostFirst.length) return false;
  return hostFirst.startsWith(prefix) && hostFirst.endsWith(suffix) && hostFirst.length > 0;
}

export function matchName(cert: NameFacts, host: string): NameMatch {
  const sans = cert.sans;
  const dns = sans.filter((n) => n.type === 'dns').map((n) => n.value);
  const ips = sans.filter((n) => n.type === 'ip').map((n) => n.value);
  const cns = cert.commonNames;
  if (net.isIP(host)) {
    const want = normalizeIp(host);
    const hit = ips.find((ip) => net.isIP(ip) && normalizeIp(ip) === want);
    const certNames = [...dns, ...ips];
    if (hit)
      return {
        ok: true,
        matchedBy: `IP:${hit}`,
        usedCommonName: false,
        certNames,
        explanation: `The IP address ${host} is listed as an IP SAN.`,
      };
    return {
      ok: false,
      usedCommonName: false,
      certNames,
      explanation: ips.length
        ? `The IP address ${host} is not among the certificate's IP SANs (${ips.join(', ')}).`
        : `The certificate has no IP SAN, so it cannot be valid for the address ${host} (a DNS name or CN never matches an IP).`,
    };
  }
  if (dns.length > 0) {
    const hit = dns.find((p) => dnsNameMatches(host, p));
    if (hit)
      return {
        ok: true,
        matchedBy: `DNS:${hit}`,
        usedCommonName: false,
        certNames: [...dns, ...ips],
        explanation: `${host} matches the SAN ${hit}${hit.includes('*') ? ' (wildcard: covers one label only)' : ''}.`,
      };
    return {
      ok: false,
      usedCommonName: false,
      certNames: [...dns, ...ips],
      explanation: `${host} is not covered by the certificate's names: ${dns.join(', ')}.`,
    };
  }
  if (ips.length > 0) {
    return {
      ok: false,
      usedCommonName: false,
      certNames: ips,
      explanation: `The certificate lists only IP SANs (${ips.join(', ')}); ${host} is a DNS name.`,
    };
  }
  const cnWouldMatch = cns.find((cn) => dnsNameMatches(host, cn));
  return {
    ok: false,
    usedCommonName: true,
    certNames: [],
    explanation: cnWouldMatch
      ? `The certificate has no subjectAltName: its CN ${cnWouldMatch} is not used for name checks (RFC 6125, as browsers and Go), so the connection refuses it for ${host}.`
      : cns.length
        ? `The certificate has no subjectAltName (its CN ${cns.join(', ')} is not used for name checks, and would not match ${host} anyway).`
        : 'The certificate has no subjectAltName and no CN: it names no host.',
  };
}

/**
 * The connection's checkServerIdentity: matchName on the presented certificate's own bytes (the
 * same parse and rule as the panel), then Node's tls.checkServerIdentity as well, so it is never
 * weaker than Node's check.
 */
export function checkServerIdentity(hostname: string, peer: tls.PeerCertificate): Error | undefined {
  // matchName is Node's rule without the CN fallback, and Node takes the CN only when the
  // certificate has no DNS SAN. So when Node accepts an IP address, or a name of a certificate that
  // has a DNS SAN, matchName accepts too: no need to parse the certificate again. (A quoted entry in
  // Node's SAN string could hide or fake a "DNS:" entry: such certificates take the full path.)
  const nodeResult = tls.checkServerIdentity(hostname, peer);
  const altNames = peer.subjectaltname ?? '';
  if (!nodeResult && !altNames.includes('"') && (net.isIP(hostname) || /(?:^|, )DNS:/.test(altNames))) return undefined;
  let match: NameMatch;
  try {
    match = matchName(parseNameFacts(peer.raw), hostname);
  } catch {
    match = {
      ok: false,
      usedCommonName: false,
      certNames: [],
      explanation: 'The certificate cannot be parsed, so no name in it can be checked.',
    };
  }
  if (!match.ok) {
    const err = new Error(`Host: ${hostname}. ${match.explanation}`) as Error & {
      code: string;
      reason: string;
      host: string;
      cert: tls.PeerCertificate;
    };
    err.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
    err.reason = match.explanation;
    err.host = hostname;
    err.cert = peer;
    return err;
  }
  return nodeResult;
}
