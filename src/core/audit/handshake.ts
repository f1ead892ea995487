/**
 * One probe handshake of the posture audit. Probes trust nothing (rejectUnauthorized false, an empty
 * CA list), may lower OpenSSL's security level to offer TLS 1.0/1.1 and old suites — on THIS socket
 * only — and carry at most a PING. Their sessions are returned to the caller for the resumption test
 * and then dropped: nothing here is ever cached or used for a real session.
 */
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { sniFor } from '../tls/context';

export interface ProbeTarget {
  host: string;
  port: number;
  servername?: string;
  /** Client identity to present (PEM), or none. Never logged. */
  identity?: { cert?: string | Buffer; key?: string | Buffer; passphrase?: string; pfx?: Buffer };
  timeoutMs: number;
}

export interface ProbeRequest {
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list for TLS <= 1.2 (the security level goes in here too). */
  ciphers?: string;
  /** Send PING after the handshake and wait for the reply (TLS 1.3 client-certificate alerts arrive only then). */
  ping?: boolean;
  session?: Buffer;
  /** Override the target's identity (a throwaway certificate, or none). */
  identity?: ProbeTarget['identity'] | null;
}

export interface ProbeOutcome {
  /** The handshake completed ('secureConnect'). */
  handshake: boolean;
  /** With ping: a RESP reply came back (any reply, even -NOAUTH, proves the session works). */
  replied: boolean;
  reply?: string;
  protocol: string | null;
  cipher: string | null;
  sessionReused: boolean;
  /** ms from connect() to secureConnect. */
  handshakeMs: number | null;
  /** The last session the server gave (after the PING, for TLS 1.3 tickets). */
  session?: Buffer;
  errorCode?: string;
}

export function probeHandshake(t: ProbeTarget, r: ProbeRequest = {}): Promise<ProbeOutcome> {
  const servername = sniFor(t.host, t.servername || undefined);
  const identity = r.identity === null ? undefined : (r.identity ?? t.identity);
  return new Promise((resolve) => {
    const out: ProbeOutcome = { handshake: false, replied: false, protocol: null, cipher: null, sessionReused: false, handshakeMs: null };
    let socket: tls.TLSSocket;
    let done = false;
    const t0 = performance.now();
    const finish = (code?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (code && !out.errorCode) out.errorCode = code;
      socket.destroy();
      resolve(out);
    };
    try {
      socket = tls.connect({
        host: t.host,
        port: t.port,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
        ca: [],
        ...(r.minVersion ? { minVersion: r.minVersion } : {}),
        ...(r.maxVersion ? { maxVersion: r.maxVersion } : {}),
        ...(r.ciphers ? { ciphers: r.ciphers } : {}),
        ...(r.session ? { session: r.session } : {}),
        ...(identity?.pfx ? { pfx: identity.pfx, passphrase: identity.passphrase } : {}),
        ...(identity?.cert && identity.key ? { cert: identity.cert, key: identity.key, passphrase: identity.passphrase } : {}),
      });
    } catch (e) {
      out.errorCode = (e as { code?: string }).code ?? 'EINVAL';
      resolve(out);
      return;
    }
    const timer = setTimeout(() => finish('TIMEOUT'), t.timeoutMs);
    socket.on('session', (s: Buffer) => {
      out.session = s;
    });
    socket.once('secureConnect', () => {
      out.handshake = true;
      out.handshakeMs = Math.round((performance.now() - t0) * 1000) / 1000;
      out.protocol = socket.getProtocol() ?? null;
      out.cipher = socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? null;
      out.sessionReused = socket.isSessionReused();
      if (!r.ping) {
        finish();
        return;
      }
      socket.write('*1\r\n$4\r\nPING\r\n');
    });
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (buffered.length > 4096 || buffered.includes('\r\n')) {
        out.replied = /^[+\-:$*]/.test(buffered);
        out.reply = buffered.split('\r\n')[0].slice(0, 200);
        // Let a TLS 1.3 ticket that follows the reply arrive before closing.
        setImmediate(() => finish());
      }
    });
    socket.once('error', (e: Error & { code?: string }) => finish(e.code ?? 'ERROR'));
    socket.once('close', () => finish(out.handshake ? undefined : 'CLOSED'));
  });
}

/** The error codes that mean "the server does not speak this protocol version". */
export function isVersionRefusal(code: string | undefined): boolean {
  return /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|VERSION_TOO_(LOW|HIGH)|WRONG_SSL_VERSION/.test(code ?? '');
}

/** The error codes of a refused or missing client certificate. */
export function isClientCertRefusal(code: string | undefined): boolean {
  return /CERTIFICATE_REQUIRED|UNKNOWN_CA|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|HANDSHAKE_FAILURE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR|ACCESS_DENIED/.test(
    code ?? '',
  );
}
