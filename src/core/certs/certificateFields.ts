/**
 * The two certificate fields Node 20's X509Certificate does not expose — the signature algorithm and
 * keyUsage — read straight from the DER with a minimal reader, so the handshake report (and the CLI,
 * whose bundle stays small) need no ASN.1 library: @peculiar/asn1-x509 would add ~380 kB to dist/cli.js.
 * Everything else ASN.1 (PKCS#12, full certificate parsing) goes through the @peculiar packages.
 * Malformed input yields the defaults, never an exception.
 */
import { KEY_USAGE_NAMES, SIGNATURE_NAMES } from './basics';

interface Tlv {
  /** Identifier octet (class + constructed bit + tag number for low tag numbers). */
  tag: number;
  constructed: boolean;
  tagClass: number;
  tagNumber: number;
  /** Offsets into the buffer: the value spans [start, end). */
  start: number;
  end: number;
  /** Offset just after this element (after the end-of-contents octets for indefinite lengths). */
  next: number;
  buf: Buffer;
}

class DerError extends Error {}

const MAX_DEPTH = 64;

function readTlv(buf: Buffer, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('ASN.1 nesting too deep');
  if (offset + 2 > buf.length) throw new DerError('truncated ASN.1 element');
  const tag = buf[offset];
  const tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) throw new DerError('high tag numbers are not supported');
  let pos = offset + 1;
  const first = buf[pos++];
  const constructed = (tag & 0x20) !== 0;
  if (first === 0x80) {
    if (!constructed) throw new DerError('indefinite length on a primitive element');
    // Indefinite length: children until the 00 00 end-of-contents marker.
    const start = pos;
    let p = pos;
    for (;;) {
      if (p + 2 > buf.length) throw new DerError('unterminated indefinite length');
      if (buf[p] === 0 && buf[p + 1] === 0) break;
      p = readTlv(buf, p, depth + 1).next;
    }
    return { tag, constructed, tagClass: tag >> 6, tagNumber, start, end: p, next: p + 2, buf };
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || pos + n > buf.length) throw new DerError('bad ASN.1 length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
  }
  const end = pos + len;
  if (end > buf.length) throw new DerError('ASN.1 length beyond the data');
  return { tag, constructed, tagClass: tag >> 6, tagNumber, start: pos, end, next: end, buf };
}

function children(t: Tlv, depth = 0): Tlv[] {
  const out: Tlv[] = [];
  let p = t.start;
  while (p < t.end) {
    const c = readTlv(t.buf, p, depth + 1);
    out.push(c);
    p = c.next;
  }
  return out;
}

function value(t: Tlv): Buffer {
  return t.buf.subarray(t.start, t.end);
}

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}

function oid(t: Tlv): string {
  const v = value(expect(t, 0x06, 'OBJECT IDENTIFIER'));
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (const byte of v) {
    acc = acc * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  const first = parts[0] < 80 ? Math.floor(parts[0] / 40) : 2;
  return [first, parts[0] - first * 40, ...parts.slice(1)].join('.');
}

const TAG = { SEQUENCE: 0x30, OCTET_STRING: 0x04, OID: 0x06 } as const;

export interface CertificateDerFields {
  signatureAlgorithm: string;
  keyUsage: string[];
}

const KEY_USAGE_OID = '2.5.29.15';

export function readCertificateFields(der: Buffer): CertificateDerFields {
  const out: CertificateDerFields = { signatureAlgorithm: 'unknown', keyUsage: [] };
  try {
    const [tbs, sigAlg] = children(expect(readTlv(der), TAG.SEQUENCE, 'Certificate'));
    if (sigAlg?.tag === TAG.SEQUENCE) {
      const algOid = oid(children(sigAlg)[0]);
      out.signatureAlgorithm = SIGNATURE_NAMES[algOid] ?? algOid;
    }
    const extsWrapper = children(expect(tbs, TAG.SEQUENCE, 'TBSCertificate')).find((c) => c.tag === 0xa3);
    const exts = extsWrapper ? children(extsWrapper)[0] : undefined;
    for (const ext of exts ? children(exts) : []) {
      const parts = children(ext);
      if (parts[0]?.tag !== TAG.OID || oid(parts[0]) !== KEY_USAGE_OID) continue;
      const bits = readTlv(value(expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue')));
      const bytes = value(expect(bits, 0x03, 'BIT STRING')).subarray(1); // after the unused-bits octet
      KEY_USAGE_NAMES.forEach((name, i) => {
        if (i >> 3 < bytes.length && bytes[i >> 3] & (0x80 >> (i & 7))) out.keyUsage.push(name);
      });
      break;
    }
  } catch {
    // malformed: keep what was read
  }
  return out;
}
