/**
 * The certificate panel's message protocol, both directions, with validators. Kept free of the
 * vscode API so the same checks run in unit tests. Nothing secret is ever part of a message: the
 * model carries public certificate data and connection facts only (no passwords, keys, passphrases).
 */
import type { CertDetails, CertSummary, ChainReport, Finding, LinkCheck, NameEntry, Verdict } from '../core/certs';
import { certificateFindings, describeValidity, formatDuration, type CertPurpose } from '../core/certs';
import type { HandshakeReport } from '../core/tls/report';
import type { AuditResult } from '../core/audit';

export interface LinkModel {
  position: number;
  role: 'leaf' | 'intermediate' | 'root';
  source: string;
  verdict: Verdict;
  explanation: string;
  checks: Array<Pick<LinkCheck, 'id' | 'verdict' | 'text'>>;
  validity: string;
  cert: CertDetails;
  findings: Array<Pick<Finding, 'severity' | 'title' | 'detail' | 'fix'>>;
}

export interface ConnectionFacts {
  host: string;
  port: number;
  servername: string | null;
  protocol: string | null;
  cipher: string | null;
  sessionReused: boolean | null;
  /** What the live connection's own verification said (Node/OpenSSL), when there is one. */
  authorized: boolean | null;
  authorizationError: string | null;
  verification: string | null;
}

export interface PanelModel {
  title: string;
  /** What was inspected. */
  subject: { kind: 'connection' | 'file' | 'server'; label: string };
  /** Where the trust decision came from, in words ("configured CA file /x/ca.pem", "system trust store"). */
  trustSource: string;
  connection?: ConnectionFacts;
  trusted: boolean;
  verdict: string;
  code?: string;
  links: LinkModel[];
  /** Presented certificates not on the path. */
  unused: CertDetails[];
  notes: string[];
  /** The "use this CA in a profile" action is available. */
  canUseCa: boolean;
}

/**
 * The TLS posture audit of a connection, shown as a section of its certificate panel. The result is
 * the core audit's, with the leaf's `key` description renamed `publicKey` (it is the public key's
 * algorithm and size; the secret check refuses any property named `key`).
 */
export type AuditView =
  { state: 'running'; text: string } | { state: 'done'; result: AuditPanelResult } | { state: 'failed'; text: string };

export type AuditPanelResult = Omit<AuditResult, 'chain'> & {
  chain:
    | (Omit<NonNullable<AuditResult['chain']>, 'leaf'> & {
        leaf: (Omit<NonNullable<NonNullable<AuditResult['chain']>['leaf']>, 'key'> & { publicKey: string }) | null;
      })
    | null;
};

export function auditForPanel(result: AuditResult): AuditPanelResult {
  if (!result.chain) return { ...result, chain: null };
  const { leaf, ...chain } = result.chain;
  if (!leaf) return { ...result, chain: { ...chain, leaf: null } };
  const { key, ...rest } = leaf;
  return { ...result, chain: { ...chain, leaf: { ...rest, publicKey: key } } };
}

export type ToPanel =
  { type: 'show'; model: PanelModel } | { type: 'status'; text: string; error?: boolean } | { type: 'audit'; audit: AuditView };

export type FromPanel =
  | { type: 'ready' }
  | { type: 'copyPem'; position: number }
  | { type: 'copyFingerprint'; position: number }
  | { type: 'saveChain' }
  | { type: 'useCa'; position: number }
  | { type: 'refresh' }
  /** Run "Audit TLS Posture" for the connection this panel shows. */
  | { type: 'audit' };

const MAX_POSITION = 32;

/** Validates a message from the webview; anything unexpected is dropped (undefined). */
export function parseFromPanel(raw: unknown): FromPanel | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  const keys = Object.keys(m);
  const position = (): number | undefined =>
    Number.isInteger(m.position) && (m.position as number) >= 0 && (m.position as number) < MAX_POSITION
      ? (m.position as number)
      : undefined;
  switch (m.type) {
    case 'ready':
    case 'saveChain':
    case 'refresh':
    case 'audit':
      return keys.length === 1 ? { type: m.type } : undefined;
    case 'copyPem':
    case 'copyFingerprint':
    case 'useCa': {
      const p = position();
      return p !== undefined && keys.length === 2 ? { type: m.type, position: p } : undefined;
    }
    default:
      return undefined;
  }
}

const SECRET_KEYS = /pass(word|phrase)?|secret|private|^key$|pfx|token/i;

/** Defence in depth: refuses to post a message that has a secret-looking property anywhere. */
export function assertNoSecrets(value: unknown, path = 'message'): void {
  if (typeof value === 'string') {
    if (/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(value)) throw new Error(`${path} contains a private key`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoSecrets(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.test(k) && v !== undefined && v !== null && v !== false) throw new Error(`${path}.${k} looks like a secret`);
    assertNoSecrets(v, `${path}.${k}`);
  }
}

export interface ModelInput {
  title: string;
  subject: PanelModel['subject'];
  trustSource: string;
  report: ChainReport;
  connection?: ConnectionFacts;
  notes?: string[];
  /** Words for "presented" in this context ("presented by the server", "in the file"). */
  presentedLabel?: string;
  purpose?: CertPurpose;
  warnDays?: number;
  canUseCa: boolean;
  now?: Date;
}

export function buildPanelModel(input: ModelInput): PanelModel {
  const now = input.now ?? new Date();
  const links: LinkModel[] = input.report.links.map((link) => {
    const findings = certificateFindings(link.cert, {
      now,
      warnDays: input.warnDays,
      purpose: link.position === 0 ? (input.purpose ?? 'any') : 'ca',
    }).map((f) => ({ severity: f.severity, title: f.title, detail: f.detail, fix: f.fix }));
    // A link whose checks pass but that has findings (expiring soon, no SAN...) is not plain OK.
    const verdict: Verdict = link.verdict === 'ok' && findings.some((f) => f.severity !== 'info') ? 'warning' : link.verdict;
    return {
      position: link.position,
      role: link.role,
      source: link.source === 'presented' && input.presentedLabel ? input.presentedLabel : link.source,
      verdict,
      // Upgraded by findings: the chain checks all passed (listed separately), so name the findings.
      explanation:
        verdict === link.verdict
          ? link.explanation
          : `Every chain check passes, but: ${findings
              .filter((f) => f.severity !== 'info')
              .map((f) => f.title)
              .join('; ')}.`,
      checks: link.checks.map((c) => ({ id: c.id, verdict: c.verdict, text: c.text })),
      validity: describeValidity(link.cert, now),
      cert: link.cert.summary(),
      findings,
    };
  });
  return {
    title: input.title,
    subject: input.subject,
    trustSource: input.trustSource,
    connection: input.connection,
    trusted: input.report.trusted,
    verdict: input.report.verdict,
    code: input.report.code,
    links,
    unused: input.report.unused.map((c) => c.summary()),
    notes: input.notes ?? [],
    canUseCa: input.canUseCa,
  };
}

/** The panel's view of a certificate the live connection recorded (no PEM, no extensions). */
function toCertDetails(c: CertSummary): CertDetails {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(c.subject)?.[1];
  const sans: NameEntry[] = c.subjectAltNames.map((n) => {
    const m = /^(DNS|IP Address|IP|email|URI):\s*(.*)$/i.exec(n);
    const kind = m?.[1].toLowerCase();
    return {
      type: kind === 'dns' ? 'dns' : kind?.startsWith('ip') ? 'ip' : kind === 'email' ? 'email' : kind === 'uri' ? 'uri' : 'other',
      value: m ? m[2] : n,
    };
  });
  const alg = c.publicKey.algorithm.toUpperCase();
  return {
    subject: c.subject,
    issuer: c.issuer,
    commonName: cn,
    serialNumber: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    sans,
    publicKey: c.publicKey.curve ? `${alg} ${c.publicKey.curve}` : `${alg}${c.publicKey.size ? ` ${c.publicKey.size} bits` : ''}`,
    keyType: alg,
    keyBits: c.publicKey.size ?? undefined,
    curve: c.publicKey.curve,
    signatureAlgorithm: c.signatureAlgorithm,
    sha256: c.sha256,
    sha1: c.sha1,
    isCA: c.isCA,
    selfIssued: c.selfIssued,
    keyUsage: c.keyUsage,
    extendedKeyUsage: c.extendedKeyUsage,
    extensions: [],
    pem: '',
  };
}

/** The panel from a live connection's handshake report alone (no PEM: the chain could not be read again). */
export function reportOnlyModel(
  profileName: string,
  trustSource: string,
  r: HandshakeReport,
  reason: string,
  now = new Date(),
): PanelModel {
  const verdict: Verdict = r.authorized ? 'ok' : 'warning';
  const text = r.authorized
    ? 'Verified by the live connection (OpenSSL).'
    : `The live connection did not verify it${r.authorizationError ? `: ${r.authorizationError}` : ''}.`;
  const links: LinkModel[] = r.chain.map((c, i) => {
    const left = Date.parse(c.notAfter) - now.getTime();
    return {
      position: i,
      role: i === 0 ? 'leaf' : i === r.chain.length - 1 && c.selfIssued ? 'root' : 'intermediate',
      source: 'recorded by the live connection',
      verdict,
      explanation: text,
      checks: [{ id: 'trust', verdict, text }],
      validity: left < 0 ? `expired ${formatDuration(left)} ago (${c.notAfter})` : `expires in ${formatDuration(left)} (${c.notAfter})`,
      cert: toCertDetails(c),
      findings: [],
    };
  });
  return {
    title: `Certificate: ${profileName}`,
    subject: { kind: 'connection', label: profileName },
    trustSource,
    connection: {
      host: r.host,
      port: r.port,
      servername: r.servername,
      protocol: r.protocol,
      cipher: r.cipher,
      sessionReused: r.sessionReused,
      authorized: r.authorized,
      authorizationError: r.authorizationError,
      verification: r.verification,
    },
    trusted: r.authorized,
    verdict: r.authorized
      ? 'Trusted: verified by the live connection.'
      : `Not trusted: ${r.authorizationError ?? 'the live connection did not verify the server'}.`,
    links,
    unused: [],
    notes: [
      `The chain could not be read again (${reason}); this shows what the live connection recorded, without PEM or extensions and without a per-link re-check.`,
    ],
    canUseCa: false,
  };
}
