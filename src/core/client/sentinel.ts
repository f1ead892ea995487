/**
 * Redis Sentinel over verified TLS: ask the sentinels (in order) where the primary of a service is,
 * connect to it with the data nodes' own TLS settings and credentials, and move the session to the
 * new primary after a failover.
 *
 * Sentinels and data nodes are configured apart: their own TLS settings (CA, server name, client
 * certificate) and their own ACL user/password. Sentinel hands out addresses (usually IPs), which are
 * untrusted server strings: validated before use; the data node is verified against the profile's
 * verification name for the data nodes (else the address itself) — never relaxed.
 */
import * as net from 'node:net';
import { formatEndpoint, type ConnectionOptions, type TlsSettings } from '../endpoint/options';
import { RedisConnection, ReplyError, type SendOptions } from './connection';
import type { HandshakeReport } from '../tls/report';
import type { TlsCache } from '../tls/context';
import type { CommandArg } from '../resp/encode';
import { DiagnosedError, type Problem } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';
import { sentinelNodeProblem } from '../diagnosis/topology';

export interface Endpoint {
  host: string;
  port: number;
}

export interface SentinelSettings {
  /** Sentinel addresses, asked in this order. */
  sentinels: Endpoint[];
  /** The monitored service (master) name. */
  service: string;
  /** TLS towards the sentinels. */
  sentinelTls: TlsSettings;
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** Everything about the data nodes except their address (TLS, credentials, db, timeouts). */
  data: Omit<ConnectionOptions, 'host' | 'port'>;
  /** Browse a replica instead of the primary. */
  replica?: boolean;
  connectTimeoutMs?: number;
}

export interface SentinelAnswer {
  /** The sentinel that answered. */
  sentinel: Endpoint;
  /** The node to connect to (the primary, or a replica when asked for one). */
  node: Endpoint;
  role: 'primary' | 'replica';
  /** The primary as the sentinel named it. */
  primary: Endpoint;
  /** Sentinels that could not answer before this one, with why. */
  skipped: Array<{ sentinel: Endpoint; problem: Problem }>;
}

function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

function validEndpoint(host: string, port: number): boolean {
  return (net.isIP(host) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) && Number.isInteger(port) && port > 0 && port < 65536;
}

function pairs(v: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) m.set(text(v[i]), text(v[i + 1]));
  return m;
}

export function endpointText(e: Endpoint): string {
  return formatEndpoint(e.host, e.port);
}

function problemOf(e: unknown, fallback: string): Problem {
  if (e instanceof DiagnosedError) return e.problem;
  if (e instanceof ReplyError)
    return makeProblem('PROTOCOL_ERROR', `${fallback}: the sentinel replied "${e.message.slice(0, 200)}".`, {
      title: 'The sentinel refused the query',
    });
  return makeProblem('PROTOCOL_ERROR', `${fallback}: ${e instanceof Error ? e.message.slice(0, 200) : 'unknown failure'}.`);
}

/** Options for connecting to one sentinel. */
export function sentinelOptions(s: SentinelSettings, at: Endpoint): ConnectionOptions {
  return {
    host: at.host,
    port: at.port,
    tls: s.sentinelTls,
    ...(s.sentinelUsername ? { username: s.sentinelUsername } : {}),
    ...(s.sentinelPassword ? { password: s.sentinelPassword } : {}),
    connectTimeoutMs: s.connectTimeoutMs ?? s.data.connectTimeoutMs ?? 5000,
    commandTimeoutMs: 5000,
  };
}

/** Options for the data node Sentinel named: its address, the data nodes' settings. */
export function dataNodeOptions(s: SentinelSettings, node: Endpoint): ConnectionOptions {
  return { ...s.data, host: node.host, port: node.port };
}

/** Parses `SENTINEL replicas` / `SENTINEL sentinels` entries into healthy endpoints. */
export function healthyEndpoints(reply: unknown): Endpoint[] {
  if (!Array.isArray(reply)) return [];
  const out: Endpoint[] = [];
  for (const entry of reply) {
    const f = pairs(entry);
    const host = f.get('ip') ?? '';
    const port = Number(f.get('port'));
    const flags = (f.get('flags') ?? '').split(',');
    if (flags.some((x) => x === 's_down' || x === 'o_down' || x === 'disconnected')) continue;
    if (Number(f.get('master-link-down-time') ?? 0) > 0 && flags.includes('slave')) continue;
    if (validEndpoint(host, port)) out.push({ host, port });
  }
  return out;
}

/**
 * The current list of sentinels: answering ones move to the front (as the Sentinel client spec asks),
 * sentinels learned from `SENTINEL sentinels` are appended. Shared by every lookup of one session.
 */
export class SentinelDirectory {
  private list: Endpoint[];

  constructor(
    initial: readonly Endpoint[],
    private readonly max = 32,
  ) {
    this.list = initial.filter((e) => validEndpoint(e.host, e.port)).map((e) => ({ ...e }));
  }

  get sentinels(): readonly Endpoint[] {
    return this.list;
  }

  promote(e: Endpoint): void {
    this.list = [e, ...this.list.filter((x) => endpointText(x) !== endpointText(e))];
  }

  learn(found: readonly Endpoint[]): void {
    for (const e of found) {
      if (this.list.length >= this.max) return;
      if (!this.list.some((x) => endpointText(x) === endpointText(e))) this.list.push({ ...e });
    }
  }
}

/**
 * Asks the sentinels in order for the service's primary (and, on request, a healthy replica);
 * learns the other sentinels from the one that answered. Rejects with a DiagnosedError when none can
 * answer: the first sentinel's own failure when they all failed alike, else a summary.
 */
export async function askSentinels(
  s: SentinelSettings,
  directory: SentinelDirectory,
  deps: { tlsCache?: TlsCache } = {},
): Promise<SentinelAnswer> {
  const skipped: SentinelAnswer['skipped'] = [];
  for (const at of [...directory.sentinels]) {
    let conn: RedisConnection | undefined;
    try {
      conn = await RedisConnection.open(sentinelOptions(s, at), deps.tlsCache ? { tlsCache: deps.tlsCache } : {});
      const [addr, others, replicas] = await Promise.all([
        conn.send(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', s.service]),
        conn.send(['SENTINEL', 'SENTINELS', s.service]).catch(() => null),
        s.replica ? conn.send(['SENTINEL', 'REPLICAS', s.service]).catch(() => null) : Promise.resolve(null),
      ]);
      if (!Array.isArray(addr) || addr.length < 2) {
        skipped.push({
          sentinel: at,
          problem: makeProblem('PROTOCOL_ERROR', `Sentinel ${endpointText(at)} does not monitor a service named "${s.service}".`, {
            title: 'Unknown Sentinel service',
            fix: 'Check the service (master) name: it is the name in `sentinel monitor <name> ...`.',
          }),
        });
        continue;
      }
      const primary = { host: text(addr[0]), port: Number(text(addr[1])) };
      if (!validEndpoint(primary.host, primary.port)) {
        skipped.push({
          sentinel: at,
          problem: makeProblem('PROTOCOL_ERROR', `Sentinel ${endpointText(at)} returned an invalid primary address.`, {
            title: 'Invalid Sentinel reply',
          }),
        });
        continue;
      }
      directory.promote(at);
      directory.learn(healthyEndpoints(others));
      if (s.replica) {
        const replica = healthyEndpoints(replicas)[0];
        if (!replica)
          throw new DiagnosedError(
            makeProblem('PROTOCOL_ERROR', `Sentinel ${endpointText(at)} knows no healthy replica of "${s.service}".`, {
              title: 'No replica to browse',
              fix: 'Browse the primary, or wait until a replica is linked again.',
            }),
          );
        return { sentinel: at, node: replica, role: 'replica', primary, skipped };
      }
      return { sentinel: at, node: primary, role: 'primary', primary, skipped };
    } catch (e) {
      if (e instanceof DiagnosedError && e.problem.title === 'No replica to browse') throw e;
      skipped.push({ sentinel: at, problem: problemOf(e, `Sentinel ${endpointText(at)}`) });
    } finally {
      if (conn) void conn.close().catch(() => undefined);
    }
  }
  const first = skipped[0];
  if (!first)
    throw new DiagnosedError(
      makeProblem('PROTOCOL_ERROR', 'The profile lists no sentinels.', {
        title: 'No sentinels',
        fix: 'Add the sentinel addresses (host:port) to the profile.',
        field: 'host',
      }),
    );
  if (skipped.every((x) => x.problem.code === first.problem.code)) {
    const p = first.problem;
    throw new DiagnosedError({
      ...p,
      detail: `No sentinel could answer (${skipped.map((x) => endpointText(x.sentinel)).join(', ')}). ${p.detail}`,
      facts: { ...p.facts, sentinels: skipped.map((x) => ({ address: endpointText(x.sentinel), code: x.problem.code })) },
    });
  }
  throw new DiagnosedError(
    makeProblem(
      first.problem.code,
      `No sentinel could answer: ${skipped.map((x) => `${endpointText(x.sentinel)}: ${x.problem.code} ${x.problem.title}`).join('; ')}.`,
      {
        title: 'No sentinel could name the primary',
        fix: first.problem.fix,
        facts: { sentinels: skipped.map((x) => ({ address: endpointText(x.sentinel), code: x.problem.code })) },
      },
    ),
  );
}

export interface FailoverEvent {
  from: Endpoint;
  to: Endpoint;
  sentinel: Endpoint;
}

/**
 * A session through Sentinel. `send` goes to the current node; after a connection loss (or a
 * READONLY reply: the node was demoted) the sentinels are asked again and the session moves to the
 * node they name. Commands in flight when the connection dropped reject, never replayed; a command
 * refused with READONLY was not executed and is sent once more to the new primary.
 */
export class SentinelSession {
  private conn: RedisConnection | undefined;
  private opening: Promise<RedisConnection> | undefined;
  private closed = false;
  private current: SentinelAnswer | undefined;
  private readonly directory: SentinelDirectory;
  private readonly listeners: Array<(e: FailoverEvent) => void> = [];
  private readonly connectListeners: Array<(conn: RedisConnection) => void> = [];
  /** How many times the session moved to another node. */
  failovers = 0;
  /** The last move, if any. */
  lastFailover: FailoverEvent | undefined;

  constructor(
    readonly settings: SentinelSettings,
    private readonly deps: { tlsCache?: TlsCache; maxWaitMs?: number } = {},
  ) {
    this.directory = new SentinelDirectory(settings.sentinels);
  }

  /** Opens the session now (asks the sentinels, connects to the node). */
  static async open(settings: SentinelSettings, deps: { tlsCache?: TlsCache; maxWaitMs?: number } = {}): Promise<SentinelSession> {
    const s = new SentinelSession(settings, deps);
    await s.connection();
    return s;
  }

  /** The sentinels as currently known (answering first, learned ones appended). */
  get sentinels(): readonly Endpoint[] {
    return this.directory.sentinels;
  }

  /** The last answer: which sentinel answered, the node served, the primary. */
  get answer(): SentinelAnswer | undefined {
    return this.current;
  }

  get report(): HandshakeReport | undefined {
    return this.conn && !this.conn.closed ? this.conn.report : undefined;
  }

  /** The connection last opened (it may have closed since; the next send opens a new one). */
  get lastConnection(): RedisConnection | undefined {
    return this.conn;
  }

  /** One line for people: which node serves and which sentinel named it. */
  describe(): string {
    const a = this.current;
    if (!a) return `Sentinel service "${this.settings.service}"`;
    return `${a.role} ${endpointText(a.node)} of "${this.settings.service}", named by Sentinel ${endpointText(a.sentinel)}`;
  }

  onFailover(listener: (e: FailoverEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Every connection the session opens after the first (a reconnect to the same node, or a move after the failover listeners ran). */
  onConnection(listener: (conn: RedisConnection) => void): void {
    this.connectListeners.push(listener);
  }

  /** The live connection to the node Sentinel names (connecting or re-resolving when needed). */
  connection(): Promise<RedisConnection> {
    if (this.closed)
      return Promise.reject(
        new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The Sentinel session was closed.', { title: 'Client closed' })),
      );
    if (this.conn && !this.conn.closed) return Promise.resolve(this.conn);
    this.opening ??= this.resolveAndOpen().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  async send(args: readonly CommandArg[], opts?: SendOptions): Promise<unknown> {
    const conn = await this.connection();
    try {
      return await conn.send(args, opts);
    } catch (e) {
      if (e instanceof ReplyError && /^READONLY\b/.test(e.message) && !this.settings.replica) {
        // The node was demoted by a failover: this command was not executed.
        conn.destroy();
        return (await this.connection()).send(args, opts);
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    this.conn = undefined;
    if (c) await c.close();
  }

  /**
   * Asks the sentinels, connects to the named node and checks its ROLE. During a failover the
   * sentinels may still name the old primary (or a node not promoted yet): asked again, with backoff,
   * until `maxWaitMs` (default 15 s).
   */
  private async resolveAndOpen(): Promise<RedisConnection> {
    const deadline = Date.now() + (this.deps.maxWaitMs ?? 15_000);
    let delay = 100;
    for (;;) {
      const answer = await askSentinels(this.settings, this.directory, this.deps);
      let conn: RedisConnection;
      try {
        conn = await RedisConnection.open(
          dataNodeOptions(this.settings, answer.node),
          this.deps.tlsCache ? { tlsCache: this.deps.tlsCache } : {},
        );
      } catch (e) {
        const problem =
          e instanceof DiagnosedError ? e.problem : makeProblem('PROTOCOL_ERROR', 'Connecting to the node Sentinel named failed.');
        const transient = ['CONNECTION_REFUSED', 'TIMEOUT', 'PROTOCOL_ERROR'].includes(problem.code);
        if (transient && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 1000);
          continue;
        }
        throw new DiagnosedError(
          sentinelNodeProblem(problem, {
            sentinel: endpointText(answer.sentinel),
            service: this.settings.service,
            host: answer.node.host,
            port: answer.node.port,
            servernameSet: Boolean(this.settings.data.tls.servername),
            role: answer.role,
          }),
          { cause: e },
        );
      }
      const role = await conn.send(['ROLE']).catch(() => null);
      const actual = Array.isArray(role) ? text(role[0]) : '';
      const wanted = answer.role === 'primary' ? 'master' : 'slave';
      if (actual !== wanted && actual !== '' && Date.now() < deadline) {
        // Sentinel's view lags the failover: ask again shortly.
        conn.destroy();
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
        continue;
      }
      if (this.closed) {
        await conn.close();
        throw new DiagnosedError(
          makeProblem('PROTOCOL_ERROR', 'The Sentinel session was closed while connecting.', { title: 'Client closed' }),
        );
      }
      const previous = this.current;
      this.current = answer;
      this.conn = conn;
      if (previous && endpointText(previous.node) !== endpointText(answer.node)) {
        const event: FailoverEvent = { from: previous.node, to: answer.node, sentinel: answer.sentinel };
        this.failovers++;
        this.lastFailover = event;
        for (const l of this.listeners) l(event);
      }
      if (previous) for (const l of this.connectListeners) l(conn);
      return conn;
    }
  }
}
