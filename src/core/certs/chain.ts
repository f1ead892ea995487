/**
 * Chain building and per-link verdicts, from what a server presented plus the configured CAs (or the
 * system roots). Mirrors OpenSSL's defaults: trusted-first issuer search, only self-signed CAs are
 * trust anchors (a CA file with just the intermediate is incomplete), EKU enforced on CAs too.
 */
import * as tls from 'node:tls';
import type { DiagnosisCode } from '../diagnosis/problem';
import { EKU_CLIENT_AUTH, EKU_SERVER_AUTH, ekuAllows } from './basics';
import { Certificate, parseCertificates, type CertDetails } from './certificate';
import { describeValidity } from './findings';
import { matchName, type NameMatch } from './names';

export type CheckId = 'signature' | 'validity' | 'ca' | 'pathLength' | 'keyUsage' | 'eku' | 'name' | 'strength' | 'trust';
export type Verdict = 'ok' | 'warning' | 'error';

export interface LinkCheck {
  id: CheckId;
  verdict: Verdict;
  text: string;
  code?: DiagnosisCode;
}

export type LinkSource = 'presented' | 'configured CA' | 'system store' | 'presented, also a configured CA';

export interface ChainLink {
  position: number;
  role: 'leaf' | 'intermediate' | 'root';
  source: LinkSource;
  cert: Certificate;
  checks: LinkCheck[];
  verdict: Verdict;
  /** The verdict in words. */
  explanation: string;
}

export interface ChainReport {
  links: ChainLink[];
  /** The chain ends at a trusted self-signed CA and no link has an error. */
  trusted: boolean;
  /** The chain reaches a self-signed certificate (trusted or not). */
  complete: boolean;
  /** One line: trusted, or what is wrong first. */
  verdict: string;
  code?: DiagnosisCode;
  nameMatch?: NameMatch;
  /** Presented certificates that are not part of the path (sent needlessly or in the wrong order). */
  unused: Certificate[];
}

export interface ChainOptions {
  /** The certificates as the server sent them, leaf first (or a file's certificates). */
  presented: Certificate[];
  /** Configured CA certificates. Undefined: the system store. */
  anchors?: Certificate[];
  /** With `anchors`, also trust the system store. */
  useSystemRoots?: boolean;
  /** The name the client verifies (servername or host). No name check when undefined. */
  hostname?: string;
  /** 'server': the leaf must be a TLS server certificate; 'client': a TLS client certificate. */
  purpose?: 'server' | 'client';
  now?: Date;
}

let systemRoots: Certificate[] | undefined;
/** Node's bundled Mozilla roots, parsed once. */
export function getSystemRoots(): Certificate[] {
  if (!systemRoots) {
    systemRoots = [];
    for (const pem of tls.rootCertificates) {
      try {
        for (const c of parseCertificates(pem, 'system store')) systemRoots.push(c);
      } catch {
        // a root the parser cannot read is skipped, not fatal
      }
    }
  }
  return systemRoots;
}

function nameKey(name: { toArrayBuffer(): ArrayBuffer }): string {
  return Buffer.from(name.toArrayBuffer()).toString('hex');
}

function label(cert: Certificate): string {
  const cn = cert.commonNames[0];
  return cn ? `"${cn}"` : `"${cert.subject}"`;
}

function worst(checks: LinkCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'error')) return 'error';
  if (checks.some((c) => c.verdict === 'warning')) return 'warning';
  return 'ok';
}

const CODE_ORDER: CheckId[] = ['trust', 'signature', 'ca', 'pathLength', 'validity', 'name', 'eku', 'keyUsage', 'strength'];

export async function buildChain(options: ChainOptions): Promise<ChainReport> {
  const now = options.now ?? new Date();
  const purpose = options.purpose ?? 'server';
  const presented = options.presented;
  if (presented.length === 0) {
    return { links: [], trusted: false, complete: false, verdict: 'No certificate was presented.', unused: [], code: 'PROTOCOL_ERROR' };
  }
  const configured = options.anchors ?? [];
  const system = options.anchors === undefined || options.useSystemRoots ? getSystemRoots() : [];
  const configuredFp = new Set(configured.map((c) => c.sha256));
  const systemFp = new Set(system.map((c) => c.sha256));
  const isAnchor = (c: Certificate): boolean => (configuredFp.has(c.sha256) || systemFp.has(c.sha256)) && c.selfIssued;

  const path: Certificate[] = [presented[0]];
  const used = new Set([presented[0].sha256]);
  const sigOk: boolean[] = [];
  let missingIssuer: string | undefined;
  let reachedAnchor = false;
  let selfSignedEnd = false;

  for (let depth = 0; depth < 10; depth++) {
    const cur = path[path.length - 1];
    if (isAnchor(cur)) {
      reachedAnchor = true;
      selfSignedEnd = true;
      sigOk.push(true);
      break;
    }
    if (cur.selfIssued && (await cur.isSignedBy(cur))) {
      selfSignedEnd = true;
      sigOk.push(true);
      break;
    }
    const want = nameKey(cur.x.issuerName);
    // Trusted first, like OpenSSL: a configured CA beats a presented copy of the same name. Names are
    // compared by DER, then by their string form (the same name in another ASN.1 string type).
    const pool = [...configured, ...system, ...presented.slice(1)].filter(
      (c) => !used.has(c.sha256) && (nameKey(c.x.subjectName) === want || c.subject === cur.issuer),
    );
    let next: Certificate | undefined;
    for (const candidate of pool) {
      if (await cur.isSignedBy(candidate)) {
        next = candidate;
        break;
      }
    }
    if (!next && pool.length > 0) {
      next = pool[0];
      sigOk.push(false);
    } else if (next) {
      sigOk.push(true);
    } else {
      missingIssuer = cur.issuer;
      sigOk.push(false);
      break;
    }
    path.push(next);
    used.add(next.sha256);
  }

  const sourceOf = (c: Certificate): LinkSource => {
    const inPresented = presented.some((p) => p.sha256 === c.sha256);
    if (inPresented && configuredFp.has(c.sha256)) return 'presented, also a configured CA';
    if (inPresented) return 'presented';
    if (configuredFp.has(c.sha256)) return 'configured CA';
    return 'system store';
  };

  let nameMatch: NameMatch | undefined;
  const links: ChainLink[] = path.map((cert, i) => {
    const checks: LinkCheck[] = [];
    const last = i === path.length - 1;
    const issuer = path[i + 1];
    const s: CertDetails = cert.summary();

    // signature
    if (issuer) {
      checks.push(
        sigOk[i]
          ? { id: 'signature', verdict: 'ok', text: `Signature verifies with the public key of its issuer ${label(issuer)}.` }
          : {
              id: 'signature',
              verdict: 'error',
              code: 'UNKNOWN_ISSUER',
              text: `A certificate named like the issuer (${label(issuer)}) was found, but its key does not verify this signature: it is a different CA with the same name.`,
            },
      );
    } else if (selfSignedEnd) {
      checks.push({ id: 'signature', verdict: 'ok', text: 'Self-signed: its own key verifies its signature.' });
    } else {
      const where = options.anchors === undefined ? 'the system trust store' : 'the configured CA file';
      checks.push({
        id: 'signature',
        verdict: 'error',
        code: configured.some((c) => !c.selfIssued && path.some((p) => p.sha256 === c.sha256)) ? 'CA_BUNDLE_INCOMPLETE' : 'UNKNOWN_ISSUER',
        text: `Issuer "${missingIssuer ?? cert.issuer}" was not found: the server did not send it and it is not in ${where}. ${i === 0 ? 'Either the server omits its intermediate certificate, or the CA that issued it is not configured.' : 'The chain stops here.'}`,
      });
    }

    // validity
    if (now > cert.notAfter)
      checks.push({ id: 'validity', verdict: 'error', code: 'CERT_EXPIRED', text: `Expired: ${describeValidity(cert, now)}.` });
    else if (now < cert.notBefore)
      checks.push({ id: 'validity', verdict: 'error', code: 'CERT_NOT_YET_VALID', text: `Not valid yet: ${describeValidity(cert, now)}.` });
    else checks.push({ id: 'validity', verdict: 'ok', text: `Valid: ${describeValidity(cert, now)}.` });

    if (i > 0) {
      // CA flag and path length
      if (!s.isCA)
        checks.push({
          id: 'ca',
          verdict: 'error',
          code: 'UNKNOWN_ISSUER',
          text: `It signed the certificate below it but is not a CA (basicConstraints CA:FALSE or absent).`,
        });
      else checks.push({ id: 'ca', verdict: 'ok', text: 'A CA (basicConstraints CA:TRUE).' });
      if (s.pathLength !== undefined) {
        const below = path.slice(1, i).filter((c) => !c.selfIssued).length;
        checks.push(
          below > s.pathLength
            ? {
                id: 'pathLength',
                verdict: 'error',
                code: 'UNKNOWN_ISSUER',
                text: `Path length limit ${s.pathLength} exceeded: ${below} intermediate(s) below it.`,
              }
            : { id: 'pathLength', verdict: 'ok', text: `Path length limit ${s.pathLength}; ${below} intermediate(s) below it.` },
        );
      }
      const ku = cert.keyUsage;
      if (ku && !ku.includes('keyCertSign'))
        checks.push({
          id: 'keyUsage',
          verdict: 'error',
          code: 'UNKNOWN_ISSUER',
          text: `Key usage (${ku.join(', ')}) lacks keyCertSign: it may not sign certificates.`,
        });
      const eku = cert.extendedKeyUsage;
      const need = purpose === 'server' ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH;
      if (!ekuAllows(eku, need)) {
        checks.push({
          id: 'eku',
          verdict: 'error',
          code: purpose === 'server' ? 'WRONG_PURPOSE' : 'CLIENT_CERT_REJECTED',
          text: `This CA is restricted to ${s.extendedKeyUsage.join(', ')}; OpenSSL refuses it for ${purpose === 'server' ? 'serverAuth' : 'clientAuth'}.`,
        });
      }
    } else {
      const eku = cert.extendedKeyUsage;
      const need = purpose === 'server' ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH;
      const needName = purpose === 'server' ? 'serverAuth' : 'clientAuth';
      if (!ekuAllows(eku, need)) {
        checks.push({
          id: 'eku',
          verdict: 'error',
          code: purpose === 'server' ? 'WRONG_PURPOSE' : 'CLIENT_CERT_REJECTED',
          text: `Extended key usage (${s.extendedKeyUsage.join(', ') || 'empty'}) lacks ${needName}: not valid as a TLS ${purpose} certificate.`,
        });
      } else {
        checks.push({
          id: 'eku',
          verdict: 'ok',
          text: eku ? `Extended key usage includes ${needName}.` : 'No extended key usage restriction.',
        });
      }
      const ku = cert.keyUsage;
      if (ku && !ku.some((u) => u === 'digitalSignature' || u === 'keyEncipherment' || u === 'keyAgreement')) {
        checks.push({
          id: 'keyUsage',
          verdict: 'warning',
          text: `Key usage (${ku.join(', ')}) has neither digitalSignature nor keyEncipherment.`,
        });
      }
      if (options.hostname) {
        nameMatch = matchName(cert, options.hostname);
        checks.push({
          id: 'name',
          verdict: nameMatch.ok ? (nameMatch.usedCommonName ? 'warning' : 'ok') : 'error',
          code: nameMatch.ok ? undefined : 'HOSTNAME_MISMATCH',
          text: nameMatch.explanation,
        });
      }
    }

    // strength (a trust anchor's self-signature is never checked, so SHA-1 there is harmless)
    const hash = s.signatureHash?.toUpperCase();
    if ((hash === 'SHA-1' || hash === 'MD5') && !(last && selfSignedEnd && i > 0)) {
      checks.push({
        id: 'strength',
        verdict: 'error',
        code: 'WEAK_CERTIFICATE',
        text: `Signed with ${s.signatureAlgorithm}: too weak for OpenSSL 3 ("CA signature digest algorithm too weak").`,
      });
    }
    if ((s.keyType === 'RSA' || s.keyType === 'RSA-PSS') && (s.keyBits ?? 4096) < 2048) {
      checks.push({
        id: 'strength',
        verdict: 'warning',
        code: 'WEAK_CERTIFICATE',
        text: `RSA key of ${s.keyBits} bits: below 2048, refused by Debian's OpenSSL security level.`,
      });
    }

    // trust (last link)
    if (last) {
      if (reachedAnchor) {
        checks.push({
          id: 'trust',
          verdict: 'ok',
          text: configuredFp.has(cert.sha256)
            ? 'Trust anchor: it is one of the configured CAs.'
            : 'Trust anchor: it is in the system trust store.',
        });
      } else if (selfSignedEnd) {
        const code: DiagnosisCode = i === 0 ? 'SELF_SIGNED' : 'UNTRUSTED_ROOT';
        checks.push({
          id: 'trust',
          verdict: 'error',
          code,
          text:
            i === 0
              ? 'Self-signed and not trusted: no configured CA vouches for it. Trust this certificate itself (as the CA, or pin its SHA-256) if you know it is the right one.'
              : 'A self-signed root that is not trusted: it is neither a configured CA nor in the system store. Configure it as the CA if it is your private CA.',
        });
      }
    }

    const verdict = worst(checks);
    const bad = checks.filter((c) => c.verdict !== 'ok');
    const explanation = bad.length ? bad.map((c) => c.text).join(' ') : `OK. ${checks.map((c) => c.text).join(' ')}`;
    const role: ChainLink['role'] = i === 0 ? 'leaf' : last && cert.selfIssued ? 'root' : 'intermediate';
    return { position: i, role, source: sourceOf(cert), cert, checks, verdict, explanation };
  });

  const allChecks = links.flatMap((l) => l.checks);
  const errors = allChecks.filter((c) => c.verdict === 'error');
  const trusted = reachedAnchor && errors.length === 0;
  let code: DiagnosisCode | undefined;
  let verdict: string;
  if (trusted) {
    const warnings = allChecks.filter((c) => c.verdict === 'warning');
    verdict = warnings.length
      ? `Trusted, with ${warnings.length} warning(s).`
      : `Trusted: every link verifies up to ${label(path[path.length - 1])}.`;
  } else {
    const first = CODE_ORDER.map((id) => errors.find((c) => c.id === id && c.code)).find((c) => c !== undefined) ?? errors[0];
    code = first?.code ?? 'UNKNOWN_ISSUER';
    verdict = `Not trusted: ${first?.text ?? 'the chain does not reach a trusted CA.'}`;
  }
  const unused = presented.slice(1).filter((c) => !used.has(c.sha256));
  return { links, trusted, complete: selfSignedEnd, verdict, code, nameMatch, unused };
}
