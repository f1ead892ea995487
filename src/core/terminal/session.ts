/**
 * The command terminal's connections: one verified connection for the commands (its own, so SELECT
 * or MULTI never disturb the browser's), a fresh one per streaming command, and in cluster mode one
 * per master with keyed commands routed to their slot's owner (MOVED/ASK followed) and keyless ones
 * to the node the prompt shows (or a `NODE host:port` prefix). Commands go through RedisConnection.send,
 * so whatever the client refuses is refused here too; a second decoder on the same bytes keeps the
 * reply types redis-cli prints (status vs bulk strings).
 */
import { RedisConnection } from '../client/connection';
import { ClusterRouter, commandKey, isClusterEnabled, keySlot, nodeAddress, nodeOptions, parseRedirect } from '../client/cluster';
import type { ConnectionOptions } from '../endpoint/options';
import type { CommandArg } from '../resp/encode';
import { ReplyError, type Reply } from '../resp/replyTypes';
import type { TlsCache } from '../tls/context';
import { DiagnosedError } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { TypedReplyParser, type TypedReply } from './resp';

const DEFAULT_MAX_REPLY = 512 * 1024 * 1024;

/** A reply the server sent (as opposed to a failure before or instead of one). */
function cameWithReply(e: unknown): boolean {
  return e instanceof ReplyError || (e instanceof DiagnosedError && e.cause instanceof ReplyError);
}

/** The typed form of a decoded Reply, for the rare case the second decoder has nothing (never expected). */
function fromReply(r: Reply): TypedReply {
  if (r === null) return { type: 'nil' };
  if (typeof r === 'number') return { type: 'integer', value: String(r) };
  if (Buffer.isBuffer(r)) return { type: 'string', value: r };
  if (r instanceof ReplyError) return { type: 'error', value: Buffer.from(r.message) };
  return { type: 'array', items: r.map(fromReply) };
}

/** A Reply (the client's RESP2 shape) from a typed reply: maps flatten to key, value lists, as in RESP2. */
export function toReply(r: TypedReply): Reply {
  switch (r.type) {
    case 'nil':
      return null;
    case 'integer':
      return Number(r.value);
    case 'bool':
      return r.value ? 1 : 0;
    case 'double':
    case 'bignum':
      return Buffer.from(r.value, 'latin1');
    case 'status':
    case 'string':
    case 'verbatim':
      return r.value;
    case 'error':
      return new ReplyError(r.value.toString('utf8'));
    default:
      return r.items.map(toReply);
  }
}

/** `HELLO <protover>` asking for another protocol than RESP2 (the reply itself comes in that protocol). */
export function isHelloBeyond2(args: readonly CommandArg[]): boolean {
  return word(args[0]) === 'HELLO' && args[1] !== undefined && word(args[1]) !== '2';
}

/**
 * One connection with a typed view of its replies. Every command on the connection must go through
 * here, so the typed replies line up with the commands.
 */
export class TypedChannel {
  private readonly typed: TypedReply[] = [];
  private streamListener: ((reply: TypedReply) => void) | undefined;
  private readonly parser: TypedReplyParser;
  /**
   * After `HELLO 3` the connection's own decoder (RESP2 only) is detached: this channel's parser
   * decodes every reply and hands it to the oldest waiting command.
   */
  private readonly waiting: Array<{ resolve: (r: TypedReply) => void; reject: (e: Error) => void }> = [];
  private brokenReason: string | undefined;
  /** RESP3 push messages that answer no command (client-side caching invalidations). */
  onPush: ((reply: TypedReply) => void) | undefined;

  constructor(
    readonly connection: RedisConnection,
    maxReplyBytes = DEFAULT_MAX_REPLY,
  ) {
    this.parser = new TypedReplyParser(
      (reply) => {
        if (this.streamListener) this.streamListener(reply);
        else if (!connection.repliesDetached) this.typed.push(reply);
        else if (reply.type === 'push') this.onPush?.(reply);
        else {
          const w = this.waiting.shift();
          if (w) w.resolve(reply);
          else this.breakStream('the server sent a reply nobody asked for');
        }
      },
      (reason) => this.breakStream(reason),
      { maxBytes: maxReplyBytes },
    );
    connection.onData((chunk) => this.parser.feed(chunk));
    connection.onClose((err) => {
      const waiting = this.waiting.splice(0);
      if (waiting.length === 0) return;
      const where = nodeAddress(connection.report.host, connection.report.port);
      const e =
        err ??
        new DiagnosedError(
          this.brokenReason
            ? makeProblem(
                'PROTOCOL_ERROR',
                `The reply from ${where} broke the protocol: ${this.brokenReason}. The connection was closed.`,
                {
                  facts: { reason: this.brokenReason },
                },
              )
            : makeProblem(
                'PROTOCOL_ERROR',
                this.parser.midReply
                  ? `The server at ${where} closed the connection in the middle of a reply.`
                  : `The server at ${where} closed the connection with ${waiting.length} command(s) unanswered.`,
                { title: 'The server closed the connection' },
              ),
        );
      for (const w of waiting) w.reject(e);
    });
  }

  private breakStream(reason: string): void {
    this.brokenReason ??= reason;
    this.connection.destroy();
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  /** True once the channel decodes RESP3 itself (after `HELLO 3`). */
  get detached(): boolean {
    return this.connection.repliesDetached;
  }

  /** A command sent on the detached connection, its typed reply from this channel's parser. */
  private execDetached(args: readonly CommandArg[]): Promise<TypedReply> {
    return new Promise<TypedReply>((resolve, reject) => {
      try {
        this.connection.sendDetached(args);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.waiting.push({ resolve, reject });
    });
  }

  /** Sends a command and resolves with its typed reply (an error reply is a value, not a rejection). */
  async exec(args: readonly CommandArg[]): Promise<TypedReply> {
    if (!this.detached && isHelloBeyond2(args) && !this.connection.closed) {
      // HELLO 3's own reply is already RESP3: the connection's RESP2 decoder must not see it. (Throws
      // when commands are waiting: callers send HELLO alone.)
      this.connection.detachReplies();
    }
    if (this.detached) return this.execDetached(args);
    try {
      const reply = await this.connection.send(args);
      return this.typed.shift() ?? fromReply(reply);
    } catch (e) {
      if (!cameWithReply(e)) throw e;
      const typed = this.typed.shift();
      if (typed) return typed;
      const err = e instanceof DiagnosedError ? e.cause : e;
      return { type: 'error', value: Buffer.from(err instanceof Error ? err.message : String(err)) };
    }
  }

  /** Sends a command and resolves with its decoded Reply (error replies reject, as RedisConnection.send does). */
  async send(args: readonly CommandArg[]): Promise<Reply> {
    if (this.detached) {
      const typed = await this.execDetached(args);
      if (typed.type === 'error') throw new ReplyError(typed.value.toString('utf8'));
      return toReply(typed);
    }
    try {
      const reply = await this.connection.send(args);
      this.typed.shift();
      return reply;
    } catch (e) {
      if (cameWithReply(e)) this.typed.shift();
      throw e;
    }
  }

  /**
   * Streaming: sends the command, then hands every reply (its confirmations, then the messages) to
   * `onReply` until the signal aborts or the connection ends. The connection cannot be used afterwards.
   */
  async stream(args: readonly CommandArg[], onReply: (reply: TypedReply) => void, signal: AbortSignal): Promise<void> {
    this.streamListener = onReply;
    this.connection.acceptUnsolicited(() => undefined);
    const ended = new Promise<void>((resolve) => {
      this.connection.onClose(() => resolve());
      if (signal.aborted) resolve();
      signal.addEventListener(
        'abort',
        () => {
          this.connection.destroy();
          resolve();
        },
        { once: true },
      );
    });
    const sent = this.detached
      ? Promise.resolve().then(() => this.connection.sendDetached(args))
      : this.connection.send(args).catch((e: unknown) => {
          if (cameWithReply(e)) return; // the error reply reached onReply already
          throw e;
        });
    await Promise.race([sent.then(() => ended), ended]);
    await sent.catch((e: unknown) => {
      if (!signal.aborted) throw e;
    });
  }
}

export interface NodeAddress {
  host: string;
  port: number;
}

export interface TerminalSessionOptions {
  /** Resolved options (secrets included): hand them to the connection only. */
  options: ConnectionOptions;
  tlsCache?: TlsCache;
}

/** Commands the cluster router would route by a word that is not a key. */
const CLUSTER_KEYLESS = new Set([
  'KEYS',
  'PUBLISH',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SCRIPT',
  'FUNCTION',
  'DEBUG',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WAIT',
  'MONITOR',
  'FLUSHALL',
  'FLUSHDB',
  'RANDOMKEY',
  'SAVE',
  'BGSAVE',
  'BGREWRITEAOF',
  'LASTSAVE',
  'ROLE',
  'READONLY',
  'READWRITE',
  'RESET',
  'SHUTDOWN',
  'SWAPDB',
  'LOLWUT',
  'COMMAND',
  'MEMORY',
]);

function word(a: CommandArg | undefined): string {
  return a === undefined ? '' : (Buffer.isBuffer(a) ? a.toString('latin1') : String(a)).toUpperCase();
}

/** The key a terminal command is routed by in a cluster, if any. */
export function routingKey(args: readonly Buffer[]): Buffer | undefined {
  const name = word(args[0]);
  if (CLUSTER_KEYLESS.has(name)) return undefined;
  if (['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO'].includes(name)) {
    return Number(args[2]?.toString('latin1')) > 0 ? args[3] : undefined;
  }
  const key = commandKey(args);
  return Buffer.isBuffer(key) ? key : undefined;
}

const MAX_REDIRECTS = 5;

export class TerminalSession {
  private readonly options: ConnectionOptions;
  private readonly tlsCache: TlsCache | undefined;
  private seed: TypedChannel | undefined;
  private router: ClusterRouter | undefined;
  private readonly channels = new WeakMap<RedisConnection, TypedChannel>();
  private connecting: Promise<void> | undefined;
  private dropListener: ((err: DiagnosedError | null) => void) | undefined;
  private closedByUser = false;
  /** The database SELECT chose (redis-cli shows it in the prompt). */
  db: number;
  /** The node the prompt shows: the seed, or in a cluster the node that answered last. */
  node: NodeAddress;
  /**
   * The protocol the user switched to with HELLO (2 or 3): reconnections and streaming connections
   * switch to it too, so the output keeps its format.
   */
  protocol: 2 | 3 = 2;
  /** RESP3 push messages that answer no command (e.g. CLIENT TRACKING invalidations). */
  onPush: ((reply: TypedReply) => void) | undefined;

  constructor(opts: TerminalSessionOptions) {
    // No command timeout: BLPOP 0 may wait forever, as in redis-cli; Ctrl+C cancels.
    this.options = { ...opts.options, commandTimeoutMs: 0 };
    this.tlsCache = opts.tlsCache;
    this.db = opts.options.db ?? 0;
    this.node = { host: opts.options.host, port: opts.options.port };
  }

  get isCluster(): boolean {
    return this.router !== undefined;
  }

  get connected(): boolean {
    return this.seed !== undefined && !this.seed.closed;
  }

  /** The handshake report of the command connection, when connected. */
  get report(): RedisConnection['report'] | undefined {
    return this.seed && !this.seed.closed ? this.seed.connection.report : undefined;
  }

  /** redis-cli's prompt: `host:port>` or `host:port[db]>`. */
  get prompt(): string {
    return `${nodeAddress(this.node.host, this.node.port)}${this.db !== 0 ? `[${this.db}]` : ''}> `;
  }

  /** Called when the command connection drops while idle (null: closed cleanly by the server). */
  onDrop(listener: (err: DiagnosedError | null) => void): void {
    this.dropListener = listener;
  }

  /** Connects (or reconnects after a drop): rejects with a DiagnosedError. */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private openConnection(options: ConnectionOptions): Promise<RedisConnection> {
    return RedisConnection.open(options, this.tlsCache ? { tlsCache: this.tlsCache } : {});
  }

  private async open(): Promise<void> {
    this.closedByUser = false;
    await this.router?.close().catch(() => undefined);
    this.router = undefined;
    const conn = await this.openConnection({ ...this.options, db: this.db });
    let router: ClusterRouter | undefined;
    if (await isClusterEnabled(conn)) {
      try {
        router = await ClusterRouter.open(conn, this.options, this.tlsCache ? { tlsCache: this.tlsCache } : {});
      } catch (e) {
        conn.destroy();
        throw e;
      }
    }
    const channel = new TypedChannel(conn, this.options.maxReplyBytes);
    channel.onPush = (r) => this.onPush?.(r);
    this.channels.set(conn, channel);
    if (this.protocol === 3 && !router) {
      const hello = await channel.exec(['HELLO', '3']).catch((e: unknown) => {
        conn.destroy();
        throw e;
      });
      if (hello.type === 'error') this.protocol = 2;
    }
    this.seed = channel;
    this.router = router;
    if (!router) this.node = { host: this.options.host, port: this.options.port };
    conn.onClose((err) => {
      if (this.seed !== channel || this.closedByUser) return;
      this.dropListener?.(err);
    });
  }

  private channelFor(conn: RedisConnection): TypedChannel {
    let c = this.channels.get(conn);
    if (!c) {
      c = new TypedChannel(conn, this.options.maxReplyBytes);
      this.channels.set(conn, c);
    }
    return c;
  }

  /** The channel of a cluster master, by address, re-reading the topology once when it is unknown. */
  private async nodeChannel(host: string, port: number): Promise<TypedChannel | undefined> {
    const router = this.router;
    if (!router) return undefined;
    const find = (): ClusterRouter['nodes'][number] | undefined =>
      router.nodes.find((n) => nodeAddress(n.master.host, n.master.port) === nodeAddress(host, port));
    let handle = find();
    if (!handle) {
      await router.refresh();
      handle = find();
    }
    if (!handle) return undefined;
    return this.channelFor(await handle.client.connect());
  }

  /** Masters of the cluster (empty outside cluster mode). */
  /**
   * Why a HELLO command is not sent, if it is not: another protocol than RESP2 only on a standalone
   * server (the cluster router's connections, shared with routing, decode RESP2).
   */
  helloRefusal(args: readonly Buffer[]): string | undefined {
    if (!isHelloBeyond2(args) || !this.router) return undefined;
    return 'HELLO with another protocol than 2 is not sent on a cluster connection: this terminal speaks RESP2 to cluster nodes.';
  }

  get clusterNodes(): NodeAddress[] {
    return this.router ? this.router.masters.map((m) => ({ host: m.host, port: m.port })) : [];
  }

  private async targetChannel(
    args: readonly Buffer[],
    node: NodeAddress | undefined,
  ): Promise<{ channel: TypedChannel; node: NodeAddress }> {
    await this.connect();
    const seed = this.seed as TypedChannel;
    if (!this.router) {
      if (node)
        throw new DiagnosedError(
          makeProblem('PROTOCOL_ERROR', 'NODE host:port only applies to cluster connections.', { title: 'Not a cluster' }),
        );
      return { channel: seed, node: this.node };
    }
    if (node) {
      const c = await this.nodeChannel(node.host, node.port);
      if (!c)
        throw new DiagnosedError(
          makeProblem(
            'PROTOCOL_ERROR',
            `${nodeAddress(node.host, node.port)} is not a master of this cluster (masters: ${this.clusterNodes.map((n) => nodeAddress(n.host, n.port)).join(', ')}).`,
            { title: 'Unknown cluster node' },
          ),
        );
      return { channel: c, node };
    }
    const key = routingKey(args);
    if (key !== undefined) {
      const owner = this.router.masters.find((m) =>
        m.slots.some(([a, b]) => {
          const s = keySlot(key);
          return s >= a && s <= b;
        }),
      );
      if (owner) {
        const c = await this.nodeChannel(owner.host, owner.port);
        if (c) return { channel: c, node: { host: owner.host, port: owner.port } };
      }
    }
    const current =
      nodeAddress(this.node.host, this.node.port) === nodeAddress(this.options.host, this.options.port)
        ? undefined
        : await this.nodeChannel(this.node.host, this.node.port);
    return { channel: current ?? seed, node: current ? this.node : { host: this.options.host, port: this.options.port } };
  }

  /**
   * Runs one command and resolves with its typed reply. Follows MOVED/ASK in a cluster; tracks SELECT.
   * Rejects with a DiagnosedError when the connection fails (the next command reconnects). To cancel
   * (Ctrl+C), abortCurrent() drops the connection: a reply that arrives later would belong to no one.
   */
  async execute(args: readonly Buffer[], opts: { node?: NodeAddress } = {}): Promise<TypedReply> {
    let { channel, node } = await this.targetChannel(args, opts.node);
    let asking = false;
    for (let hop = 0; ; hop++) {
      const pending = asking ? [channel.exec(['ASKING']), channel.exec(args)] : [channel.exec(args)];
      const reply = (await Promise.all(pending))[pending.length - 1] as TypedReply;
      const redirect =
        reply.type === 'error' && this.router && hop < MAX_REDIRECTS ? parseRedirect(new Error(reply.value.toString('latin1'))) : undefined;
      if (!redirect) {
        if (this.router) this.node = node;
        else if (reply.type === 'status' && word(args[0]) === 'SELECT' && args.length === 2) this.db = Number(args[1]?.toString('latin1'));
        else if (word(args[0]) === 'HELLO' && !this.router) {
          // As redis-cli: a map reply means RESP3 now, an array RESP2.
          if (reply.type === 'map') this.protocol = 3;
          else if (reply.type === 'array') this.protocol = 2;
        }
        return reply;
      }
      const host = redirect.host || this.options.host;
      const next = await this.nodeChannel(host, redirect.port);
      if (!next) return reply;
      if (redirect.kind === 'MOVED') void this.router?.refresh().catch(() => undefined);
      channel = next;
      node = { host, port: redirect.port };
      asking = redirect.kind === 'ASK';
    }
  }

  /** Commands for the terminal itself (COMMAND DOCS, SCAN for completion) on the command connection. */
  async send(args: readonly CommandArg[], node?: NodeAddress): Promise<Reply> {
    const { channel } = await this.targetChannel([Buffer.from('COMMAND')], node ?? (this.router ? this.node : undefined));
    return channel.send(args);
  }

  /**
   * A streaming command on a connection of its own (same options, same database, or the routed node
   * in a cluster). Resolves when `signal` aborts (Ctrl+C) or the connection ends.
   */
  async stream(args: readonly Buffer[], onReply: (reply: TypedReply) => void, signal: AbortSignal, node?: NodeAddress): Promise<void> {
    await this.connect();
    let target: ConnectionOptions = { ...this.options, db: this.db };
    if (this.router) {
      const key = word(args[0]) === 'SSUBSCRIBE' ? args[1] : undefined;
      const owner = key
        ? this.router.masters.find((m) =>
            m.slots.some(([a, b]) => {
              const s = keySlot(key);
              return s >= a && s <= b;
            }),
          )
        : undefined;
      const where = node ?? (owner ? { host: owner.host, port: owner.port } : this.node);
      target = nodeOptions(this.options, where.host, where.port);
    }
    const conn = await this.openConnection(target);
    if (signal.aborted) {
      conn.destroy();
      return;
    }
    const channel = new TypedChannel(conn, this.options.maxReplyBytes);
    if (this.protocol === 3 && !this.router) await channel.exec(['HELLO', '3']);
    await channel.stream(args, onReply, signal);
  }

  /** Drops the command connection now (Ctrl+C on a blocking command); the next command reconnects. */
  abortCurrent(): void {
    const seed = this.seed;
    this.seed = undefined;
    seed?.connection.destroy();
    void this.router?.close().catch(() => undefined);
    this.router = undefined;
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    const seed = this.seed;
    this.seed = undefined;
    await this.router?.close().catch(() => undefined);
    this.router = undefined;
    if (seed) await seed.connection.close().catch(() => seed.connection.destroy());
  }
}
