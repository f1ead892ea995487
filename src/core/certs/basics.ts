/**
 * Certificate facts shared by the full @peculiar/x509 summaries (certificate.ts, findings.ts), the
 * lightweight handshake summaries (tls/peerChain.ts) and the profile pre-flight checks. Type imports
 * only, so the CLI bundle can use it without pulling in @peculiar/x509.
 */
export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
export const EKU_ANY = '2.5.29.37.0';

export const EKU_NAMES: Readonly<Record<string, string>> = {
  [EKU_SERVER_AUTH]: 'serverAuth',
  [EKU_CLIENT_AUTH]: 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  [EKU_ANY]: 'anyExtendedKeyUsage',
};

/** "serverAuth" for a known EKU OID, the OID itself otherwise. */
export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}

/** True when an EKU list permits `oid` (an absent extension permits any purpose). */
export function ekuAllows(eku: readonly string[] | undefined, oid: string): boolean {
  return eku === undefined || eku.includes(oid) || eku.includes(EKU_ANY);
}

/** keyUsage bit names in bit order (bit 0 = digitalSignature), as RFC 5280 numbers them. */
export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export const SIGNATURE_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** OpenSSL curve names (as node:crypto reports them) -> NIST name and size. */
const CURVES: Readonly<Record<string, { nist: string; bits: number }>> = {
  prime256v1: { nist: 'P-256', bits: 256 },
  secp384r1: { nist: 'P-384', bits: 384 },
  secp521r1: { nist: 'P-521', bits: 521 },
};

/** "P-256" for prime256v1 etc.; other names unchanged. */
export function curveDisplayName(curve: string | undefined): string | undefined {
  return curve === undefined ? undefined : (CURVES[curve]?.nist ?? curve);
}

/** Size in bits of a named curve (OpenSSL or NIST name), or null when unknown. */
export function curveBits(curve: string): number | null {
  return (CURVES[curve] ?? Object.values(CURVES).find((c) => c.nist === curve))?.bits ?? null;
}

/** "CN=a\nO=b" (node:crypto's form of a distinguished name) -> "CN=a, O=b". */
export function formatNodeName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** The CN of a node:crypto distinguished name, or the whole name formatted when it has none. */
export function nodeNameCommonName(name: string): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(name);
  return m ? m[1] : formatNodeName(name);
}

export const DAY_MS = 86_400_000;

export type ValidityState = 'expired' | 'not-yet-valid' | 'expiring' | 'valid';

/** Where `now` falls in a validity window; 'expiring' when fewer than `warnDays` days remain. */
export function validityState(notBefore: Date, notAfter: Date, now: Date, warnDays: number): ValidityState {
  if (now.getTime() > notAfter.getTime()) return 'expired';
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  return notAfter.getTime() - now.getTime() < warnDays * DAY_MS ? 'expiring' : 'valid';
}
