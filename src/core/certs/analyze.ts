/**
 * Analysis of a certificate/key file as a whole: every block with its line range and findings.
 * Used by the editor diagnostics and the inspection panel.
 */
import { Certificate, certificateFromBlock, parseCertificates } from './certificate';
import {
  certificateFindings,
  encryptedKeyFinding,
  keyMatchesCertificate,
  keyMismatchFinding,
  readKeyBlocks,
  type Finding,
  type FindingOptions,
} from './findings';
import { isCertificateLabel, looksLikePem, splitPem } from './pem';

export interface BlockAnalysis {
  kind: 'certificate' | 'key' | 'other';
  label: string;
  /** Zero-based BEGIN and END lines. */
  startLine: number;
  endLine: number;
  cert?: Certificate;
  findings: Finding[];
}

export interface FileAnalysis {
  blocks: BlockAnalysis[];
  certificates: Certificate[];
  /** A binary (DER) file holding one certificate. */
  der: boolean;
}

/**
 * Never throws: a check that fails on a block (an unreadable public key, say) becomes a finding on that
 * block's lines, and anything else that fails becomes one finding on the first line, so a file always
 * gets its diagnostics.
 */
export function analyzeCertificateFile(data: string | Buffer, options: FindingOptions = {}, origin?: string): FileAnalysis {
  try {
    return analyze(data, options, origin);
  } catch (e) {
    return {
      der: !looksLikePem(data),
      certificates: [],
      blocks: [{ kind: 'other', label: 'FILE', startLine: 0, endLine: 0, findings: [analysisFailed('this file', e)] }],
    };
  }
}

/** A check that threw, as a finding (the error's message is OpenSSL's or the ASN.1 parser's, never file content). */
function analysisFailed(what: string, e: unknown): Finding {
  const reason = e instanceof Error ? e.message.slice(0, 200) : 'unknown error';
  return {
    id: 'analysis-failed',
    severity: 'error',
    title: `Cannot analyze ${what}`,
    detail: `The check failed: ${reason}.`,
    fix: 'Check that the block is an intact PEM/DER certificate or key (`openssl x509 -noout -text`, `openssl pkey -noout -text`).',
  };
}

/** Runs a check on a block; if it throws, its failure is the block's finding. */
function guarded(what: string, check: () => Finding[]): Finding[] {
  try {
    return check();
  } catch (e) {
    return [analysisFailed(what, e)];
  }
}

function analyze(data: string | Buffer, options: FindingOptions, origin: string | undefined): FileAnalysis {
  if (!looksLikePem(data)) {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    try {
      const [cert] = parseCertificates(buf, origin);
      return {
        der: true,
        certificates: [cert],
        blocks: [
          {
            kind: 'certificate',
            label: 'CERTIFICATE',
            startLine: 0,
            endLine: 0,
            cert,
            findings: guarded('the certificate', () => certificateFindings(cert, options)),
          },
        ],
      };
    } catch {
      return { der: true, certificates: [], blocks: [] };
    }
  }
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const blocks: BlockAnalysis[] = [];
  const certificates: Certificate[] = [];
  for (const block of splitPem(text)) {
    if (!isCertificateLabel(block.label)) continue;
    let cert: Certificate;
    try {
      cert = certificateFromBlock(block, origin);
    } catch {
      blocks.push({
        kind: 'certificate',
        label: block.label,
        startLine: block.startLine,
        endLine: block.endLine,
        findings: [
          {
            id: 'unreadable',
            severity: 'error',
            title: 'Unreadable certificate',
            detail: 'This block is not a valid DER X.509 certificate (truncated or corrupted base64?).',
          },
        ],
      });
      continue;
    }
    certificates.push(cert);
    blocks.push({
      kind: 'certificate',
      label: block.label,
      startLine: block.startLine,
      endLine: block.endLine,
      cert,
      findings: guarded('the certificate', () => certificateFindings(cert, options)),
    });
  }
  const leaf = certificates[0];
  for (const k of readKeyBlocks(text)) {
    const key = k.key;
    const findings: Finding[] = [];
    if (k.encrypted) findings.push(encryptedKeyFinding());
    else if (!key)
      findings.push({
        id: 'unreadable',
        severity: 'error',
        title: 'Unreadable private key',
        detail: 'OpenSSL cannot read this key block.',
      });
    else if (leaf) {
      try {
        if (!keyMatchesCertificate(leaf, key)) findings.push(keyMismatchFinding(leaf));
      } catch (e) {
        // The certificate's public key is what cannot be read: the finding goes on its lines.
        const leafBlock = blocks.find((b) => b.cert === leaf);
        leafBlock?.findings.push(
          analysisFailed(
            `the public key of this certificate (so the key at lines ${k.block.startLine + 1}-${k.block.endLine + 1} cannot be checked against it)`,
            e,
          ),
        );
      }
    }
    blocks.push({ kind: 'key', label: k.block.label, startLine: k.block.startLine, endLine: k.block.endLine, findings });
  }
  blocks.sort((a, b) => a.startLine - b.startLine);
  return { der: false, blocks, certificates };
}
