import { X509Certificate as NodeX509 } from 'node:crypto';
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { curveBits, ekuName, formatNodeName } from '../certs/basics';
import { readCertificateFields } from '../certs/certificateFields';

/** One certificate as the server presented it: every field a person needs to judge it. */
export interface CertSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  subjectAltNames: string[];
  sha256: string;
  sha1: string;
  publicKey: { algorithm: string; size: number | null; curve?: string };
  signatureAlgorithm: string;
  isCA: boolean;
  selfIssued: boolean;
  keyUsage: string[];
  extendedKeyUsage: string[];
}

/** Summarises one certificate (DER bytes or a PEM string). */
export function summarizeCertificate(certData: Buffer | string): CertSummary {
  const cert = new NodeX509(certData);
  const der = cert.raw;
  const { signatureAlgorithm, keyUsage } = readCertificateFields(der);
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const curve = details.namedCurve;
  const size = details.modulusLength ?? (curve ? curveBits(curve) : key.asymmetricKeyType === 'ed25519' ? 256 : key.asymmetricKeyType === 'ed448' ? 456 : null);
  const subject = formatNodeName(cert.subject);
  const issuer = formatNodeName(cert.issuer);
  return {
    subject,
    issuer,
    serial: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(/,\s*/).filter(Boolean) : [],
    sha256: cert.fingerprint256,
    sha1: cert.fingerprint,
    publicKey: { algorithm: key.asymmetricKeyType ?? 'unknown', size, ...(curve ? { curve } : {}) },
    signatureAlgorithm,
    isCA: cert.ca,
    selfIssued: cert.subject === cert.issuer,
    keyUsage,
    extendedKeyUsage: (cert.keyUsage ?? []).map(ekuName),
  };
}

/** Normalises a pin ("AB:cd..." or "abcd...") for comparison. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

/**
 * The server's chain as Node exposes it (DER, leaf first), following issuerCertificate until a
 * self-issued certificate or a repeat. Node may complete the top with a root from the trust store.
 */
export function peerChainRaw(socket: TLSSocket): Buffer[] {
  let cert: DetailedPeerCertificate | undefined;
  try {
    cert = socket.getPeerCertificate(true);
  } catch {
    return [];
  }
  const out: Buffer[] = [];
  const seen = new Set<string>();
  while (cert && cert.raw && cert.raw.length > 0) {
    const fp = cert.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(cert.raw);
    if (!cert.issuerCertificate || cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
  }
  return out;
}

/** Summaries of a DER chain; stops at the first certificate Node cannot parse. */
export function summarizeChain(ders: Buffer[]): CertSummary[] {
  const out: CertSummary[] = [];
  for (const der of ders) {
    try {
      out.push(summarizeCertificate(der));
    } catch {
      break;
    }
  }
  return out;
}

export function peerChain(socket: TLSSocket): CertSummary[] {
  return summarizeChain(peerChainRaw(socket));
}
