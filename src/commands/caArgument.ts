/**
 * The argument of `redisTls.useCaInProfile` (the certificate panel's "Use This CA in a Profile"):
 * PEM text holding one or more CERTIFICATE blocks and nothing secret. No `vscode` here (unit-tested).
 */
import { X509Certificate } from 'node:crypto';
import { isPrivateKeyLabel, splitPem, toPem } from '../core/certs/pem';

/** A CA bundle is a few KB; anything far larger is not one. */
export const MAX_CA_PEM_CHARS = 1024 * 1024;

export interface CaArgument {
  /** Only the CERTIFICATE blocks of the input, normalised, one after the other. */
  pem: string;
  /** The subject of the first certificate on one line (server-supplied text: display only). */
  subject: string;
  count: number;
}

export class CaArgumentError extends Error {
  override readonly name = 'CaArgumentError';
}

/**
 * Validates and normalises the CA argument. Refuses anything but PEM text with at least one
 * parseable CERTIFICATE block, and refuses any private key material outright. Error messages never
 * quote the input.
 */
export function parseCaArgument(arg: unknown): CaArgument {
  if (typeof arg !== 'string') throw new CaArgumentError('Use This CA needs the CA certificate as PEM text.');
  if (arg.length > MAX_CA_PEM_CHARS) throw new CaArgumentError('The CA text is too large to be a certificate bundle.');
  const blocks = splitPem(arg);
  if (/PRIVATE KEY-----/.test(arg) || blocks.some((b) => isPrivateKeyLabel(b.label))) {
    throw new CaArgumentError('The text holds private key material: only CA certificates are accepted, and the key was not stored.');
  }
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certs.length === 0) throw new CaArgumentError('No "-----BEGIN CERTIFICATE-----" block was found.');
  let subject = '';
  certs.forEach((b, i) => {
    let parsed: X509Certificate;
    try {
      parsed = new X509Certificate(b.der);
    } catch {
      throw new CaArgumentError(`Certificate ${i + 1} of ${certs.length} cannot be read as X.509.`);
    }
    if (i === 0) subject = parsed.subject.split('\n').join(', ').slice(0, 200);
  });
  // Re-encoded from the DER: headers and stray text inside a block do not travel on.
  return { pem: certs.map((b) => toPem(b.der).trimEnd()).join('\n') + '\n', subject, count: certs.length };
}
