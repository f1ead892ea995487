/**
 * Failure explanation: the probes (separate, short-lived sockets, see tls/probes.ts) that turn a bare
 * failure into a precise diagnosis — a plaintext Redis behind a TLS profile (NOT_TLS), a TLS port behind
 * a plaintext profile (TLS_REQUIRED), the chain or TLS versions behind a handshake error.
 */
import { CONNECTION_DEFAULTS, type ConnectionOptions } from '../endpoint/options';
import { DiagnosedError, type Problem } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { classifyError, errorCode, type FailureContext } from '../tls/classify';
import { probeFor } from '../tls/errorFamilies';
import { diagnosticHandshake, plaintextRedisProbe, probeServerVersions } from '../tls/probes';

const PROBE_MS = 2000;

/** Runs the probe the error's family calls for (diagnosis/tlsErrors.ts), then classifies the handshake error. */
export async function explainHandshakeError(err: Error, o: ConnectionOptions, ctx: FailureContext): Promise<DiagnosedError> {
  const code = errorCode(err);
  const extra: FailureContext = { ...ctx, checkedName: o.tls.servername ?? o.host };
  try {
    const probe = probeFor(code);
    if (probe === 'chain') {
      const d = await diagnosticHandshake(o, PROBE_MS);
      if (d.chain.length) extra.chain = d.chain;
    } else if (probe === 'versions') {
      extra.serverVersions = await probeServerVersions(o, PROBE_MS);
    } else if (probe === 'plaintext') {
      extra.plaintextRedis = await plaintextRedisProbe(o.host, o.port, PROBE_MS);
    }
  } catch {
    // Probes only refine the detail.
  }
  return new DiagnosedError(classifyError(err, extra), { cause: err });
}

/**
 * A TLS client on a plaintext Redis port gets no error: the server silently buffers the ClientHello.
 * After the handshake budget, ask the port in plaintext: NOT_TLS when Redis answers, else undefined.
 */
export async function explainHandshakeStall(o: ConnectionOptions, handshakeTimeoutMs: number, remainingMs: number): Promise<DiagnosedError | undefined> {
  const isRedis = await plaintextRedisProbe(o.host, o.port, Math.max(500, Math.min(PROBE_MS, remainingMs)));
  if (!isRedis) return undefined;
  return new DiagnosedError(makeProblem('NOT_TLS',
    `No TLS handshake from ${o.host}:${o.port} within ${handshakeTimeoutMs} ms, and a plaintext PING on the same port got a Redis reply: this port serves Redis without TLS.`,
    { facts: { handshakeTimeoutMs } }));
}

/** The connect budget ran out during the handshake (after explainHandshakeStall found no plaintext Redis). */
export function handshakeTimeout(o: ConnectionOptions): DiagnosedError {
  return new DiagnosedError(makeProblem('TIMEOUT', `TCP connected to ${o.host}:${o.port}, but no TLS handshake completed within ${o.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs} ms, and the port does not answer a plaintext PING either.`,
    { facts: { stage: 'tls' } }));
}

/** Failures that came from a reply while connecting (AUTH, SELECT...): no probe can add to them. */
function isReplyLevel(problem: Problem): boolean {
  return ['AUTH_REQUIRED', 'AUTH_FAILED', 'NO_PERMISSION'].includes(problem.code) || problem.title.endsWith('while connecting');
}

/** Explains a failure after the transport was up but before the connection was ready (the first commands). */
export async function explainInitFailure(e: unknown, o: ConnectionOptions, ctx: FailureContext): Promise<DiagnosedError> {
  const problem: Problem = e instanceof DiagnosedError ? e.problem : classifyError(e, ctx);
  if (!o.tls.enabled && !isReplyLevel(problem)) {
    // A TLS-only port resets a plaintext client or answers with a TLS alert: confirm with a TLS handshake.
    const probe = await diagnosticHandshake(o, PROBE_MS);
    if (probe.ok || /ALERT/.test(probe.errorCode ?? '')) {
      const cause = e instanceof DiagnosedError && e.cause !== undefined ? e.cause : e;
      return new DiagnosedError(classifyError(cause, { ...ctx, tlsAnswered: true }), { cause: e });
    }
  }
  return e instanceof DiagnosedError ? e : new DiagnosedError(problem, { cause: e });
}
