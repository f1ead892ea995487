/**
 * The two certificate fields Node 20's X509Certificate does not expose — the signature algorithm
 * and keyUsage — read straight from the DER. A few dozen lines instead of an ASN.1 library keeps the
 * CLI's start-up fast. Malformed input yields undefined, never an exception.
 */
interface Tlv { tag: number; start: number; end: number }

function readTlv(buf: Buffer, off: number, limit = buf.length): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = buf[off];
  let len = buf[off + 1];
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i];
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = parent.start;
  while (off < parent.end) {
    const t = readTlv(buf, off, parent.end);
    if (!t) break;
    out.push(t);
    off = t.end;
  }
  return out;
}

function decodeOid(buf: Buffer, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    v = v * 128 + (buf[i] & 0x7f);
    if (!(buf[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const SIGNATURE_NAMES: Record<string, string> = {
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

const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

export interface DerFields {
  signatureAlgorithm: string;
  keyUsage: string[];
}

export function readDerFields(der: Buffer): DerFields {
  const out: DerFields = { signatureAlgorithm: 'unknown', keyUsage: [] };
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return out;
  const [tbs, sigAlg] = children(der, cert);
  if (sigAlg && sigAlg.tag === 0x30) {
    const oid = children(der, sigAlg)[0];
    if (oid && oid.tag === 0x06) {
      const o = decodeOid(der, oid);
      out.signatureAlgorithm = SIGNATURE_NAMES[o] ?? o;
    }
  }
  if (!tbs || tbs.tag !== 0x30) return out;
  const extsWrapper = children(der, tbs).find((c) => c.tag === 0xa3);
  const exts = extsWrapper ? children(der, extsWrapper)[0] : undefined;
  if (!exts) return out;
  for (const ext of children(der, exts)) {
    const parts = children(der, ext);
    if (parts[0]?.tag !== 0x06 || decodeOid(der, parts[0]) !== '2.5.29.15') continue;
    const octets = parts[parts.length - 1];
    const bits = octets && octets.tag === 0x04 ? readTlv(der, octets.start, octets.end) : undefined;
    if (!bits || bits.tag !== 0x03 || bits.end - bits.start < 2) break;
    for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
      const byte = bits.start + 1 + (i >> 3);
      if (byte < bits.end && der[byte] & (0x80 >> (i & 7))) out.keyUsage.push(KEY_USAGE_BITS[i]);
    }
    break;
  }
  return out;
}
