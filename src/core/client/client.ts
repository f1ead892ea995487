import type { ConnectionOptions } from '../endpoint/options';
import { RedisConnection, type SendOptions, type Reply } from './connection';
import type { CommandArg } from '../resp/encode';
import type { KeySink } from '../resp/scanReader';
import type { HandshakeReport } from '../tls/report';
import type { TlsCache } from '../tls/context';
import { DiagnosedError, type DiagnosisCode } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';

export interface RedisClientOptions {
  tlsCache?: TlsCache;
  /** Connection attempts per send before giving up on a transient failure. Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt up to maxBackoffMs. Defaults 100 / 3000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** An open connection opened with exactly these options: used until it drops, then owned (closed) by this client. */
  connection?: RedisConnection;
}

/** Failures that may go away by themselves; certificate and auth problems never do. */
const TRANSIENT: ReadonlySet<DiagnosisCode> = new Set(['CONNECTION_REFUSED', 'TIMEOUT', 'PROTOCOL_ERROR', 'HOST_NOT_FOUND']);

/**
 * A connection that reopens itself: the next command after a drop connects again (with backoff on
 * transient failures), resuming the verified TLS session of the profile when there is one.
 * Commands that were in flight when the connection dropped are rejected, never replayed.
 */
export class RedisClient {
  private conn: RedisConnection | undefined;
  private connecting: Promise<RedisConnection> | undefined;
  private closed = false;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  /** How many times a connection was opened. */
  connects = 0;
  /** How many connection attempts were made (successful or not). */
  attempts = 0;

  constructor(
    readonly options: ConnectionOptions,
    private readonly clientOptions: RedisClientOptions = {},
  ) {
    this.maxAttempts = clientOptions.maxAttempts ?? 4;
    this.backoffMs = clientOptions.backoffMs ?? 100;
    this.maxBackoffMs = clientOptions.maxBackoffMs ?? 3000;
    this.conn = clientOptions.connection;
  }

  /** The handshake report of the current connection, if connected. */
  get report(): HandshakeReport | undefined {
    return this.conn && !this.conn.closed ? this.conn.report : undefined;
  }

  /** Connects now (or returns the live connection). */
  connect(): Promise<RedisConnection> {
    if (this.closed)
      return Promise.reject(new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The client was closed.', { title: 'Client closed' })));
    if (this.conn && !this.conn.closed) return Promise.resolve(this.conn);
    if (!this.connecting) {
      this.connecting = this.openWithBackoff().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  async send(args: readonly CommandArg[], opts?: SendOptions): Promise<Reply> {
    const conn = await this.connect();
    return conn.send(args, opts);
  }

  /** RedisConnection.scanPage on the live connection (connecting first). */
  async scanPage(
    args: readonly CommandArg[],
    sink: KeySink,
    opts: SendOptions & { onCursor?: (cursor: Buffer) => void } = {},
  ): Promise<Buffer> {
    const conn = await this.connect();
    return conn.scanPage(args, sink, opts);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn ?? (this.connecting ? await this.connecting.catch(() => undefined) : undefined);
    this.conn = undefined;
    if (c) await c.close();
  }

  private async openWithBackoff(): Promise<RedisConnection> {
    let delay = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      this.attempts++;
      try {
        const conn = await RedisConnection.open(this.options, this.clientOptions.tlsCache ? { tlsCache: this.clientOptions.tlsCache } : {});
        this.connects++;
        if (this.closed) {
          await conn.close();
          throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The client was closed while connecting.', { title: 'Client closed' }));
        }
        this.conn = conn;
        return conn;
      } catch (e) {
        const transient = e instanceof DiagnosedError && TRANSIENT.has(e.problem.code);
        if (!transient || attempt >= this.maxAttempts || this.closed) throw e;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.maxBackoffMs);
      }
    }
  }
}
