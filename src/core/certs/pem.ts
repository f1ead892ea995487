/**
 * PEM splitting. `@peculiar/x509` reads only the first certificate of a bundle, so bundles are split
 * here, keeping the line numbers of every block for editor diagnostics.
 */

export interface PemBlock {
  /** The label between BEGIN and END, e.g. "CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY". */
  label: string;
  /** The whole block text, BEGIN and END lines included, normalised to \n line ends. */
  text: string;
  /** DER bytes (base64 body decoded; RFC 1421 headers such as Proc-Type skipped). */
  der: Buffer;
  /** RFC 1421 headers (legacy encrypted keys carry `Proc-Type: 4,ENCRYPTED`). */
  headers: Record<string, string>;
  /** Zero-based line of the BEGIN line in the source text. */
  startLine: number;
  /** Zero-based line of the END line in the source text. */
  endLine: number;
}

const BEGIN = /^-----BEGIN ([A-Z0-9 #]+)-----\s*$/;
const END = /^-----END ([A-Z0-9 #]+)-----\s*$/;
const HEADER = /^([A-Za-z0-9-]+):\s*(.*)$/;

/** Splits text into PEM blocks. Text outside blocks (comments, "Bag Attributes") is ignored. */
export function splitPem(text: string): PemBlock[] {
  const lines = text.split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  let open: { label: string; start: number; body: string[]; headers: Record<string, string>; inHeaders: boolean } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!open) {
      const m = BEGIN.exec(line);
      if (m) open = { label: m[1], start: i, body: [], headers: {}, inHeaders: true };
      continue;
    }
    const end = END.exec(line);
    if (end) {
      if (end[1] === open.label) {
        const base64 = open.body.join('');
        const blockLines = lines.slice(open.start, i + 1).map((l) => l.trim());
        blocks.push({
          label: open.label,
          text: blockLines.join('\n') + '\n',
          der: Buffer.from(base64, 'base64'),
          headers: open.headers,
          startLine: open.start,
          endLine: i,
        });
      }
      open = undefined;
      continue;
    }
    if (BEGIN.test(line)) {
      // An unterminated block followed by a new one: drop the broken one and start again.
      const m = BEGIN.exec(line);
      open = m ? { label: m[1], start: i, body: [], headers: {}, inHeaders: true } : undefined;
      continue;
    }
    if (open.inHeaders) {
      const h = HEADER.exec(line);
      if (h && open.body.length === 0) {
        open.headers[h[1]] = h[2];
        continue;
      }
      open.inHeaders = false;
    }
    if (line.length > 0) open.body.push(line);
  }
  return blocks;
}

export function isCertificateLabel(label: string): boolean {
  return label === 'CERTIFICATE' || label === 'X509 CERTIFICATE' || label === 'TRUSTED CERTIFICATE';
}

export function isPrivateKeyLabel(label: string): boolean {
  return /PRIVATE KEY$/.test(label);
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY" or a legacy OpenSSL key with `Proc-Type: 4,ENCRYPTED`. */
export function isEncryptedKeyBlock(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '');
}

/** The same test on raw key file text, without splitting it into blocks. */
export function isEncryptedKeyPem(key: string | Buffer): boolean {
  const text = typeof key === 'string' ? key : key.toString('utf8');
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,\s*ENCRYPTED/.test(text);
}

export function looksLikePem(data: string | Buffer): boolean {
  const head = typeof data === 'string' ? data : data.subarray(0, 64 * 1024).toString('latin1');
  return head.includes('-----BEGIN ');
}

/** Encodes DER as a PEM block with 64-column lines. */
export function toPem(der: Buffer | Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
