/**
 * The facts host-name matching reads from a certificate — its subjectAltName entries and subject CNs —
 * parsed with @peculiar/asn1-x509, the same ASN.1 schema @peculiar/x509 (certificate.ts) uses, so
 * both see the same names. The connection's name check (names.ts) needs only these, and loading this
 * schema alone costs a fraction of @peculiar/x509 (it is on every connection's path, and the CLI's).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate as AsnCertificate, SubjectAlternativeName, id_ce_subjectAltName } from '@peculiar/asn1-x509';

export interface NameEntry {
  type: 'dns' | 'ip' | 'email' | 'uri' | 'other';
  value: string;
}

/** What matchName (names.ts) reads: a Certificate has both, and so has nameFacts()'s result. */
export interface NameFacts {
  readonly sans: readonly NameEntry[];
  readonly commonNames: readonly string[];
}

const ID_COMMON_NAME = '2.5.4.3';
/** otherName types @peculiar/x509 reads (GUID, UPN); it leaves out entries of any other kind. */
const KNOWN_OTHER_NAMES = new Set(['1.3.6.1.4.1.311.25.1', '1.3.6.1.4.1.311.20.2.3']);

/**
 * The DNS/IP/email/URI subjectAltName entries (of the first subjectAltName extension) and the subject's
 * CN values, from DER ('other' entries carry no value: no name rule reads them). Throws when the
 * certificate or that extension does not parse.
 */
export function nameFacts(der: Uint8Array): NameFacts {
  const cert = AsnConvert.parse(der, AsnCertificate);
  const tbs = cert.tbsCertificate;
  const commonNames: string[] = [];
  for (const rdn of tbs.subject) for (const attr of rdn) if (attr.type === ID_COMMON_NAME) commonNames.push(attr.value.toString());
  const sans: NameEntry[] = [];
  const ext = tbs.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  if (ext) {
    for (const name of AsnConvert.parse(ext.extnValue.buffer, SubjectAlternativeName)) {
      if (name.dNSName !== undefined) sans.push({ type: 'dns', value: name.dNSName });
      else if (name.rfc822Name !== undefined) sans.push({ type: 'email', value: name.rfc822Name });
      else if (name.iPAddress !== undefined) sans.push({ type: 'ip', value: name.iPAddress });
      else if (name.uniformResourceIdentifier !== undefined) sans.push({ type: 'uri', value: name.uniformResourceIdentifier });
      else if (name.registeredID !== undefined || name.directoryName !== undefined) sans.push({ type: 'other', value: '' });
      else if (name.otherName !== undefined && KNOWN_OTHER_NAMES.has(name.otherName.typeId)) sans.push({ type: 'other', value: '' });
      // Anything else (another otherName, x400Address, ediPartyName) is left out, as @peculiar/x509
      // leaves it out (certificate.ts), so the panel and the connection list the same entries.
    }
  }
  return { sans, commonNames };
}
