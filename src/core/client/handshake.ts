/**
 * The TLS handshake over a connected TCP socket, its verification (chain + name by Node/OpenSSL with the
 * stricter name rule below, or the pinned fingerprint — checked here and only here) and the report of
 * what it established.
 */
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { CONNECTION_DEFAULTS, type ConnectionOptions } from '../endpoint/options';
import { DiagnosedError } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import type { FailureContext } from '../tls/classify';
import { sniFor, type TlsCache } from '../tls/context';
import { normalizeFingerprint, summarizeChain, type CertSummary } from '../certs/summary';
import { peerChainRaw } from '../tls/peerChain';
import type { HandshakeReport } from '../tls/report';
import { explainHandshakeError, explainHandshakeStall, handshakeTimeout, stallProbeDelay, type StallProbe } from './failure';
import { checkServerIdentity } from '../certs/names';

export interface HandshakeInput {
  options: ConnectionOptions;
  /** A socket from tlsConnect, TCP-connected, its handshake under way. */
  socket: tls.TLSSocket;
  /** The session tlsConnect offered, if any. */
  session: Buffer | undefined;
  cache: TlsCache;
  profileKey: string;
  /** performance.now() by which the whole connect (TCP + TLS) must be done. */
  deadline: number;
  ctx: FailureContext;
}

/**
 * Makes the TLS socket: it connects TCP to o.host:o.port itself (connectTcp waits for that) and starts
 * the handshake. Decrypted bytes go to `onRead` (valid only during the call: the buffer is read into
 * again), not to 'data' events: Node hands them over without a Buffer and a stream push per record.
 */
export function tlsConnect(
  o: ConnectionOptions,
  secureContext: tls.SecureContext,
  session: Buffer | undefined,
  onRead: (chunk: Buffer) => void,
): tls.TLSSocket {
  const verify = o.tls.verify ?? 'full';
  const servername = sniFor(o.host, o.tls.servername);
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  // tls.connect takes `onread` when it makes the socket itself (Node's docs; @types/node omits it).
  const connectOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
    host: o.host,
    port: o.port,
    ...(servername ? { servername } : {}),
    secureContext,
    rejectUnauthorized: verify === 'full',
    // Node builds the detailed chain for this check: the report keeps it instead of asking again.
    checkServerIdentity: (host: string, cert: tls.PeerCertificate) => {
      presentedChain.set(socket, cert as tls.DetailedPeerCertificate);
      return checkServerIdentity(host, cert);
    },
    ...(session ? { session } : {}),
    onread: {
      buffer,
      callback: (n: number, b: Uint8Array): boolean => {
        onRead((b as Buffer).subarray(0, n));
        return true;
      },
    },
  };
  const socket = tls.connect(connectOptions);
  return socket;
}

/** The chain Node passed to checkServerIdentity, per socket (absent for a resumed session). */
const presentedChain = new WeakMap<tls.TLSSocket, tls.DetailedPeerCertificate>();

/** The session to offer for a profile (none when verification is off). */
export function sessionToOffer(o: ConnectionOptions, cache: TlsCache, profileKey: string): Buffer | undefined {
  return (o.tls.verify ?? 'full') === 'insecure' ? undefined : cache.session(profileKey);
}

/** TLS records carry at most 16 KiB of plaintext; Node copies each into this buffer. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Watches the handshake of a socket from tlsConnect and verifies the server. Resolves only with a
 * verified socket (or an unverified one when the profile says insecure); stores the TLS session only
 * for verified connections.
 */
export function handshake({ options: o, socket, session, cache, profileKey, deadline, ctx }: HandshakeInput): Promise<tls.TLSSocket> {
  const verify = o.tls.verify ?? 'full';
  const handshakeTimeoutMs = o.handshakeTimeoutMs ?? CONNECTION_DEFAULTS.handshakeTimeoutMs;
  return new Promise((resolve, reject) => {
    let settled = false;
    // Sessions arrive after the handshake in TLS 1.3; keep them only from verified connections.
    let latestSession: Buffer | undefined;
    let verified = false;
    socket.on('session', (s: Buffer) => {
      latestSession = s;
      if (verified) cache.storeSession(profileKey, s, true);
    });
    const fail = (e: DiagnosedError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(probeTimer);
      clearTimeout(deadlineTimer);
      socket.destroy();
      if (session) cache.forgetSession(profileKey);
      reject(e);
    };
    let probe: StallProbe = 'not tried';
    const stallMs = stallProbeDelay(handshakeTimeoutMs, deadline - performance.now());
    const probeTimer = setTimeout(() => {
      probe = 'running';
      void explainHandshakeStall(o, stallMs, deadline - performance.now()).then((e) => {
        if (e) fail(e);
        else if (probe === 'running') probe = 'no Redis';
      });
    }, stallMs);
    const deadlineTimer = setTimeout(() => fail(handshakeTimeout(o, probe)), Math.max(0, deadline - performance.now()));
    socket.once('secureConnect', () => {
      if (settled) return;
      if (verify === 'pin') {
        const mismatch = pinMismatch(o, socket, session !== undefined);
        if (mismatch) {
          cache.forgetSession(profileKey);
          fail(mismatch);
          return;
        }
      }
      settled = true;
      clearTimeout(probeTimer);
      clearTimeout(deadlineTimer);
      socket.removeAllListeners('error');
      verified = (verify === 'full' && socket.authorized) || verify === 'pin';
      if (verified && latestSession) cache.storeSession(profileKey, latestSession, true);
      resolve(socket);
    });
    let errored = false;
    socket.once('error', (err: Error) => {
      if (settled || errored) return;
      errored = true;
      void explainHandshakeError(err, o, ctx).then(fail);
    });
    socket.once('close', () => {
      if (settled || errored) return;
      setTimeout(
        () =>
          fail(
            new DiagnosedError(
              makeProblem('PROTOCOL_ERROR', `The server at ${o.host}:${o.port} closed the connection during the TLS handshake.`, {
                title: 'The server closed the connection during the TLS handshake',
                facts: { stage: 'tls' },
              }),
            ),
          ),
        20,
      );
    });
  });
}

/** The pin check: undefined when the presented leaf matches the pinned SHA-256, else the diagnosis. */
function pinMismatch(o: ConnectionOptions, socket: tls.TLSSocket, offeredSession: boolean): DiagnosedError | undefined {
  const presented = socket.getPeerCertificate().fingerprint256 ?? '';
  const pinned = normalizeFingerprint(o.tls.pinSha256 ?? '');
  // A resumed TLS 1.3 session presents no certificate. It can only come from this cache, under a key
  // that includes the pin, stored after that pin matched: the check already happened.
  const resumedPinned = Boolean(pinned) && !presented && offeredSession && socket.isSessionReused();
  if (resumedPinned || (Boolean(pinned) && normalizeFingerprint(presented) === pinned)) return undefined;
  const chain = summarizeChain(peerChainRaw(socket));
  return new DiagnosedError(
    makeProblem(
      'UNTRUSTED_ROOT',
      `Certificate changed: pinned ${o.tls.pinSha256 ?? '(none)'}, presented ${presented || '(none)'} ("${chain[0]?.subject ?? '?'}").`,
      {
        field: 'pin',
        title: 'The server certificate does not match the pinned fingerprint',
        fix: 'If the server certificate was renewed on purpose, check the new fingerprint out of band and pin it; otherwise do not connect.',
        facts: { pinned: o.tls.pinSha256, presented, chain },
      },
    ),
  );
}

/** What a verified (or, when asked, unverified) TLS socket established. The chain is parsed when first read. */
export function tlsReport(
  o: ConnectionOptions,
  socket: tls.TLSSocket,
  timings: { tcpConnectMs: number; tlsHandshakeMs: number },
): HandshakeReport {
  const verify = o.tls.verify ?? 'full';
  const rawChain = peerChainRaw(socket, presentedChain.get(socket));
  let summaries: CertSummary[] | undefined;
  const chainOf = (): CertSummary[] => (summaries ??= summarizeChain(rawChain));
  const cipher = socket.getCipher();
  const alpn = socket.alpnProtocol;
  const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  const report: HandshakeReport = {
    host: o.host,
    port: o.port,
    tls: true,
    servername: typeof servername === 'string' && servername ? servername : null,
    verifiedName: verify === 'full' ? (o.tls.servername ?? o.host) : null,
    protocol: socket.getProtocol(),
    cipher: cipher ? cipher.standardName || cipher.name : null,
    alpn: typeof alpn === 'string' ? alpn : null,
    // handshake() resolves in pin mode only after the pin matched.
    authorized: verify === 'pin' || (verify === 'full' && socket.authorized),
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    verification: verify === 'full' ? 'chain' : verify === 'pin' ? 'pin' : 'none',
    sessionReused: socket.isSessionReused(),
    timings: { ...timings, firstReplyMs: null },
    chain: [],
  };
  // Parsing the certificates costs more than a resumed handshake: do it when someone looks.
  Object.defineProperty(report, 'chain', { enumerable: true, configurable: true, get: chainOf });
  return report;
}

/** The report of a plaintext connection (the profile turned TLS off). */
export function plainReport(o: ConnectionOptions, tcpConnectMs: number): HandshakeReport {
  return {
    host: o.host,
    port: o.port,
    tls: false,
    servername: null,
    verifiedName: null,
    protocol: null,
    cipher: null,
    alpn: null,
    authorized: false,
    authorizationError: null,
    verification: 'none',
    sessionReused: false,
    timings: { tcpConnectMs, tlsHandshakeMs: null, firstReplyMs: null },
    chain: [],
  };
}
