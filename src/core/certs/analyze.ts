/**
 * Analysis of a certificate/key file as a whole: every block with its line range and findings.
 * Used by the editor diagnostics and the inspection panel.
 */
import { Certificate, certificateFromBlock, parseCertificates } from './certificate';
import { certificateFindings, encryptedKeyFinding, keyMatchesCertificate, keyMismatchFinding, readKeyBlocks, type Finding, type FindingOptions } from './findings';
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

export function analyzeCertificateFile(data: string | Buffer, options: FindingOptions = {}, origin?: string): FileAnalysis {
  if (!looksLikePem(data)) {
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    try {
      const [cert] = parseCertificates(buf, origin);
      return { der: true, certificates: [cert], blocks: [{ kind: 'certificate', label: 'CERTIFICATE', startLine: 0, endLine: 0, cert, findings: certificateFindings(cert, options) }] };
    } catch {
      return { der: true, certificates: [], blocks: [] };
    }
  }
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const blocks: BlockAnalysis[] = [];
  const certificates: Certificate[] = [];
  for (const block of splitPem(text)) {
    if (!isCertificateLabel(block.label)) continue;
    try {
      const cert = certificateFromBlock(block, origin);
      certificates.push(cert);
      blocks.push({ kind: 'certificate', label: block.label, startLine: block.startLine, endLine: block.endLine, cert, findings: certificateFindings(cert, options) });
    } catch {
      blocks.push({ kind: 'certificate', label: block.label, startLine: block.startLine, endLine: block.endLine, findings: [{ id: 'unreadable', severity: 'error', title: 'Unreadable certificate', detail: 'This block is not a valid DER X.509 certificate (truncated or corrupted base64?).' }] });
    }
  }
  const leaf = certificates[0];
  for (const k of readKeyBlocks(text)) {
    const findings: Finding[] = [];
    if (k.encrypted) findings.push(encryptedKeyFinding());
    else if (!k.key) findings.push({ id: 'unreadable', severity: 'error', title: 'Unreadable private key', detail: 'OpenSSL cannot read this key block.' });
    else if (leaf && !keyMatchesCertificate(leaf, k.key)) findings.push(keyMismatchFinding(leaf));
    blocks.push({ kind: 'key', label: k.block.label, startLine: k.block.startLine, endLine: k.block.endLine, findings });
  }
  blocks.sort((a, b) => a.startLine - b.startLine);
  return { der: false, blocks, certificates };
}
