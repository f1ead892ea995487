/**
 * What is wrong (or about to be) with a certificate or a key, in words, with the diagnosis code the
 * same condition gets when a handshake fails on it.
 */
import * as crypto from 'node:crypto';
import type { DiagnosisCode } from '../diagnosis/problem';
import { DAY_MS as DAY, EKU_CLIENT_AUTH, EKU_SERVER_AUTH, ekuAllows, validityState } from './basics';
import { Certificate } from './certificate';
import { certificateHoldsKey } from './keyPair';
import { isEncryptedKeyBlock, isPrivateKeyLabel, splitPem, type PemBlock } from './pem';

export type FindingId =
  | 'analysis-failed'
  | 'expired'
  | 'expiring'
  | 'not-yet-valid'
  | 'sha1-signature'
  | 'weak-rsa'
  | 'no-san'
  | 'missing-server-eku'
  | 'missing-client-eku'
  | 'self-signed-leaf'
  | 'key-mismatch'
  | 'encrypted-key'
  | 'unreadable';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  id: FindingId;
  severity: Severity;
  title: string;
  detail: string;
  fix?: string;
  code?: DiagnosisCode;
}

/** What the certificate is for: decides which EKU must be present. 'any': a file of unknown use. */
export type CertPurpose = 'server' | 'client' | 'ca' | 'any';

export interface FindingOptions {
  now?: Date;
  /** Warn when fewer days than this remain (setting redisTls.expiryWarningDays, default 30). */
  warnDays?: number;
  purpose?: CertPurpose;
}

export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** "3 days", "5 hours", "2 months", "1 year 4 months". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (abs < 60 * 60 * 1000) return plural(Math.max(1, Math.round(abs / 60000)), 'minute');
  if (abs < 2 * DAY) return plural(Math.round(abs / (60 * 60 * 1000)), 'hour');
  if (abs < 60 * DAY) return plural(Math.round(abs / DAY), 'day');
  const months = Math.round(abs / (30.44 * DAY));
  if (months < 24) return plural(months, 'month');
  const years = Math.floor(months / 12);
  const rest = months % 12;
  return rest ? `${plural(years, 'year')} ${plural(rest, 'month')}` : plural(years, 'year');
}

/** "expires in 3 days" / "expired 2 months ago" / "valid from in 4 hours". */
export function describeValidity(cert: Certificate, now = new Date()): string {
  if (now < cert.notBefore)
    return `not valid yet: starts in ${formatDuration(cert.notBefore.getTime() - now.getTime())} (${cert.notBefore.toISOString()})`;
  const left = cert.notAfter.getTime() - now.getTime();
  if (left < 0) return `expired ${formatDuration(left)} ago (${cert.notAfter.toISOString()})`;
  return `expires in ${formatDuration(left)} (${cert.notAfter.toISOString()})`;
}

export function isSelfSignedLeaf(cert: Certificate): boolean {
  return cert.selfIssued && !(cert.basicConstraints?.ca ?? false);
}

export function certificateFindings(cert: Certificate, options: FindingOptions = {}): Finding[] {
  const now = options.now ?? new Date();
  const warnDays = options.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const purpose = options.purpose ?? 'any';
  const s = cert.summary();
  const name = s.commonName ?? s.subject;
  const isCA = s.isCA;
  const out: Finding[] = [];

  const validity = validityState(cert.notBefore, cert.notAfter, now, warnDays);
  if (validity === 'expired') {
    out.push({
      id: 'expired',
      severity: 'error',
      code: 'CERT_EXPIRED',
      title: `Expired: ${name}`,
      detail: `The certificate ${describeValidity(cert, now)}.`,
      fix: 'Renew the certificate and install the new one.',
    });
  } else if (validity === 'not-yet-valid') {
    out.push({
      id: 'not-yet-valid',
      severity: 'error',
      code: 'CERT_NOT_YET_VALID',
      title: `Not valid yet: ${name}`,
      detail: `The certificate is ${describeValidity(cert, now)}.`,
      fix: 'Check the clock of this machine and of the issuer, or wait until the start date.',
    });
  } else if (validity === 'expiring') {
    out.push({
      id: 'expiring',
      severity: 'warning',
      code: 'CERT_EXPIRED',
      title: `Expires soon: ${name}`,
      detail: `The certificate ${describeValidity(cert, now)}; the warning threshold is ${warnDays} days.`,
      fix: 'Renew the certificate before it expires.',
    });
  }

  const hash = s.signatureHash?.toUpperCase();
  if ((hash === 'SHA-1' || hash === 'MD5') && !cert.selfIssued) {
    out.push({
      id: 'sha1-signature',
      severity: 'error',
      code: 'WEAK_CERTIFICATE',
      title: `Weak ${hash} signature`,
      detail: `Signed with ${s.signatureAlgorithm}. OpenSSL 3 rejects it as "CA signature digest algorithm too weak".`,
      fix: 'Reissue the certificate with a SHA-256 signature.',
    });
  } else if ((hash === 'SHA-1' || hash === 'MD5') && cert.selfIssued) {
    out.push({
      id: 'sha1-signature',
      severity: 'info',
      code: 'WEAK_CERTIFICATE',
      title: `${hash} self-signature`,
      detail: `The self-signature uses ${s.signatureAlgorithm}. A trusted root's own signature is not checked, but a self-signed leaf's is.`,
      fix: 'Prefer a SHA-256 signature when the certificate is next reissued.',
    });
  }

  if ((s.keyType === 'RSA' || s.keyType === 'RSA-PSS') && s.keyBits !== undefined && s.keyBits < 2048) {
    out.push({
      id: 'weak-rsa',
      severity: 'error',
      code: 'WEAK_CERTIFICATE',
      title: `RSA key of ${s.keyBits} bits`,
      detail: `Keys under 2048 bits are rejected by Debian's OpenSSL (redis-server, redis-cli) though Node accepts them.`,
      fix: 'Reissue with an RSA-2048 (or larger) or an EC P-256 key.',
    });
  }

  // Client certificates need no host names; a certificate that can serve TLS does.
  if (!isCA && s.sans.length === 0 && purpose !== 'client' && ekuAllows(cert.extendedKeyUsage, EKU_SERVER_AUTH)) {
    out.push({
      id: 'no-san',
      severity: 'warning',
      title: 'No Subject Alternative Name',
      detail: `Host names come only from the CN (${s.commonName ?? 'none'}). Node and OpenSSL still accept it; Go clients and browsers do not.`,
      fix: 'Reissue with the host names (and IP addresses) as SANs.',
    });
  }

  if (!isCA) {
    const server = ekuAllows(cert.extendedKeyUsage, EKU_SERVER_AUTH);
    const client = ekuAllows(cert.extendedKeyUsage, EKU_CLIENT_AUTH);
    const ekuList = s.extendedKeyUsage.join(', ');
    if ((purpose === 'server' || (purpose === 'any' && !client)) && !server) {
      out.push({
        id: 'missing-server-eku',
        severity: purpose === 'server' ? 'error' : 'warning',
        code: 'WRONG_PURPOSE',
        title: 'Not usable as a server certificate',
        detail: `Extended key usage lists ${ekuList} but not serverAuth; clients fail with INVALID_PURPOSE.`,
        fix: 'Reissue with extendedKeyUsage = serverAuth.',
      });
    }
    if ((purpose === 'client' || (purpose === 'any' && !server)) && !client) {
      out.push({
        id: 'missing-client-eku',
        severity: purpose === 'client' ? 'error' : 'warning',
        code: 'CLIENT_CERT_REJECTED',
        title: 'Not usable as a client certificate',
        detail: `Extended key usage lists ${ekuList} but not clientAuth; Redis rejects it with "unsupported certificate".`,
        fix: 'Reissue with extendedKeyUsage = clientAuth.',
      });
    }
  }

  if (isSelfSignedLeaf(cert) || (purpose === 'server' && cert.selfIssued)) {
    out.push({
      id: 'self-signed-leaf',
      severity: 'warning',
      code: 'SELF_SIGNED',
      title: 'Self-signed certificate',
      detail:
        'The certificate is its own issuer; no CA vouches for it. Clients trust it only if they are given this exact certificate as their CA.',
      fix: 'Use a certificate issued by your CA, or trust this certificate explicitly (set it as the profile CA, or pin its SHA-256).',
    });
  }
  return out;
}

/** Checks that `key` (PEM or a KeyObject) is the private key of `cert`. */
export function keyMatchesCertificate(cert: Certificate, key: crypto.KeyObject): boolean {
  return certificateHoldsKey(cert.node, key);
}

export function keyMismatchFinding(cert: Certificate): Finding {
  return {
    id: 'key-mismatch',
    severity: 'error',
    code: 'KEY_MISMATCH',
    title: 'Private key does not match the certificate',
    detail: `The key's public half differs from the certificate's ${cert.summary().publicKey} key (certificate SHA-256 ${cert.sha256.slice(0, 23)}…).`,
    fix: 'Pair the certificate with the key it was issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`).',
  };
}

export function encryptedKeyFinding(): Finding {
  return {
    id: 'encrypted-key',
    severity: 'info',
    code: 'KEY_PASSPHRASE',
    title: 'Encrypted private key',
    detail: 'The key is protected by a passphrase; a connection needs that passphrase (kept in secret storage, never in settings).',
    fix: 'Store the passphrase in the connection profile.',
  };
}

export interface KeyBlockInfo {
  block: PemBlock;
  encrypted: boolean;
  key?: crypto.KeyObject;
}

/** Reads private key blocks from PEM text; encrypted ones are reported but not decrypted. */
export function readKeyBlocks(text: string): KeyBlockInfo[] {
  const out: KeyBlockInfo[] = [];
  for (const block of splitPem(text)) {
    if (!isPrivateKeyLabel(block.label)) continue;
    if (isEncryptedKeyBlock(block)) {
      out.push({ block, encrypted: true });
      continue;
    }
    try {
      out.push({ block, encrypted: false, key: crypto.createPrivateKey({ key: block.text, format: 'pem' }) });
    } catch {
      out.push({ block, encrypted: false });
    }
  }
  return out;
}
