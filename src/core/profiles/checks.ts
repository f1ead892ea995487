/**
 * Checks made while a profile is being filled in, before any connection: the CA file holds
 * certificates, the passphrase opens the key, the key matches the certificate, the client
 * certificate allows clientAuth, expiry dates. Each problem carries a core diagnosis code.
 */
import { X509Certificate } from 'node:crypto';
import { DAY_MS, EKU_CLIENT_AUTH, ekuAllows, nodeNameCommonName, validityState } from '../certs/basics';
import { checkKeyPair, checkPfx } from '../certs/keyPair';
import { isCertificateLabel, isEncryptedKeyPem, splitPem } from '../certs/pem';
import { fileNotCertificateProblem } from '../diagnosis/fileProblem';
import type { Problem, ProblemField } from '../diagnosis/problem';

export { isEncryptedKeyPem };

export interface PreflightInput {
  /** CA PEM files (each may be a bundle). */
  ca?: Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  pfx?: Buffer;
  pfxPassword?: string;
  /** Days before expiry that count as "expiring soon". Default 30. */
  warningDays?: number;
  now?: Date;
}

export interface PreflightResult {
  /** Problems that will make the connection fail. */
  errors: Problem[];
  /** Problems that will not (yet): expiring soon. */
  warnings: Problem[];
  /** Expiry of the soonest-expiring certificate checked. */
  nearestExpiry?: Date;
  /** The key is encrypted (needs a passphrase). */
  keyEncrypted?: boolean;
}

export function splitCertificates(pem: string | Buffer): X509Certificate[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const out: X509Certificate[] = [];
  for (const block of splitPem(text)) {
    if (!isCertificateLabel(block.label)) continue;
    try {
      out.push(new X509Certificate(block.der));
    } catch {
      // a damaged block: counted as missing below
    }
  }
  if (out.length === 0 && typeof pem !== 'string' && !text.includes('-----BEGIN')) {
    try {
      out.push(new X509Certificate(pem)); // DER
    } catch {
      // not DER either
    }
  }
  return out;
}

function subjectCn(cert: X509Certificate): string {
  return nodeNameCommonName(cert.subject);
}

function problem(
  code: Problem['code'],
  field: ProblemField,
  title: string,
  detail: string,
  fix: string,
  facts?: Record<string, unknown>,
): Problem {
  return { code, field, title, detail, fix, ...(facts ? { facts } : {}) };
}

function checkValidity(
  cert: X509Certificate,
  field: ProblemField,
  what: string,
  now: Date,
  warningDays: number,
  out: PreflightResult,
): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  const facts = { subject: subjectCn(cert), notBefore: from.toISOString(), notAfter: to.toISOString() };
  if (!out.nearestExpiry || to < out.nearestExpiry) out.nearestExpiry = to;
  const state = validityState(from, to, now, warningDays);
  if (state === 'expired') {
    out.errors.push(
      problem(
        'CERT_EXPIRED',
        field,
        `The ${what} has expired`,
        `"${facts.subject}" expired on ${facts.notAfter}.`,
        `Renew the ${what} and point the profile at the new file.`,
        facts,
      ),
    );
  } else if (state === 'not-yet-valid') {
    out.errors.push(
      problem(
        'CERT_NOT_YET_VALID',
        field,
        `The ${what} is not valid yet`,
        `"${facts.subject}" is valid from ${facts.notBefore}.`,
        'Check the system clock, or wait until the certificate becomes valid.',
        facts,
      ),
    );
  } else if (state === 'expiring') {
    const days = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
    out.warnings.push(
      problem(
        'CERT_EXPIRED',
        field,
        `The ${what} expires in ${days} day${days === 1 ? '' : 's'}`,
        `"${facts.subject}" expires on ${facts.notAfter}.`,
        `Renew the ${what} before it expires.`,
        { ...facts, days },
      ),
    );
  }
}

export function preflight(input: PreflightInput): PreflightResult {
  const now = input.now ?? new Date();
  const warningDays = input.warningDays ?? 30;
  const out: PreflightResult = { errors: [], warnings: [] };

  for (const ca of input.ca ?? []) {
    const certs = splitCertificates(ca);
    if (certs.length === 0) {
      out.errors.push(fileNotCertificateProblem('ca'));
    }
    for (const c of certs) checkValidity(c, 'ca', 'CA certificate', now, warningDays, out);
  }

  let leaf: X509Certificate | undefined;
  if (input.cert !== undefined) {
    const certs = splitCertificates(input.cert);
    leaf = certs[0];
    if (!leaf) {
      out.errors.push(fileNotCertificateProblem('cert'));
    } else {
      checkValidity(leaf, 'cert', 'client certificate', now, warningDays, out);
      const eku = leaf.keyUsage;
      if (eku && eku.length > 0 && !ekuAllows(eku, EKU_CLIENT_AUTH)) {
        out.errors.push(
          problem(
            'WRONG_PURPOSE',
            'cert',
            'The client certificate does not allow client authentication',
            `Its extended key usage lists ${eku.join(', ')} but not clientAuth (${EKU_CLIENT_AUTH}); servers reject it (alert "unsupported certificate").`,
            'Issue the client certificate with extendedKeyUsage = clientAuth.',
            { eku },
          ),
        );
      }
    }
  }

  if (input.key !== undefined) {
    const pair = checkKeyPair({ cert: leaf, key: input.key, passphrase: input.passphrase || undefined });
    out.keyEncrypted = pair.keyEncrypted;
    if (!pair.ok) out.errors.push(pair.problem);
  }
  if (input.pfx) {
    const pfx = checkPfx(input.pfx, input.pfxPassword);
    if (!pfx.ok) out.errors.push(pfx.problem);
  }
  return out;
}

/** One line per problem: "CODE: title — fix". */
export function formatProblem(p: Problem): string {
  return `${p.code}: ${p.title}. ${p.detail} ${p.fix}`;
}
