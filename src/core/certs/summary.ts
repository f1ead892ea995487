/**
 * CertSummary: the one plain, JSON-safe description of a certificate that crosses module and process
 * boundaries — the handshake report, the CLI's output (text and --json), the diagnosis facts, the
 * connection details. Built from node:crypto plus two DER fields, so the CLI bundle can use it without
 * @peculiar/x509. (The inspection panel shows more — extensions, PEM — as CertDetails, certificate.ts.)
 */
import { X509Certificate as NodeX509 } from 'node:crypto';
import { curveBits, ekuName, formatNodeName } from './basics';
import { readCertificateFields } from './certificateFields';

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
  const size =
    details.modulusLength ??
    (curve ? curveBits(curve) : key.asymmetricKeyType === 'ed25519' ? 256 : key.asymmetricKeyType === 'ed448' ? 456 : null);
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
