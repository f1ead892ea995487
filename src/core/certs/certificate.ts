/**
 * One parsed X.509 certificate and its plain, JSON-safe summary (safe to send to a webview: a
 * certificate is public data, but every string in it is untrusted and must be shown as text).
 */
import 'reflect-metadata';
import * as crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { curveDisplayName, ekuName, KEY_USAGE_NAMES } from './basics';
import { splitPem, isCertificateLabel, looksLikePem, toPem, type PemBlock } from './pem';

import type { NameEntry } from './nameFacts';

export type { NameEntry };

export interface ExtensionSummary {
  oid: string;
  name: string;
  critical: boolean;
  /** Human-readable value (never HTML). */
  value: string;
}

/**
 * Everything the inspection panel and the editor hovers show about one certificate: the CertSummary
 * facts (summary.ts) in display form, plus extensions and PEM. Built from a parsed Certificate.
 */
export interface CertDetails {
  subject: string;
  issuer: string;
  commonName?: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sans: NameEntry[];
  /** e.g. "RSA 2048 bits", "EC P-256", "Ed25519" */
  publicKey: string;
  keyType: string;
  keyBits?: number;
  curve?: string;
  /** e.g. "sha256WithRSAEncryption" style: "RSASSA-PKCS1-v1_5 with SHA-256" */
  signatureAlgorithm: string;
  signatureHash?: string;
  sha256: string;
  sha1: string;
  isCA: boolean;
  pathLength?: number;
  keyUsage: string[];
  extendedKeyUsage: string[];
  selfIssued: boolean;
  extensions: ExtensionSummary[];
  pem: string;
}

const EXTENSION_NAMES: Record<string, string> = {
  '2.5.29.14': 'Subject Key Identifier',
  '2.5.29.15': 'Key Usage',
  '2.5.29.17': 'Subject Alternative Name',
  '2.5.29.18': 'Issuer Alternative Name',
  '2.5.29.19': 'Basic Constraints',
  '2.5.29.30': 'Name Constraints',
  '2.5.29.31': 'CRL Distribution Points',
  '2.5.29.32': 'Certificate Policies',
  '2.5.29.35': 'Authority Key Identifier',
  '2.5.29.37': 'Extended Key Usage',
  '1.3.6.1.5.5.7.1.1': 'Authority Information Access',
  '1.3.6.1.4.1.11129.2.4.2': 'Signed Certificate Timestamps',
  '2.16.840.1.113730.1.13': 'Netscape Comment',
};

export { EKU_ANY, EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from './basics';

/** A certificate parsed by both @peculiar/x509 (structure) and node:crypto (OpenSSL checks). */
export class Certificate {
  readonly x: x509.X509Certificate;
  readonly node: crypto.X509Certificate;
  readonly der: Buffer;
  /** Where it came from, for display: "presented #1", a file path, "configured CA"... */
  origin?: string;
  /** Zero-based lines of the PEM block in its file, when read from PEM text. */
  lines?: { start: number; end: number };
  private cachedSummary?: CertDetails;

  constructor(der: Buffer | Uint8Array) {
    this.der = Buffer.from(der);
    this.x = new x509.X509Certificate(this.der);
    this.node = new crypto.X509Certificate(this.der);
  }

  get subject(): string {
    return this.x.subject;
  }
  get issuer(): string {
    return this.x.issuer;
  }
  get notBefore(): Date {
    return this.x.notBefore;
  }
  get notAfter(): Date {
    return this.x.notAfter;
  }
  /** Colon-separated upper-case hex, the form node:crypto (and so the handshake report) uses. */
  get sha256(): string {
    return this.node.fingerprint256;
  }
  get sha1(): string {
    return this.node.fingerprint;
  }
  get pem(): string {
    return toPem(this.der);
  }

  /** Subject and issuer are the same name (a root or a self-signed leaf). */
  get selfIssued(): boolean {
    return Buffer.from(this.x.subjectName.toArrayBuffer()).equals(Buffer.from(this.x.issuerName.toArrayBuffer()));
  }

  get commonNames(): string[] {
    return this.x.subjectName.getField('CN');
  }

  get sans(): NameEntry[] {
    const ext = this.x.getExtension(x509.SubjectAlternativeNameExtension);
    if (!ext) return [];
    const out: NameEntry[] = [];
    for (const item of ext.names.items) {
      const type =
        item.type === 'dns' ? 'dns' : item.type === 'ip' ? 'ip' : item.type === 'email' ? 'email' : item.type === 'url' ? 'uri' : 'other';
      out.push({ type, value: item.value });
    }
    return out;
  }

  get basicConstraints(): { ca: boolean; pathLength?: number } | undefined {
    const ext = this.x.getExtension(x509.BasicConstraintsExtension);
    return ext ? { ca: ext.ca, pathLength: ext.pathLength } : undefined;
  }

  /** Key usage names, or undefined when the extension is absent (absent = unrestricted). */
  get keyUsage(): string[] | undefined {
    const ext = this.x.getExtension(x509.KeyUsagesExtension);
    if (!ext) return undefined;
    return KEY_USAGE_NAMES.filter((name) => (ext.usages & x509.KeyUsageFlags[name]) !== 0);
  }

  /** EKU OIDs, or undefined when the extension is absent (absent = any purpose). */
  get extendedKeyUsage(): string[] | undefined {
    const ext = this.x.getExtension(x509.ExtendedKeyUsageExtension);
    return ext ? Array.from(ext.usages, (u) => String(u)) : undefined;
  }

  get keyInfo(): { type: string; bits?: number; curve?: string; text: string } {
    const key = this.node.publicKey;
    const type = key.asymmetricKeyType ?? 'unknown';
    const d = key.asymmetricKeyDetails ?? {};
    if (type === 'rsa' || type === 'rsa-pss') {
      return {
        type: type.toUpperCase(),
        bits: d.modulusLength,
        text: `${type === 'rsa' ? 'RSA' : 'RSA-PSS'} ${d.modulusLength ?? '?'} bits`,
      };
    }
    if (type === 'ec') {
      const curve = curveDisplayName(d.namedCurve);
      return { type: 'EC', curve, text: `EC ${curve ?? '?'}` };
    }
    if (type === 'ed25519' || type === 'ed448')
      return { type: type === 'ed25519' ? 'Ed25519' : 'Ed448', text: type === 'ed25519' ? 'Ed25519' : 'Ed448' };
    return { type, text: type };
  }

  get signature(): { text: string; hash?: string } {
    try {
      const alg = this.x.signatureAlgorithm as unknown as { name: string; hash?: { name?: string } };
      const hash = alg.hash?.name;
      return { text: hash ? `${alg.name} with ${hash}` : alg.name, hash };
    } catch {
      return { text: 'unknown algorithm' };
    }
  }

  /** True when `issuer`'s key verifies this certificate's signature. */
  async isSignedBy(issuer: Certificate): Promise<boolean> {
    try {
      return await this.x.verify({ publicKey: issuer.x.publicKey, signatureOnly: true });
    } catch {
      // Algorithms WebCrypto lacks (e.g. RSA-PSS variants, Ed448): ask OpenSSL instead.
      try {
        return this.node.verify(issuer.node.publicKey);
      } catch {
        return false;
      }
    }
  }

  summary(): CertDetails {
    if (this.cachedSummary) return this.cachedSummary;
    const key = this.keyInfo;
    const sig = this.signature;
    const bc = this.basicConstraints;
    const extensions: ExtensionSummary[] = Array.from(this.x.extensions, (ext) => ({
      oid: ext.type,
      name: EXTENSION_NAMES[ext.type] ?? ext.type,
      critical: ext.critical,
      value: describeExtension(this, ext),
    }));
    this.cachedSummary = {
      subject: this.subject,
      issuer: this.issuer,
      commonName: this.commonNames[0],
      serialNumber: this.x.serialNumber,
      notBefore: this.notBefore.toISOString(),
      notAfter: this.notAfter.toISOString(),
      sans: this.sans,
      publicKey: key.text,
      keyType: key.type,
      keyBits: key.bits,
      curve: key.curve,
      signatureAlgorithm: sig.text,
      signatureHash: sig.hash,
      sha256: this.sha256,
      sha1: this.sha1,
      isCA: bc?.ca ?? false,
      pathLength: bc?.pathLength,
      keyUsage: this.keyUsage ?? [],
      extendedKeyUsage: Array.from(this.extendedKeyUsage ?? [], ekuName),
      selfIssued: this.selfIssued,
      extensions,
      pem: this.pem,
    };
    return this.cachedSummary;
  }
}

function describeExtension(cert: Certificate, ext: x509.Extension): string {
  switch (ext.type) {
    case '2.5.29.17':
      return cert.sans.map((n) => `${n.type.toUpperCase()}: ${n.value}`).join(', ');
    case '2.5.29.19': {
      const bc = cert.basicConstraints;
      return bc ? `CA: ${bc.ca ? 'yes' : 'no'}${bc.pathLength !== undefined ? `, path length ≤ ${bc.pathLength}` : ''}` : '';
    }
    case '2.5.29.15':
      return (cert.keyUsage ?? []).join(', ');
    case '2.5.29.37':
      return (cert.extendedKeyUsage ?? []).map(ekuName).join(', ');
    case '2.5.29.14':
      try {
        return new x509.SubjectKeyIdentifierExtension(ext.rawData).keyId.toUpperCase();
      } catch {
        return '';
      }
    case '2.5.29.35':
      try {
        const aki = new x509.AuthorityKeyIdentifierExtension(ext.rawData);
        return aki.keyId ? aki.keyId.toUpperCase() : '';
      } catch {
        return '';
      }
    default:
      return `${Buffer.from(ext.value).byteLength} bytes`;
  }
}

/** The certificate of one PEM block, remembering where it stands in its file. Throws when unparsable. */
export function certificateFromBlock(block: PemBlock, origin?: string): Certificate {
  const cert = new Certificate(block.der);
  cert.origin = origin;
  cert.lines = { start: block.startLine, end: block.endLine };
  return cert;
}

/** Reads every certificate from PEM text (bundles split) or a single DER certificate. */
export function parseCertificates(data: string | Buffer, origin?: string): Certificate[] {
  if (looksLikePem(data)) {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    const certs: Certificate[] = [];
    for (const block of splitPem(text)) {
      if (isCertificateLabel(block.label)) certs.push(certificateFromBlock(block, origin));
    }
    return certs;
  }
  const der = typeof data === 'string' ? Buffer.from(data, 'base64') : data;
  const cert = new Certificate(der);
  cert.origin = origin;
  return [cert];
}
