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
/** The stall probe ends this long before the connect deadline, so its answer is in before the budget is. */
const PROBE_MARGIN_MS = 50;

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
 * When to probe a stalled handshake: after handshakeTimeoutMs, but never later than half of the
 * connect budget left, so the probe (and NOT_TLS) fits inside the user's timeout whatever it is.
 */
export function stallProbeDelay(handshakeTimeoutMs: number, budgetLeftMs: number): number {
  return Math.max(0, Math.min(handshakeTimeoutMs, Math.floor(budgetLeftMs / 2)));
}

/** What the plaintext probe of a stalled handshake found, for a detail that claims only what ran. */
export type StallProbe = 'not tried' | 'running' | 'no Redis';

/**
 * A TLS client on a plaintext Redis port gets no error: the server silently buffers the ClientHello.
 * After the stall delay, ask the port in plaintext within the budget left: NOT_TLS when Redis
 * answers, else undefined.
 */
export async function explainHandshakeStall(
  o: ConnectionOptions,
  stalledMs: number,
  remainingMs: number,
): Promise<DiagnosedError | undefined> {
  const isRedis = await plaintextRedisProbe(o.host, o.port, Math.max(1, Math.min(PROBE_MS, remainingMs - PROBE_MARGIN_MS)));
  if (!isRedis) return undefined;
  return new DiagnosedError(
    makeProblem(
      'NOT_TLS',
      `No TLS handshake from ${o.host}:${o.port} within ${stalledMs} ms, and a plaintext PING on the same port got a Redis reply: this port serves Redis without TLS.`,
      { facts: { handshakeTimeoutMs: stalledMs } },
    ),
  );
}

/** The connect budget ran out during the handshake; the detail says only what the plaintext probe really did. */
export function handshakeTimeout(o: ConnectionOptions, probe: StallProbe): DiagnosedError {
  const what =
    probe === 'no Redis'
      ? ', and the port does not answer a plaintext PING either'
      : probe === 'running'
        ? '; a plaintext PING on the same port had no answer yet'
        : ' (no plaintext PING was tried)';
  return new DiagnosedError(
    makeProblem(
      'TIMEOUT',
      `TCP connected to ${o.host}:${o.port}, but no TLS handshake completed within ${o.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs} ms${what}.`,
      { facts: { stage: 'tls' } },
    ),
  );
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
