import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { CONNECTION_DEFAULTS as DEFAULTS, formatEndpoint, type ConnectionOptions } from '../endpoint/options';
import { encodeCommand, type CommandArg } from '../resp/encode';
import { assertAllowed } from './readOnly';
import { ReplyQueue, type PendingReply, type ReplyStreamError } from '../resp/queue';
import type { KeySink } from '../resp/scanReader';
import { ReplyError, type Reply } from '../resp/replyTypes';
import { DiagnosedError, type Problem } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { classifyError, classifyReplyError, type FailureContext } from '../tls/classify';
import { defaultTlsCache, precheckClientIdentity, secureContextKey, tlsProfileKey, type TlsCache } from '../tls/context';
import type { HandshakeReport } from '../tls/report';
import type { SendOptions } from './commander';
import { connectTcp } from './transport';
import { handshake, plainReport, sessionToOffer, tlsConnect, tlsReport } from './handshake';
import { explainInitFailure } from './failure';

export type { Reply };
export { ReplyError };
export type { HandshakeReport };

export type { SendOptions };

export interface OpenDeps {
  /** Session and SecureContext cache; defaults to the process-wide one. */
  tlsCache?: TlsCache;
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 1000) / 1000;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('The command was aborted');
  err.name = 'AbortError';
  return err;
}

function commandName(args: readonly CommandArg[]): string {
  const first = args[0];
  const name = Buffer.isBuffer(first) ? first.toString('latin1') : String(first);
  return name.slice(0, 32).toUpperCase();
}

/**
 * One Redis connection over verified TLS (or plain TCP when the profile turns TLS off).
 * Replies are routed FIFO; commands may be pipelined freely. Every failure is a DiagnosedError,
 * except error replies to ordinary commands, which reject with the server's ReplyError.
 */
export class RedisConnection {
  readonly report: HandshakeReport;
  private readonly socket: net.Socket;
  private readonly queue: ReplyQueue;
  private readonly commandTimeoutMs: number;
  private readonly options: ConnectionOptions;
  private writeBuffer: Buffer[] = [];
  private flushScheduled = false;
  private closedWith: DiagnosedError | null | undefined = undefined;
  private readonly closeListeners: Array<(err: DiagnosedError | null) => void> = [];
  private readonly closedPromise: Promise<void>;
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  /** The reply stream belongs to an onData listener (detachReplies): the queue sees no more bytes. */
  private detached = false;

  private constructor(options: ConnectionOptions, socket: net.Socket, report: HandshakeReport, relay?: ChunkRelay) {
    this.options = options;
    this.socket = socket;
    this.report = report;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs;
    this.queue = new ReplyQueue({
      maxReplyBytes: options.maxReplyBytes ?? DEFAULTS.maxReplyBytes,
      onFatal: (err) => this.onStreamBroken(err),
    });
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    // TLS sockets hand their bytes to the relay in a buffer that is read into again (tlsConnect);
    // plain sockets emit a Buffer of their own per read.
    if (relay) relay.attach((chunk) => this.onChunk(chunk, true));
    else socket.on('data', (chunk: Buffer) => this.onChunk(chunk, false));
    socket.on('error', (err: Error) => this.fail(new DiagnosedError(this.classify(err), { cause: err })));
    socket.on('close', () => {
      const midReply = this.queue.midReply;
      const pending = this.queue.length;
      if (midReply) {
        this.fail(
          new DiagnosedError(
            makeProblem('PROTOCOL_ERROR', `The server at ${this.where} closed the connection in the middle of a reply.`, {
              title: 'The server closed the connection mid-reply',
            }),
          ),
        );
      } else if (pending > 0) {
        this.fail(
          new DiagnosedError(
            makeProblem('PROTOCOL_ERROR', `The server at ${this.where} closed the connection with ${pending} command(s) unanswered.`, {
              title: 'The server closed the connection',
            }),
          ),
        );
      } else {
        this.fail(null);
      }
    });
  }

  /** `transient`: the bytes are valid only during the call (anything kept is copied). */
  private onChunk(chunk: Buffer, transient: boolean): void {
    if (this.dataListeners.length > 0) {
      const own = transient ? Buffer.from(chunk) : chunk;
      for (const l of this.dataListeners) l(own);
    }
    if (!this.detached) this.queue.feed(chunk, transient);
  }

  /** The options this connection was opened with. */
  get connectionOptions(): ConnectionOptions {
    return this.options;
  }

  private get where(): string {
    return formatEndpoint(this.options.host, this.options.port);
  }

  /** Opens, verifies, authenticates (AUTH / CLIENT SETNAME / SELECT, else PING) and returns a ready connection. */
  static async open(options: ConnectionOptions, deps: OpenDeps = {}): Promise<RedisConnection> {
    const cache = deps.tlsCache ?? defaultTlsCache;
    const t0 = performance.now();
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const ctx: FailureContext = { options, clientCertGiven: Boolean(options.tls.enabled && (options.tls.cert || options.tls.pfx)) };
    const deadline = t0 + connectTimeoutMs;

    let profileKey = '';
    let secureContext: tls.SecureContext | undefined;
    if (options.tls.enabled) {
      profileKey = tlsProfileKey(options);
      const contextKey = secureContextKey(options);
      // The identity was checked when the SecureContext of these TLS settings was built.
      if (!cache.hasSecureContext(contextKey)) precheckClientIdentity(options);
      secureContext = cache.secureContext(options, contextKey);
    }

    const tTcp = performance.now();
    const budget = Math.max(1, deadline - tTcp);
    let socket: net.Socket;
    let report: HandshakeReport;
    let relay: ChunkRelay | undefined;
    if (options.tls.enabled && secureContext) {
      const session = sessionToOffer(options, cache, profileKey);
      const r = (relay = new ChunkRelay());
      const tlsSocket = await connectTcp(options, budget, ctx, () => tlsConnect(options, secureContext, session, r.feed));
      const tcpConnectMs = elapsed(tTcp);
      const t1 = performance.now();
      await handshake({ options, socket: tlsSocket, session, cache, profileKey, deadline, ctx });
      report = tlsReport(options, tlsSocket, { tcpConnectMs, tlsHandshakeMs: elapsed(t1) });
      socket = tlsSocket;
      ctx.secureConnected = true;
    } else {
      socket = await connectTcp(options, budget, ctx);
      report = plainReport(options, elapsed(tTcp));
    }

    const conn = new RedisConnection(options, socket, report, relay);
    const tReady = performance.now();
    conn.queue.onFirstReply = () => {
      report.timings.firstReplyMs = elapsed(tReady);
    };
    try {
      await conn.initialize();
    } catch (e) {
      conn.destroy();
      throw await explainInitFailure(e, options, ctx);
    }
    return conn;
  }

  /** AUTH, CLIENT SETNAME and SELECT pipelined; PING when none applies. Errors are diagnosed. */
  private async initialize(): Promise<void> {
    const o = this.options;
    const steps: CommandArg[][] = [];
    if (o.password !== undefined && o.password !== '') steps.push(o.username ? ['AUTH', o.username, o.password] : ['AUTH', o.password]);
    if (o.clientName) steps.push(['CLIENT', 'SETNAME', o.clientName]);
    if (o.db !== undefined && o.db !== 0) steps.push(['SELECT', o.db]);
    if (steps.length === 0) steps.push(['PING']);
    const budget = o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const results = await Promise.allSettled(steps.map((args) => this.sendRaw(args, { timeoutMs: budget })));
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.status === 'rejected') {
        const err: unknown = r.reason;
        if (err instanceof ReplyError) {
          const name = commandName(steps[i]);
          // The client name is cosmetic: a read-only ACL user (-@connection / -client) or a proxy
          // without CLIENT must still be able to connect.
          if (name === 'CLIENT') continue;
          const problem =
            classifyReplyError(err.message, name, { options: o }) ??
            makeProblem('PROTOCOL_ERROR', `The server refused ${name} while connecting: "${err.message.slice(0, 200)}".`, {
              title: `${name} failed while connecting`,
              fix:
                name === 'SELECT'
                  ? 'Use a database number the server has (databases in redis.conf; cluster mode only has 0).'
                  : CATCH_ALL_FIX,
            });
          throw new DiagnosedError(problem, { cause: err });
        }
        throw err;
      }
    }
  }

  /**
   * Sends one command (pipelined: call again without awaiting). Resolves with its reply. Rejects with
   * the server's ReplyError for an error reply (except NOAUTH / NOPERM, which become DiagnosedError
   * AUTH_REQUIRED / NO_PERMISSION), and with DiagnosedError for everything else (TIMEOUT closes the
   * connection; an AbortSignal rejects with its reason and leaves the connection usable).
   */
  send(args: readonly CommandArg[], opts: SendOptions = {}): Promise<Reply> {
    return this.sendRaw(args, opts).catch((err: unknown) => {
      throw this.diagnoseReplyError(err, args);
    });
  }

  private diagnoseReplyError(err: unknown, args: readonly CommandArg[]): unknown {
    if (err instanceof ReplyError) {
      const word = /^[A-Z]+/.exec(err.message)?.[0];
      if (word === 'NOAUTH' || word === 'NOPERM') {
        const problem = classifyReplyError(err.message, commandName(args), { options: this.options });
        if (problem) return new DiagnosedError(problem, { cause: err });
      }
    }
    return err;
  }

  /**
   * Sends one SCAN (args start with 'SCAN', cursor...) and streams the page's keys to `sink` as
   * (buffer, start, end), valid only during the call, then resolves with the next cursor. (esbuild
   * keeps this comment in dist/cli-scan.js: keep it ASCII, or V8 holds the whole bundle as UTF-16.)
   * `onCursor` hears the next cursor as soon as it arrives, ahead of the keys (to request the next
   * page early; commands sent from it are queued after this one).
   * Bypasses per-key objects when it can; otherwise falls back to the parsed reply transparently.
   */
  async scanPage(
    args: readonly CommandArg[],
    sink: KeySink,
    opts: SendOptions & { onCursor?: (cursor: Buffer) => void } = {},
  ): Promise<Buffer> {
    const reply = await this.sendRaw(args, opts, sink, opts.onCursor).catch((err: unknown) => {
      throw this.diagnoseReplyError(err, args);
    });
    if (Buffer.isBuffer(reply)) return reply;
    if (Array.isArray(reply) && reply.length === 2 && Buffer.isBuffer(reply[0]) && Array.isArray(reply[1])) {
      opts.onCursor?.(reply[0]);
      for (const k of reply[1]) if (Buffer.isBuffer(k)) sink(k, 0, k.length);
      return reply[0];
    }
    throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', `SCAN on ${this.where} returned something other than [cursor, keys].`));
  }

  private sendRaw(
    args: readonly CommandArg[],
    opts: SendOptions,
    scanSink?: KeySink,
    onScanCursor?: (cursor: Buffer) => void,
  ): Promise<Reply> {
    if (this.closedWith !== undefined) {
      return Promise.reject(
        this.closedWith ??
          new DiagnosedError(makeProblem('PROTOCOL_ERROR', `The connection to ${this.where} is closed.`, { title: 'Connection closed' })),
      );
    }
    const signal = opts.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let payload: Buffer;
    try {
      assertAllowed(args, this.options.readOnly, this.options.profileName);
      payload = encodeCommand(args);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return new Promise<Reply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        if (onAbort && signal) signal.removeEventListener('abort', onAbort);
      };
      const pending: PendingReply = {
        settled: false,
        ...(scanSink ? { scanSink } : {}),
        ...(scanSink && onScanCursor ? { onScanCursor } : {}),
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      };
      const timeoutMs = opts.timeoutMs ?? this.commandTimeoutMs;
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          if (pending.settled) return;
          const err = new DiagnosedError(
            makeProblem(
              'TIMEOUT',
              `No reply to ${commandName(args)} from ${this.where} within ${timeoutMs} ms; the connection was closed.`,
              {
                title: 'The server stopped answering',
                fix: 'Check the server (slow command, overload, paused process) and the network; raise the command timeout for slow commands.',
              },
            ),
          );
          pending.settled = true;
          cleanup();
          reject(err);
          // The reply stream is now out of step with what we know: drop the connection.
          this.fail(err);
        }, timeoutMs);
      }
      if (signal) {
        onAbort = () => {
          if (pending.settled) return;
          // The slot stays in the queue so later replies still line up.
          pending.settled = true;
          cleanup();
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.queue.push(pending);
      this.write(payload);
    });
  }

  private write(payload: Buffer): void {
    this.writeBuffer.push(payload);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      const parts = this.writeBuffer;
      this.writeBuffer = [];
      if (this.closedWith !== undefined || parts.length === 0) return;
      this.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    });
  }

  /**
   * Observes the reply bytes as they arrive, before they are routed: for a second decoder that keeps
   * what the Reply type drops (status vs bulk strings), as the command terminal does.
   */
  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  /**
   * Hands the reply stream to the onData listeners for good: for a decoder of its own that reads what
   * the queue's RESP2 decoder cannot (the command terminal after `HELLO 3`). Only with no command
   * waiting. From then on commands go through sendDetached, the queue sees no bytes, and the listener
   * must match replies to commands and bound them itself (the terminal's TypedReplyParser caps lengths,
   * nesting and reply size as the queue does).
   */
  detachReplies(): void {
    if (this.queue.length > 0 || this.queue.midReply) throw new Error('detachReplies: commands are waiting for replies');
    this.detached = true;
  }

  /** True after detachReplies. */
  get repliesDetached(): boolean {
    return this.detached;
  }

  /**
   * Writes a command whose reply an onData listener decodes (after detachReplies). The same checks as
   * send: a closed connection or a read-only refusal throws, and nothing is written.
   */
  sendDetached(args: readonly CommandArg[]): void {
    if (!this.detached) throw new Error('sendDetached before detachReplies');
    if (this.closedWith !== undefined)
      throw (
        this.closedWith ??
        new DiagnosedError(makeProblem('PROTOCOL_ERROR', `The connection to ${this.where} is closed.`, { title: 'Connection closed' }))
      );
    assertAllowed(args, this.options.readOnly, this.options.profileName);
    this.write(encodeCommand(args));
  }

  /**
   * For streaming commands (SUBSCRIBE, MONITOR): replies nobody asked for go to `listener` instead of
   * closing the connection as a protocol violation.
   */
  acceptUnsolicited(listener: (reply: Reply | ReplyError) => void): void {
    this.queue.onUnsolicited = listener;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Number of commands waiting for a reply. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** Called once when the connection closes, with the error that closed it (null: closed cleanly). */
  onClose(listener: (err: DiagnosedError | null) => void): void {
    if (this.closedWith !== undefined) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Graceful close: QUIT (waits for earlier replies), then end the socket. */
  async close(): Promise<void> {
    if (this.closedWith !== undefined) {
      await this.closedPromise;
      return;
    }
    try {
      // Detached, the queue would never see QUIT's reply: just end the socket.
      if (!this.detached) await this.sendRaw(['QUIT'], { timeoutMs: 1000 });
    } catch {
      // The server may close before answering QUIT.
    }
    this.fail(null);
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), 1000);
    await this.closedPromise;
    clearTimeout(t);
  }

  /** Immediate close; pending commands reject. */
  destroy(): void {
    this.fail(null);
    this.socket.destroy();
  }

  private onStreamBroken(err: ReplyStreamError): void {
    const problem = makeProblem(
      'PROTOCOL_ERROR',
      `The reply from ${this.where} broke the protocol: ${err.message}. The connection was closed.`,
      { facts: { reason: err.reason } },
    );
    this.fail(new DiagnosedError(problem, { cause: err }));
    this.socket.destroy();
  }

  private classify(err: Error): Problem {
    return classifyError(err, {
      options: this.options,
      clientCertGiven: Boolean(this.options.tls.cert || this.options.tls.pfx),
      tcpConnected: true,
      secureConnected: this.report.tls,
    });
  }

  private fail(err: DiagnosedError | null): void {
    if (this.closedWith !== undefined) {
      if (err) this.queue.rejectAll(err);
      return;
    }
    this.closedWith = err;
    const rejection =
      err ??
      new DiagnosedError(makeProblem('PROTOCOL_ERROR', `The connection to ${this.where} was closed.`, { title: 'Connection closed' }));
    this.queue.rejectAll(rejection);
    if (err && !this.socket.destroyed) this.socket.destroy();
    for (const l of this.closeListeners.splice(0)) l(err);
  }
}

const CATCH_ALL_FIX = 'Check the connection settings against the server configuration.';

/**
 * Between tlsConnect and the RedisConnection that reads the bytes: anything that arrives before the
 * connection attaches (nothing should: the server speaks only when asked) is copied and kept.
 */
class ChunkRelay {
  private target: ((chunk: Buffer) => void) | undefined;
  private early: Buffer[] = [];

  readonly feed = (chunk: Buffer): void => {
    if (this.target) this.target(chunk);
    else this.early.push(Buffer.from(chunk));
  };

  attach(target: (chunk: Buffer) => void): void {
    this.target = target;
    const early = this.early;
    this.early = [];
    for (const c of early) target(c);
  }
}
