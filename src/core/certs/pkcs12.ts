/**
 * PKCS#12 client identities. Node cannot turn a PFX into certificates, so: OpenSSL validates it
 * (tls.createSecureContext: password, key/cert pair), and the certificates are read here with the
 * DER reader, decrypting PBES2 (PBKDF2 + AES/3DES, OpenSSL 3's default) and SHA-1/3DES PBE bags.
 * RC2/RC4 bags (`openssl pkcs12 -legacy`) are reported as such: Node's OpenSSL cannot load them either.
 * The private key bag is never decrypted; only its presence is reported.
 */
import * as crypto from 'node:crypto';
import { Certificate } from './certificate';
import { checkPfx, type KeyPairFailure } from './keyPair';
import { children, DerError, expect, integer, octets, oid, readTlv, TAG, type Tlv } from './der';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
};

const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

const CIPHERS: Record<string, { name: string; keyLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

const LEGACY_PBE: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4',
  '1.2.840.113549.1.12.1.3': 'pbeWithSHAAnd3-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.4': 'pbeWithSHAAnd2-KeyTripleDES-CBC',
  '1.2.840.113549.1.12.1.5': 'pbeWithSHAAnd128BitRC2-CBC',
  '1.2.840.113549.1.12.1.6': 'pbeWithSHAAnd40BitRC2-CBC',
};

export type PfxValidation =
  | { ok: true }
  | { ok: false; reason: 'password' | 'legacy' | 'key-mismatch' | 'corrupt'; message: string };

export interface PfxContents {
  certificates: Certificate[];
  hasPrivateKey: boolean;
  /** Encryption schemes that could not be opened here (e.g. legacy RC2). */
  unsupported: string[];
  validation: PfxValidation;
}

const VALIDATION_REASONS: Partial<Record<KeyPairFailure, Exclude<PfxValidation, { ok: true }>['reason']>> = {
  'pfx-password': 'password',
  'pfx-legacy': 'legacy',
  'pfx-mismatch': 'key-mismatch',
};

/** Asks OpenSSL whether the PFX loads with this password (the shared key-pair check). Never echoes the password. */
export function validatePfx(pfx: Buffer, password: string): PfxValidation {
  const result = checkPfx(pfx, password);
  if (result.ok) return { ok: true };
  return { ok: false, reason: VALIDATION_REASONS[result.failure] ?? 'corrupt', message: `${result.problem.title}: ${result.problem.detail}` };
}

function algorithm(t: Tlv): { oid: string; params?: Tlv } {
  const [id, params] = children(expect(t, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  return { oid: oid(id), params };
}

function decryptPbes2(params: Tlv, password: string, data: Buffer): Buffer {
  const [kdf, enc] = children(expect(params, TAG.SEQUENCE, 'PBES2-params'));
  const k = algorithm(kdf);
  if (k.oid !== OID.pbkdf2 || !k.params) throw new DerError(`unsupported key derivation ${k.oid}`);
  const kp = children(k.params);
  const salt = octets(expect(kp[0], TAG.OCTET_STRING, 'PBKDF2 salt'));
  const iterations = integer(kp[1]);
  let prf = 'sha1';
  for (const extra of kp.slice(2)) {
    if (extra.tag === TAG.SEQUENCE) {
      const p = algorithm(extra);
      const name = PRF[p.oid];
      if (!name) throw new DerError(`unsupported PBKDF2 PRF ${p.oid}`);
      prf = name;
    }
  }
  const e = algorithm(enc);
  const cipher = CIPHERS[e.oid];
  if (!cipher || !e.params) throw new DerError(`unsupported cipher ${e.oid}`);
  const iv = octets(e.params);
  if (iterations > 10_000_000) throw new DerError('unreasonable PBKDF2 iteration count');
  const key = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
  const decipher = crypto.createDecipheriv(cipher.name, key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

/** RFC 7292 appendix B.2 key derivation (SHA-1), used by the pbeWithSHAAnd3-KeyTripleDES-CBC scheme. */
export function pkcs12Kdf(password: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  const u = 20;
  const v = 64;
  const bmp = Buffer.alloc((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(bmp)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = crypto.createHash('sha1').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = crypto.createHash('sha1').update(A).digest();
    blocks.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k] + B[k] + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function decryptPbeSha1TripleDes(params: Tlv, password: string, data: Buffer): Buffer {
  const [saltTlv, iterTlv] = children(expect(params, TAG.SEQUENCE, 'PBE parameters'));
  const salt = octets(saltTlv);
  const iterations = integer(iterTlv);
  if (iterations > 10_000_000) throw new DerError('unreasonable PBE iteration count');
  const key = pkcs12Kdf(password, salt, 1, iterations, 24);
  const iv = pkcs12Kdf(password, salt, 2, iterations, 8);
  const decipher = crypto.createDecipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';

/** Reads the certificates of a PFX (and validates it with OpenSSL). */
export function readPfx(pfx: Buffer, password: string): PfxContents {
  const validation = validatePfx(pfx, password);
  const certificates: Certificate[] = [];
  const unsupported: string[] = [];
  let hasPrivateKey = false;

  const walkBags = (safeContents: Buffer): void => {
    for (const bag of children(readTlv(safeContents))) {
      const [idTlv, wrapped] = children(bag);
      const bagId = oid(idTlv);
      if (bagId === OID.keyBag || bagId === OID.shroudedKeyBag) {
        hasPrivateKey = true;
      } else if (bagId === OID.certBag && wrapped) {
        const certBag = children(expect(wrapped, TAG.CTX0, 'bagValue'))[0];
        const [certId, certValue] = children(certBag);
        if (oid(certId) === OID.x509Certificate) {
          const der = octets(children(expect(certValue, TAG.CTX0, 'certValue'))[0]);
          const cert = new Certificate(der);
          cert.origin = 'PKCS#12';
          certificates.push(cert);
        }
      }
    }
  };

  const top = children(readTlv(pfx));
  const authSafe = children(expect(top[1], TAG.SEQUENCE, 'authSafe ContentInfo'));
  if (oid(authSafe[0]) !== OID.data) throw new DerError('PKCS#12 authSafe must be data (public-key integrity mode is not supported)');
  const authSafeBytes = octets(children(expect(authSafe[1], TAG.CTX0, 'authSafe content'))[0]);
  for (const info of children(readTlv(authSafeBytes))) {
    const [typeTlv, content] = children(info);
    const type = oid(typeTlv);
    if (type === OID.data) {
      walkBags(octets(children(content)[0]));
    } else if (type === OID.encryptedData) {
      const encryptedData = children(children(content)[0]);
      const eci = children(encryptedData[1]);
      const alg = algorithm(eci[1]);
      const encrypted = eci[2];
      if (!encrypted) continue;
      const data = encrypted.constructed ? Buffer.concat(children(encrypted).map(octets)) : encrypted.buf.subarray(encrypted.start, encrypted.end);
      if ((alg.oid === OID.pbes2 || alg.oid === PBE_SHA1_3DES) && alg.params) {
        try {
          walkBags(alg.oid === OID.pbes2 ? decryptPbes2(alg.params, password, data) : decryptPbeSha1TripleDes(alg.params, password, data));
        } catch (e) {
          if (e instanceof DerError) unsupported.push(e.message);
          else unsupported.push('could not decrypt the certificate bag (wrong password?)');
        }
      } else {
        unsupported.push(LEGACY_PBE[alg.oid] ?? alg.oid);
      }
    }
  }
  return { certificates, hasPrivateKey, unsupported, validation };
}
