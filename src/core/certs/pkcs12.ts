/**
 * PKCS#12 client identities. Node cannot turn a PFX into certificates, so: OpenSSL validates it
 * (the shared key-pair check: password, key/cert pair), and the certificates are read here. The
 * structure is parsed by @peculiar/asn1-pfx/-cms/-schema; decryption stays on node:crypto: PBES2
 * (PBKDF2 + AES/3DES, OpenSSL 3's default) and SHA-1/3DES PBE bags. RC2/RC4 bags
 * (`openssl pkcs12 -legacy`) are reported as such: Node's OpenSSL cannot load them either.
 * The private key bag is never decrypted; only its presence is reported.
 */
import * as crypto from 'node:crypto';
import { ContentInfo, EncryptedContentInfo, id_data, id_encryptedData } from '@peculiar/asn1-cms';
import {
  AuthenticatedSafe,
  CertBag,
  PFX,
  SafeContents,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
} from '@peculiar/asn1-pfx';
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { Certificate } from './certificate';
import { checkPfx, type KeyPairFailure } from './keyPair';

/** A structure or algorithm this reader does not handle; its message names it. */
class Pkcs12Error extends Error {}

// RFC 5652 EncryptedData, RFC 8018 PBES2/PBKDF2 parameters, RFC 7292 PBE parameters: the schemas
// the @peculiar packages do not ship.
class EncryptedData {
  @AsnProp({ type: AsnPropTypes.Integer }) version = 0;
  @AsnProp({ type: EncryptedContentInfo }) encryptedContentInfo = new EncryptedContentInfo();
}

class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
}

class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) prf?: AlgorithmIdentifier;
}

class PbeParameter {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

const OID = {
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

export type PfxValidation = { ok: true } | { ok: false; reason: 'password' | 'legacy' | 'key-mismatch' | 'corrupt'; message: string };

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
  return {
    ok: false,
    reason: VALIDATION_REASONS[result.failure] ?? 'corrupt',
    message: `${result.problem.title}: ${result.problem.detail}`,
  };
}

const MAX_ITERATIONS = 10_000_000;

function bytes(b: ArrayBuffer | OctetString): Buffer {
  return Buffer.from(b instanceof OctetString ? b.buffer : b);
}

function decryptPbes2(params: ArrayBuffer, password: string, data: Buffer): Buffer {
  const pbes2 = AsnConvert.parse(params, Pbes2Params);
  const kdf = pbes2.keyDerivationFunc;
  if (kdf.algorithm !== OID.pbkdf2 || !kdf.parameters) throw new Pkcs12Error(`unsupported key derivation ${kdf.algorithm}`);
  const kp = AsnConvert.parse(kdf.parameters, Pbkdf2Params);
  let prf = 'sha1';
  if (kp.prf) {
    const name = PRF[kp.prf.algorithm];
    if (!name) throw new Pkcs12Error(`unsupported PBKDF2 PRF ${kp.prf.algorithm}`);
    prf = name;
  }
  const enc = pbes2.encryptionScheme;
  const cipher = CIPHERS[enc.algorithm];
  if (!cipher || !enc.parameters) throw new Pkcs12Error(`unsupported cipher ${enc.algorithm}`);
  const iv = bytes(AsnConvert.parse(enc.parameters, OctetString));
  if (kp.iterationCount > MAX_ITERATIONS) throw new Pkcs12Error('unreasonable PBKDF2 iteration count');
  const key = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), bytes(kp.salt), kp.iterationCount, cipher.keyLength, prf);
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

function decryptPbeSha1TripleDes(params: ArrayBuffer, password: string, data: Buffer): Buffer {
  const pbe = AsnConvert.parse(params, PbeParameter);
  if (pbe.iterations > MAX_ITERATIONS) throw new Pkcs12Error('unreasonable PBE iteration count');
  const salt = bytes(pbe.salt);
  const key = pkcs12Kdf(password, salt, 1, pbe.iterations, 24);
  const iv = pkcs12Kdf(password, salt, 2, pbe.iterations, 8);
  const decipher = crypto.createDecipheriv('des-ede3-cbc', key, iv);
  return Buffer.concat([decipher.update(data), decipher.final()]);
}

const PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';

/** The bytes of a ContentInfo of type data (an OCTET STRING, primitive or BER-constructed). */
function dataContent(info: ContentInfo): Buffer {
  return bytes(AsnConvert.parse(info.content, OctetString));
}

function encryptedBytes(eci: EncryptedContentInfo): Buffer | undefined {
  const content = eci.encryptedContent;
  if (content?.value) return bytes(content.value);
  if (content?.constructedValue) return Buffer.concat(content.constructedValue.map(bytes));
  return undefined;
}

/** Reads the certificates of a PFX (and validates it with OpenSSL). */
export function readPfx(pfx: Buffer, password: string): PfxContents {
  const validation = validatePfx(pfx, password);
  const certificates: Certificate[] = [];
  const unsupported: string[] = [];
  let hasPrivateKey = false;

  const walkBags = (safeContents: Buffer): void => {
    for (const bag of AsnConvert.parse(safeContents, SafeContents)) {
      if (bag.bagId === id_keyBag || bag.bagId === id_pkcs8ShroudedKeyBag) {
        hasPrivateKey = true;
      } else if (bag.bagId === id_certBag) {
        const certBag = AsnConvert.parse(bag.bagValue, CertBag);
        if (certBag.certId === id_x509Certificate) {
          const cert = new Certificate(bytes(AsnConvert.parse(certBag.certValue, OctetString)));
          cert.origin = 'PKCS#12';
          certificates.push(cert);
        }
      }
    }
  };

  const top = AsnConvert.parse(pfx, PFX);
  if (top.authSafe.contentType !== id_data)
    throw new Pkcs12Error('PKCS#12 authSafe must be data (public-key integrity mode is not supported)');
  for (const info of AsnConvert.parse(dataContent(top.authSafe), AuthenticatedSafe)) {
    if (info.contentType === id_data) {
      walkBags(dataContent(info));
    } else if (info.contentType === id_encryptedData) {
      const eci = AsnConvert.parse(info.content, EncryptedData).encryptedContentInfo;
      const alg = eci.contentEncryptionAlgorithm;
      const data = encryptedBytes(eci);
      if (!data) continue;
      if ((alg.algorithm === OID.pbes2 || alg.algorithm === PBE_SHA1_3DES) && alg.parameters) {
        try {
          walkBags(
            alg.algorithm === OID.pbes2
              ? decryptPbes2(alg.parameters, password, data)
              : decryptPbeSha1TripleDes(alg.parameters, password, data),
          );
        } catch (e) {
          if (e instanceof Pkcs12Error) unsupported.push(e.message);
          else unsupported.push('could not decrypt the certificate bag (wrong password?)');
        }
      } else {
        unsupported.push(LEGACY_PBE[alg.algorithm] ?? alg.algorithm);
      }
    }
  }
  return { certificates, hasPrivateKey, unsupported, validation };
}
