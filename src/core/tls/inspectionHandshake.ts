/**
 * Reads the certificate chain a TLS server presents, for inspection only. The handshake runs with
 * rejectUnauthorized:false and an EMPTY trust store (so Node cannot append a root of its own to what
 * the peer sent); its session is never stored or reused. Verification is done afterwards by
 * buildChain against the configured CAs: the probe itself trusts nothing, and it never presents a
 * client certificate.
 */
import * as tls from 'node:tls';
import { Certificate } from '../certs/certificate';
import { sniFor } from './context';
import { peerChainRaw } from './peerChain';

export interface ProbeOptions {
  host: string;
  port: number;
  /** SNI; defaults to the host unless it is an IP literal. */
  servername?: string;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  timeoutMs?: number;
}

export interface ProbeResult {
  /** As presented by the server, leaf first (ordered by issuer links, then the rest). */
  presented: Certificate[];
  protocol: string | null;
  cipher: string | null;
  /** The SNI that was sent. */
  servername: string | null;
  /** Always false: the probe offers no session and keeps none (asserted by the integration tests). */
  sessionReused: boolean;
}

export class ProbeError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

export function fetchPresentedChain(o: ProbeOptions): Promise<ProbeResult> {
  const servername = sniFor(o.host, o.servername || undefined);
  return new Promise((resolve, reject) => {
    let done = false;
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({
        host: o.host,
        port: o.port,
        ...(servername ? { servername } : {}),
        // Inspection only: nothing is trusted here, and the empty CA list keeps Node from completing
        // the chain with roots of its own. The session is discarded with the socket.
        rejectUnauthorized: false,
        ca: [],
        minVersion: o.minVersion,
        maxVersion: o.maxVersion,
        // No client certificate, ever: the peer is not verified here. A server that demands one has
        // sent its own chain before it asks (TLS 1.2 and 1.3), so the chain is read all the same.
      });
    } catch (e) {
      reject(
        new ProbeError(
          `Could not start a TLS handshake: ${(e as { code?: string }).code ?? 'invalid options'}`,
          (e as { code?: string }).code ?? 'EINVAL',
        ),
      );
      return;
    }
    const finish = (err?: ProbeError): void => {
      if (done) return;
      const presented = readChain(socket);
      done = true;
      clearTimeout(timer);
      const protocol = socket.getProtocol() ?? null;
      const cipher = socket.getCipher()?.standardName ?? null;
      const sessionReused = socket.isSessionReused();
      socket.destroy();
      if (presented.length > 0) resolve({ presented, protocol, cipher, servername: servername ?? null, sessionReused });
      else reject(err ?? new ProbeError('The server presented no certificate.', 'NO_CERTIFICATE'));
    };
    const timer = setTimeout(
      () =>
        finish(
          new ProbeError(`No TLS handshake with ${o.host}:${o.port} within ${o.timeoutMs ?? 8000} ms (is it a TLS port?).`, 'TIMEOUT'),
        ),
      o.timeoutMs ?? 8000,
    );
    socket.once('secureConnect', () => finish());
    socket.once('error', (e: Error & { code?: string }) => {
      const code = e.code ?? 'ERROR';
      const text =
        code === 'ECONNREFUSED'
          ? `Connection refused by ${o.host}:${o.port}.`
          : code === 'ENOTFOUND'
            ? `The host ${o.host} was not found.`
            : `The TLS handshake with ${o.host}:${o.port} failed (${code}).`;
      finish(new ProbeError(text, code));
    });
    socket.once('close', () => finish(new ProbeError(`${o.host}:${o.port} closed the connection during the handshake.`, 'CLOSED')));
  });
}

/** The presented chain as Certificates; stops at the first one @peculiar/x509 cannot parse. */
function readChain(socket: tls.TLSSocket): Certificate[] {
  const out: Certificate[] = [];
  for (const der of peerChainRaw(socket)) {
    try {
      const cert = new Certificate(der);
      cert.origin = `presented #${out.length + 1}`;
      out.push(cert);
    } catch {
      break;
    }
  }
  return out;
}
