import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ConnectionOptions } from '../endpoint/options';
import type { CertSummary } from '../certs/summary';
import { peerChain } from './peerChain';
import { secureContextOptions, sniFor } from './context';

/**
 * Helpers that open a SEPARATE short-lived socket to learn why a connection failed. Nothing they
 * learn is trusted for the connection itself, and no TLS session they create is ever stored.
 */

/** Sends a plaintext PING; true when the port answers like Redis (+PONG, -NOAUTH, -ERR ...). */
export function plaintextRedisProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let done = false;
    const finish = (v: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => finish(chunk.length > 0 && (chunk[0] === 0x2b || chunk[0] === 0x2d)));
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
  });
}

/** What a diagnostic handshake with verification off saw. */
export interface DiagnosticHandshake {
  ok: boolean;
  chain: CertSummary[];
  protocol: string | null;
  errorCode?: string;
}

/**
 * Handshakes with verification OFF (and no client certificate) to read the chain the server presents (for a precise detail),
 * or to test whether a port speaks TLS / which versions it accepts. Never used to carry data.
 */
export function diagnosticHandshake(
  o: ConnectionOptions,
  timeoutMs: number,
  versions?: { min: tls.SecureVersion; max: tls.SecureVersion },
): Promise<DiagnosticHandshake> {
  return new Promise((resolve) => {
    let done = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (r: DiagnosticHandshake): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, chain: [], protocol: null, errorCode: 'TIMEOUT' }), timeoutMs);
    try {
      // Verification is off here, so the client certificate is never presented: an unverified peer
      // must not learn the user's identity (or get a signature from the user's key).
      const ctxOptions = secureContextOptions(o.tls, {
        ...(versions ? { minVersion: versions.min, maxVersion: versions.max } : {}),
        withClientIdentity: false,
      });
      const servername = sniFor(o.host, o.tls.servername);
      socket = tls.connect({
        host: o.host,
        port: o.port,
        ...(servername ? { servername } : {}),
        secureContext: tls.createSecureContext(ctxOptions),
        rejectUnauthorized: false,
      });
    } catch (e) {
      finish({ ok: false, chain: [], protocol: null, errorCode: (e as { code?: string }).code ?? 'ERROR' });
      return;
    }
    const s = socket;
    s.once('secureConnect', () => finish({ ok: true, chain: peerChain(s), protocol: s.getProtocol() }));
    s.once('error', (e: Error & { code?: string }) => finish({ ok: false, chain: [], protocol: null, errorCode: e.code ?? 'ERROR' }));
    s.once('close', () => finish({ ok: false, chain: [], protocol: null, errorCode: 'CLOSED' }));
  });
}

/** Which of TLS 1.2 and 1.3 the server completes a handshake with. */
export async function probeServerVersions(o: ConnectionOptions, timeoutMs: number): Promise<string[]> {
  const out: string[] = [];
  for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
    const r = await diagnosticHandshake(o, timeoutMs, { min: v, max: v });
    // A client-certificate alert still proves the version was negotiated.
    if (r.ok || /ALERT_(CERTIFICATE_REQUIRED|UNKNOWN_CA|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE)/.test(r.errorCode ?? '')) out.push(v);
  }
  return out;
}
