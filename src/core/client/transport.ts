/** The transport: one TCP socket, connected within a budget. TLS is layered on it by handshake.ts. */
import * as net from 'node:net';
import { CONNECTION_DEFAULTS, type ConnectionOptions } from '../endpoint/options';
import { DiagnosedError } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { classifyError, type FailureContext } from '../tls/classify';

/**
 * Connects TCP within `timeoutMs`; rejects with a DiagnosedError. Marks `ctx.tcpConnected`.
 * `create` makes the socket (default: a plain one to o.host:o.port); a TLS socket made by tls.connect
 * connects its own TCP and starts its handshake once connected (handshake.ts then watches it).
 */
export function connectTcp<S extends net.Socket = net.Socket>(
  o: ConnectionOptions,
  timeoutMs: number,
  ctx: FailureContext,
  create: () => S = () => net.connect({ host: o.host, port: o.port }) as S,
): Promise<S> {
  return new Promise((resolve, reject) => {
    let socket: S;
    try {
      socket = create();
    } catch (e) {
      reject(new DiagnosedError(classifyError(e, ctx), { cause: e }));
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new DiagnosedError(
          makeProblem(
            'TIMEOUT',
            `No TCP connection to ${o.host}:${o.port} within ${o.connectTimeoutMs ?? CONNECTION_DEFAULTS.connectTimeoutMs} ms.`,
            { facts: { stage: 'tcp', timeoutMs } },
          ),
        ),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Errors surface on the TLS socket (or the connection's own listener); never as an uncaught event.
      socket.on('error', () => undefined);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      ctx.tcpConnected = true;
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DiagnosedError(classifyError(err, ctx), { cause: err }));
    });
  });
}
