/**
 * The one check that a client identity is usable: the passphrase opens the key, the key is the
 * private half of the certificate, a PKCS#12 file opens with its password. Every caller (the
 * connection's pre-check, the profile pre-flight, the PKCS#12 reader, the failure classifier) gets
 * the same typed result with the same diagnosis code and words. Plain node:crypto/node:tls: no
 * @peculiar/x509, so the CLI bundle can use it. Secrets never appear in a result.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { makeProblem } from '../diagnosis/catalogue';
import type { Problem } from '../diagnosis/problem';
import { isEncryptedKeyPem } from './pem';

/** What went wrong, for callers that branch on it (the diagnosis code is in `problem`). */
export type KeyPairFailure =
  | 'cert-without-key'
  | 'key-without-cert'
  | 'passphrase'
  | 'unreadable-key'
  | 'unreadable-cert'
  | 'mismatch'
  | 'pfx-password'
  | 'pfx-legacy'
  | 'pfx-mismatch'
  | 'pfx-unreadable';

export type KeyPairResult =
  | { ok: true; keyEncrypted: boolean; key?: KeyObject }
  | { ok: false; keyEncrypted: boolean; failure: KeyPairFailure; problem: Problem; cause?: unknown };

export interface KeyPairInput {
  /** The client certificate: PEM/DER (the first certificate counts) or already parsed. */
  cert?: string | Buffer | X509Certificate;
  /** The private key, PEM. */
  key?: string | Buffer;
  passphrase?: string;
}

export interface KeyPairOptions {
  /**
   * A connection needs both halves: a certificate without its key (or the reverse) is a problem.
   * While a profile is being filled in, one half alone is checked as far as it goes.
   */
  requireBoth?: boolean;
}

/** True when `key` is the private key of `cert` (node:crypto's check; a failure to compare is false). */
export function certificateHoldsKey(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}

function errorCodeOf(e: unknown): string {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function commonName(cert: X509Certificate): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return m ? m[1] : cert.subject.split('\n').filter(Boolean).join(', ');
}

const DECRYPT_CODES = /DECRYPT|PASSPHRASE|BAD_PASSWORD/;
/** The codes OpenSSL/Node give a key or PKCS#12 file that the passphrase does not open (exact: TLS alerts contain DECRYPT too). */
const PASSPHRASE_ERROR_CODES = new Set([
  'ERR_OSSL_BAD_DECRYPT',
  'ERR_OSSL_EVP_BAD_DECRYPT',
  'ERR_MISSING_PASSPHRASE',
  'ERR_OSSL_PEM_BAD_PASSWORD_READ',
  'ERR_OSSL_PKCS12_MAC_VERIFY_FAILURE',
]);

function passphraseProblem(given: boolean, errorCode?: string): Problem {
  return makeProblem(
    'KEY_PASSPHRASE',
    given
      ? 'The private key could not be decrypted with the passphrase given.'
      : 'The private key is encrypted and no passphrase was given.',
    errorCode ? { facts: { errorCode } } : undefined,
  );
}

function fail(keyEncrypted: boolean, failure: KeyPairFailure, problem: Problem, cause?: unknown): KeyPairResult {
  return { ok: false, keyEncrypted, failure, problem, ...(cause === undefined ? {} : { cause }) };
}

/** Opens the key with its passphrase: the KeyObject, or why not. */
export function openPrivateKey(key: string | Buffer, passphrase: string | undefined): KeyPairResult {
  const keyEncrypted = isEncryptedKeyPem(key);
  if (keyEncrypted && passphrase === undefined) return fail(true, 'passphrase', passphraseProblem(false));
  try {
    return {
      ok: true,
      keyEncrypted,
      key: createPrivateKey(passphrase !== undefined ? { key, format: 'pem', passphrase } : { key, format: 'pem' }),
    };
  } catch (e) {
    const code = errorCodeOf(e);
    // A wrong passphrase usually fails the padding check (BAD_DECRYPT), but about 1 time in 256 the
    // padding happens to be valid and the garbage then fails to parse with another code: for an
    // encrypted key, any failure means the passphrase does not open it.
    if (keyEncrypted || DECRYPT_CODES.test(code))
      return fail(keyEncrypted, 'passphrase', passphraseProblem(passphrase !== undefined, code || undefined), e);
    return fail(
      false,
      'unreadable-key',
      makeProblem('KEY_MISMATCH', `No PKCS#8 or PKCS#1 private key could be read from the key file (${code || 'unreadable'}).`, {
        field: 'key',
        title: 'The private key is unreadable',
        fix: 'Choose the private key file (PEM) that belongs to the client certificate.',
        ...(code ? { facts: { errorCode: code } } : {}),
      }),
      e,
    );
  }
}

function parseCertificate(cert: string | Buffer): X509Certificate | { error: unknown } {
  try {
    return new X509Certificate(cert);
  } catch (e) {
    return { error: e };
  }
}

/** Checks a PEM client identity: the key opens (with its passphrase) and belongs to the certificate. */
export function checkKeyPair(input: KeyPairInput, options: KeyPairOptions = {}): KeyPairResult {
  const { key, passphrase } = input;
  if (key === undefined) {
    if (input.cert !== undefined && options.requireBoth) {
      return fail(
        false,
        'cert-without-key',
        makeProblem('KEY_MISMATCH', 'A client certificate is configured without its private key.', { field: 'key' }),
      );
    }
    return { ok: true, keyEncrypted: false };
  }
  const opened = openPrivateKey(key, passphrase);
  if (!opened.ok || !opened.key) return opened;
  if (input.cert === undefined) {
    if (options.requireBoth)
      return fail(
        opened.keyEncrypted,
        'key-without-cert',
        makeProblem('KEY_MISMATCH', 'A private key is configured without its client certificate.', { field: 'cert' }),
      );
    return opened;
  }
  const cert = input.cert instanceof X509Certificate ? input.cert : parseCertificate(input.cert);
  if (!(cert instanceof X509Certificate)) {
    const code = errorCodeOf(cert.error);
    return fail(
      opened.keyEncrypted,
      'unreadable-cert',
      makeProblem('CLIENT_CERT_REJECTED', `No certificate could be read from the client certificate file (${code || 'unreadable'}).`, {
        field: 'cert',
        title: 'The client certificate is unreadable',
        fix: 'Choose the PEM file of the client certificate (not the key).',
      }),
      cert.error,
    );
  }
  if (!certificateHoldsKey(cert, opened.key)) {
    const subject = commonName(cert);
    return fail(
      opened.keyEncrypted,
      'mismatch',
      makeProblem(
        'KEY_MISMATCH',
        `The private key is a ${opened.key.asymmetricKeyType ?? 'unknown'} key whose public half is not the ${cert.publicKey.asymmetricKeyType ?? 'unknown'} public key of the client certificate "${subject}".`,
        { facts: { subject } },
      ),
    );
  }
  return opened;
}

/** What a PKCS#12 load failure (or any client-identity error OpenSSL raised) means, or undefined. */
export function identityErrorProblem(
  err: unknown,
  identity: { passphrase?: string; pfx?: Buffer },
  facts?: Record<string, unknown>,
): { failure: KeyPairFailure; problem: Problem } | undefined {
  const code = errorCodeOf(err);
  const message =
    err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : '';
  const withFacts = facts ? { facts } : {};
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' || (identity.pfx && !code && /key values mismatch/i.test(message))) {
    return identity.pfx
      ? {
          failure: 'pfx-mismatch',
          problem: makeProblem('KEY_MISMATCH', 'The private key in the PKCS#12 file does not match its certificate.', {
            ...withFacts,
            field: 'cert',
          }),
        }
      : {
          failure: 'mismatch',
          problem: makeProblem(
            'KEY_MISMATCH',
            "The private key's public half differs from the public key in the client certificate.",
            withFacts,
          ),
        };
  }
  if (identity.pfx) {
    if (code === 'ERR_CRYPTO_UNSUPPORTED_OPERATION' || (!code && /unsupported|rc2|legacy/i.test(message))) {
      return {
        failure: 'pfx-legacy',
        problem: makeProblem(
          'KEY_PASSPHRASE',
          'The PKCS#12 (.pfx/.p12) file is encrypted with a legacy algorithm (RC2 or 3DES) that OpenSSL 3 no longer loads.',
          {
            ...withFacts,
            field: 'key',
            title: 'The PKCS#12 file uses legacy encryption',
            fix: 'Re-export it with modern encryption (openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export ...), or use the PEM certificate and key instead.',
          },
        ),
      };
    }
    // OpenSSL's PKCS#12 MAC failure arrives without any code: the message is all there is.
    if (PASSPHRASE_ERROR_CODES.has(code) || (!code && /mac verify fail|bad decrypt|invalid password/i.test(message))) {
      return {
        failure: 'pfx-password',
        problem: makeProblem(
          'KEY_PASSPHRASE',
          identity.passphrase
            ? 'The PKCS#12 file could not be opened with the password given (MAC check failed).'
            : 'The PKCS#12 file needs a password, and none was given.',
          {
            ...withFacts,
          },
        ),
      };
    }
    return undefined;
  }
  if (PASSPHRASE_ERROR_CODES.has(code)) {
    return {
      failure: 'passphrase',
      problem: { ...passphraseProblem(identity.passphrase !== undefined && identity.passphrase !== ''), ...withFacts },
    };
  }
  return undefined;
}

/** Checks that a PKCS#12 file opens with its password and holds a matching key and certificate (OpenSSL decides). */
export function checkPfx(pfx: Buffer, password: string | undefined): KeyPairResult {
  try {
    createSecureContext({ pfx, ...(password !== undefined && password !== '' ? { passphrase: password } : {}) });
    return { ok: true, keyEncrypted: true };
  } catch (e) {
    const known = identityErrorProblem(e, { pfx, passphrase: password });
    if (known) return fail(true, known.failure, known.problem, e);
    const code = errorCodeOf(e);
    return fail(
      true,
      'pfx-unreadable',
      makeProblem('CLIENT_CERT_REJECTED', `It is not a valid PKCS#12 (PFX) file (${code || 'OpenSSL could not load it'}).`, {
        field: 'cert',
        title: 'The PKCS#12 file cannot be read',
        fix: 'Choose a .pfx/.p12 file exported with its private key.',
      }),
      e,
    );
  }
}
