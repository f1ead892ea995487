/**
 * Host name matching with the rules Node's tls.checkServerIdentity applies (RFC 6125): DNS SANs,
 * case-insensitive, one wildcard in the left-most label only, never for IP addresses; IP addresses
 * match IP SANs only; the subject CN is used only when the certificate has no DNS or IP SAN.
 */
import * as net from 'node:net';
import type { Certificate } from './certificate';

export interface NameMatch {
  ok: boolean;
  /** The SAN or CN that matched. */
  matchedBy?: string;
  /** True when the match (or the attempt) relied on the subject CN because there is no SAN. */
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

export function matchName(cert: Certificate, host: string): NameMatch {
  const sans = cert.sans;
  const dns = sans.filter((n) => n.type === 'dns').map((n) => n.value);
  const ips = sans.filter((n) => n.type === 'ip').map((n) => n.value);
  const cns = cert.commonNames;
  if (net.isIP(host)) {
    const want = normalizeIp(host);
    const hit = ips.find((ip) => net.isIP(ip) && normalizeIp(ip) === want);
    const certNames = [...dns, ...ips];
    if (hit) return { ok: true, matchedBy: `IP:${hit}`, usedCommonName: false, certNames, explanation: `The IP address ${host} is listed as an IP SAN.` };
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
    if (hit) return { ok: true, matchedBy: `DNS:${hit}`, usedCommonName: false, certNames: [...dns, ...ips], explanation: `${host} matches the SAN ${hit}${hit.includes('*') ? ' (wildcard: covers one label only)' : ''}.` };
    return { ok: false, usedCommonName: false, certNames: [...dns, ...ips], explanation: `${host} is not covered by the certificate's names: ${dns.join(', ')}.` };
  }
  if (ips.length > 0) {
    return { ok: false, usedCommonName: false, certNames: ips, explanation: `The certificate lists only IP SANs (${ips.join(', ')}); ${host} is a DNS name.` };
  }
  const hit = cns.find((cn) => dnsNameMatches(host, cn));
  if (hit) {
    return { ok: true, matchedBy: `CN:${hit}`, usedCommonName: true, certNames: cns, explanation: `${host} matches only the subject CN ${hit}: the certificate has no SAN, which many clients (Go, browsers) reject.` };
  }
  return { ok: false, usedCommonName: true, certNames: cns, explanation: cns.length ? `The certificate has no SAN and its CN (${cns.join(', ')}) does not match ${host}.` : `The certificate has no SAN and no CN: it names no host.` };
}
