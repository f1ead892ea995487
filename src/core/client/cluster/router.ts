/**
 * Redis Cluster routing: one RedisClient per master, key commands to the master that owns the key's
 * slot, MOVED/ASK redirects.
 */
import type { ConnectionOptions } from '../../endpoint/options';
import { RedisClient } from '../client';
import type { Commander, SendOptions } from '../commander';
import type { HandshakeReport } from '../../tls/report';
import type { CommandArg } from '../../resp/encode';
import { DiagnosedError } from '../../diagnosis/problem';
import { makeProblem } from '../../diagnosis/catalogue';
import { commandKey, commandWord, keySlot, SLOT_COUNT } from './slots';
import { nodeAddress, nodeOptions, readTopology, validHost, validPort, type ClusterMaster, type ClusterOptions } from './topology';

/** Multi-key commands that may be split per key, summing the integer replies. */
const SPLITTABLE = new Set(['DEL', 'UNLINK', 'EXISTS', 'TOUCH']);


function keyBytes(k: CommandArg): Buffer {
  return Buffer.isBuffer(k) ? k : Buffer.from(String(k), 'utf8');
}

/** `MOVED 3999 127.0.0.1:6381` / `ASK 3999 127.0.0.1:6381` -> its parts. */
export function parseRedirect(err: unknown): { kind: 'MOVED' | 'ASK'; slot: number; host: string; port: number } | undefined {
  if (!(err instanceof Error)) return undefined;
  const m = /^(MOVED|ASK) (\d+) (\S*):(\d+)$/.exec(err.message.trim());
  if (!m) return undefined;
  let host = m[3] as string;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { kind: m[1] as 'MOVED' | 'ASK', slot: Number(m[2]), host, port: Number(m[4]) };
}

export interface ClusterNodeHandle {
  readonly master: ClusterMaster;
  readonly client: RedisClient;
  /** The handshake report of the node's connection (after connect). */
  readonly report: HandshakeReport | undefined;
}

/**
 * A cluster session: one RedisClient per master (verified with the per-node name), slot routing for
 * key commands, MOVED/ASK handled by one topology refresh. Implements the key browser's Commander.
 */
export class ClusterRouter {
  private readonly slotOwner: Array<RedisClient | undefined> = new Array<RedisClient | undefined>(SLOT_COUNT);
  private readonly clients = new Map<string, RedisClient>();
  private mastersList: ClusterMaster[] = [];
  private refreshing: Promise<void> | undefined;
  private closed = false;
  /** Topology reads after the first one (MOVED, ASK to an unknown node). */
  refreshes = 0;

  private constructor(
    private readonly seed: Commander,
    readonly options: ConnectionOptions,
    private readonly clusterOptions: ClusterOptions,
  ) {}

  /**
   * Reads the topology through `seed` (an open connection to any node) and connects to every master.
   * Rejects with the first node's DiagnosedError when a node cannot be reached or verified.
   */
  static async open(seed: Commander, options: ConnectionOptions, clusterOptions: ClusterOptions = {}): Promise<ClusterRouter> {
    const router = new ClusterRouter(seed, options, clusterOptions);
    try {
      await router.loadTopology();
    } catch (e) {
      await router.close();
      throw e;
    }
    return router;
  }

  /** The masters in slot order. */
  get masters(): readonly ClusterMaster[] {
    return this.mastersList;
  }

  /** One handle per master, in slot order. */
  get nodes(): ClusterNodeHandle[] {
    return this.mastersList.map((m) => {
      const client = this.clientFor(m.host, m.port);
      return { master: m, client, get report() { return client.report; } };
    });
  }

  /** The master clients, in slot order (each answers SCAN for its own keys). */
  get scanTargets(): RedisClient[] {
    return this.mastersList.map((m) => this.clientFor(m.host, m.port));
  }

  /** The client of the master that owns a key's slot (per the last topology read). */
  clientForKey(key: Buffer | string): RedisClient {
    return this.ownerOf(keySlot(key));
  }

  private ownerOf(slot: number): RedisClient {
    const c = this.slotOwner[slot];
    if (!c) {
      throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', `No master serves hash slot ${slot} (the cluster is not fully covered).`, { title: 'Cluster slot not served' }));
    }
    return c;
  }

  private clientFor(host: string, port: number): RedisClient {
    const addr = nodeAddress(host, port);
    let c = this.clients.get(addr);
    if (!c) {
      c = new RedisClient(nodeOptions(this.options, host, port, this.clusterOptions.nameMap), this.clusterOptions.tlsCache ? { tlsCache: this.clusterOptions.tlsCache } : {});
      this.clients.set(addr, c);
    }
    return c;
  }

  private async loadTopology(): Promise<void> {
    const masters = await readTopology(this.seed, this.options);
    if (masters.length === 0) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster reported no masters with slots.', { title: 'Empty cluster topology' }));
    const clients = masters.map((m) => this.clientFor(m.host, m.port));
    // Connect (and verify) every master now: a certificate problem on any node shows up at open.
    await Promise.all(clients.map((c) => c.connect()));
    this.slotOwner.fill(undefined);
    masters.forEach((m, i) => {
      for (const [a, b] of m.slots) for (let s = a; s <= b; s++) this.slotOwner[s] = clients[i];
    });
    const live = new Set(masters.map((m) => nodeAddress(m.host, m.port)));
    for (const [addr, c] of this.clients) {
      if (!live.has(addr)) {
        this.clients.delete(addr);
        void c.close();
      }
    }
    this.mastersList = masters;
  }

  /** Re-reads the topology (once at a time). */
  refresh(): Promise<void> {
    this.refreshes++;
    this.refreshing ??= this.loadTopology().finally(() => { this.refreshing = undefined; });
    return this.refreshing;
  }

  /** Routes a command: key commands to the slot owner, keyless ones to the first master. */
  async send(args: readonly CommandArg[], opts?: SendOptions): Promise<unknown> {
    if (this.closed) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster session was closed.', { title: 'Client closed' }));
    const name = commandWord(args[0]);
    if (SPLITTABLE.has(name) && args.length > 2) {
      const replies = await Promise.all(args.slice(1).map((k) => this.send([args[0] as CommandArg, k], opts)));
      return replies.reduce<number>((sum, r) => sum + (typeof r === 'number' ? r : 0), 0);
    }
    const key = commandKey(args);
    const first = this.mastersList[0];
    const target = key === undefined ? (first ? this.clientFor(first.host, first.port) : undefined) : this.ownerOf(keySlot(keyBytes(key)));
    if (!target) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster has no masters.', { title: 'Empty cluster topology' }));
    try {
      return await target.send(args, opts);
    } catch (e) {
      const redirect = parseRedirect(e);
      if (!redirect) throw e;
      const host = redirect.host || this.options.host;
      if (redirect.kind === 'ASK') {
        // The slot is migrating: this one command goes to the importing node, preceded by ASKING.
        const node = await this.topologyClient(host, redirect.port);
        const [, reply] = await Promise.all([node.send(['ASKING'], opts), node.send(args, opts)]);
        return reply;
      }
      // The slot moved: re-read the topology for the next commands; this one goes where the server said
      // (the node answering CLUSTER SHARDS may not have heard of the move yet), if the topology names it.
      await this.refresh();
      return (await this.topologyClient(host, redirect.port, false)).send(args, opts);
    }
  }

  /** Keys in the whole cluster: DBSIZE of every master, summed. */
  async keyCount(): Promise<number> {
    const sizes = await Promise.all(this.scanTargets.map((c) => c.send(['DBSIZE'])));
    return sizes.reduce<number>((sum, r) => sum + (typeof r === 'number' ? r : 0), 0);
  }

  /**
   * The client of a node named in a redirect. Server strings are untrusted: a redirect may only lead to
   * a master of the current topology (re-read once when it names another node), so no connection, and
   * no AUTH, ever goes to an address the topology did not name.
   */
  private async topologyClient(host: string, port: number, mayRefresh = true): Promise<RedisClient> {
    const addr = nodeAddress(host, port);
    let c = this.clients.get(addr);
    if (!c && mayRefresh) {
      await this.refresh();
      c = this.clients.get(addr);
    }
    if (c) return c;
    const named = validHost(host) && validPort(port) ? ` to ${addr}` : ' to an invalid address';
    throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', `The cluster redirected a command${named}, a node its topology (CLUSTER SHARDS / SLOTS) does not list; the command was not sent there.`, { title: 'Cluster redirect to an unknown node' }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
