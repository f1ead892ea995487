/** Reading the certificate chain a TLS socket's peer presented (DER, then summaries). */
import type { TLSSocket, DetailedPeerCertificate } from 'node:tls';
import { summarizeChain, type CertSummary } from '../certs/summary';

/**
 * The server's chain as Node exposes it (DER, leaf first), following issuerCertificate until a
 * self-issued certificate or a repeat. Node may complete the top with a root from the trust store.
 */
export function peerChainRaw(socket: TLSSocket, presented?: DetailedPeerCertificate): Buffer[] {
  let cert: DetailedPeerCertificate | undefined = presented;
  try {
    cert ??= socket.getPeerCertificate(true);
  } catch {
    return [];
  }
  const out: Buffer[] = [];
  const seen = new Set<string>();
  while (cert && cert.raw && cert.raw.length > 0) {
    const fp = cert.fingerprint256;
    if (seen.has(fp)) break;
    seen.add(fp);
    out.push(cert.raw);
    if (!cert.issuerCertificate || cert.issuerCertificate === cert) break;
    cert = cert.issuerCertificate;
  }
  return out;
}

export function peerChain(socket: TLSSocket): CertSummary[] {
  return summarizeChain(peerChainRaw(socket));
}
