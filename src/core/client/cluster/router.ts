/**
 * Redis Cluster routing: one RedisClient per master, key commands to the master that owns the key's
 * slot, MOVED/ASK redirects.
 */
import type { ConnectionOptions } from '../../endpoint/options';
import { RedisClient } from '../client';
import type { Commander, SendOptions } from '../commander';
import type { HandshakeReport } from '../../tls/report';
import { tlsProfileKey } from '../../tls/context';
import type { RedisConnection } from '../connection';
import type { CommandArg } from '../../resp/encode';
import { DiagnosedError, type Problem } from '../../diagnosis/problem';
import { makeProblem } from '../../diagnosis/catalogue';
import { clusterNodeProblem } from '../../diagnosis/topology';
import { commandKey, commandWord, keySlot, SLOT_COUNT } from './slots';
import { namedNodeOptions, nodeAddress, sanitizeMasters, validHost, validPort, type ClusterMaster, type ClusterOptions } from './topology';
import { chooseNodeName, type NamedNode, type NodeNameChoice, type NodeNamingSettings } from './naming';
import { readClusterNodes, type ClusterNodeInfo } from './nodes';

/** Commands a replica may answer after READONLY (what browsing sends). */
const REPLICA_READS = new Set([
  'GET',
  'GETRANGE',
  'STRLEN',
  'TYPE',
  'TTL',
  'PTTL',
  'EXISTS',
  'OBJECT',
  'MEMORY',
  'HGETALL',
  'HGET',
  'HMGET',
  'HLEN',
  'HSCAN',
  'HKEYS',
  'LRANGE',
  'LLEN',
  'LINDEX',
  'SMEMBERS',
  'SSCAN',
  'SCARD',
  'SISMEMBER',
  'ZRANGE',
  'ZSCAN',
  'ZCARD',
  'ZSCORE',
  'XRANGE',
  'XREVRANGE',
  'XLEN',
  'XINFO',
  'JSON.GET',
  'JSON.TYPE',
  'DUMP',
]);
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

/** Whether a node's options are the seed's own (ClusterOptions.seedConnection may serve it). */
function sameAsSeed(o: ConnectionOptions, node: ConnectionOptions): boolean {
  return (
    tlsProfileKey(o) === tlsProfileKey(node) &&
    o.tls.enabled === node.tls.enabled &&
    o.username === node.username &&
    o.password === node.password &&
    (o.db ?? 0) === 0 &&
    o.readOnly === node.readOnly
  );
}

/**
 * The primary (with slots, not marked failed) that a router opened with these options and nodes would
 * serve over `seedConnection`, if any: a scan may start on it before the other nodes are connected.
 */
export function seedPrimary(
  seed: RedisConnection,
  options: ConnectionOptions,
  clusterOptions: ClusterOptions,
  described: readonly ClusterNodeInfo[],
): ClusterNodeInfo | undefined {
  const naming = { ...clusterOptions.naming, map: { ...clusterOptions.nameMap, ...clusterOptions.naming?.map } };
  return described.find(
    (n) =>
      n.role === 'primary' &&
      n.health !== 'fail' &&
      n.slots.length > 0 &&
      sameAsSeed(seed.connectionOptions, namedNodeOptions(options, n, naming).options),
  );
}

/** One node of the cluster as the session sees it: what the cluster said, the name chosen, and the outcome. */
export interface ClusterNodeStatus {
  info: ClusterNodeInfo;
  address: string;
  /** For a replica: its primary's address. */
  primaryAddress?: string;
  choice: NodeNameChoice;
  ok: boolean;
  /** Why the node could not be connected or verified (it is then not used). */
  problem?: Problem;
  report?: HandshakeReport;
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
  /** For slots whose primary failed: that node's address (its diagnosis is in `statuses`). */
  private readonly slotFailure: Array<string | undefined> = new Array<string | undefined>(SLOT_COUNT);
  private readonly clients = new Map<string, RedisClient>();
  private readonly choices = new Map<string, NodeNameChoice>();
  private mastersList: ClusterMaster[] = [];
  private statuses: ClusterNodeStatus[] = [];
  private refreshing: Promise<void> | undefined;
  private closed = false;
  private seedAdopted = false;
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
  static async open(
    seed: Commander,
    options: ConnectionOptions,
    clusterOptions: ClusterOptions = {},
    /** The nodes, when the caller already read them through `seed` (readClusterIfEnabled). */
    described?: ClusterNodeInfo[],
  ): Promise<ClusterRouter> {
    const router = new ClusterRouter(seed, options, clusterOptions);
    try {
      await router.loadTopology(described);
    } catch (e) {
      await router.close();
      throw e;
    }
    return router;
  }

  /** Every node (each primary in slot order, followed by its replicas) with its verification outcome. */
  get nodeStatuses(): readonly ClusterNodeStatus[] {
    return this.statuses.map((s) => {
      const report = s.ok ? this.clients.get(s.address)?.report : undefined;
      return report ? { ...s, report } : s;
    });
  }

  /** The masters in slot order (those connected and verified). */
  get masters(): readonly ClusterMaster[] {
    return this.mastersList;
  }

  /** One handle per master, in slot order. */
  get nodes(): ClusterNodeHandle[] {
    return this.mastersList.map((m) => {
      const client = this.clientFor(m.host, m.port);
      return {
        master: m,
        client,
        get report() {
          return client.report;
        },
      };
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
    const failed = c ? undefined : this.slotProblem(slot);
    if (failed) throw new DiagnosedError(failed);
    if (!c) {
      throw new DiagnosedError(
        makeProblem('PROTOCOL_ERROR', `No master serves hash slot ${slot} (the cluster is not fully covered).`, {
          title: 'Cluster slot not served',
        }),
      );
    }
    return c;
  }

  private clientFor(host: string, port: number, node?: NamedNode): RedisClient {
    const addr = nodeAddress(host, port);
    let c = this.clients.get(addr);
    if (!c) {
      const { options, choice } = namedNodeOptions(this.options, node ?? { id: '', host, port }, this.naming);
      const adopted = this.adoptSeed(options);
      c = new RedisClient(options, {
        ...(this.clusterOptions.tlsCache ? { tlsCache: this.clusterOptions.tlsCache } : {}),
        ...(adopted ? { connection: adopted } : {}),
      });
      this.clients.set(addr, c);
      this.choices.set(addr, choice);
    }
    return c;
  }

  /**
   * The seed connection, once, for the node whose options are the seed's own: same address, same
   * verification name and TLS settings (tlsProfileKey covers host, port, SNI, CA, identity, verify
   * mode and pin), same credentials. Anything else gets its own handshake.
   */
  private adoptSeed(node: ConnectionOptions): RedisConnection | undefined {
    const seed = this.clusterOptions.seedConnection;
    if (!seed || this.seedAdopted || seed.closed || !sameAsSeed(seed.connectionOptions, node)) return undefined;
    this.seedAdopted = true;
    return seed;
  }

  private get naming(): NodeNamingSettings {
    return { ...this.clusterOptions.naming, map: { ...this.clusterOptions.nameMap, ...this.clusterOptions.naming?.map } };
  }

  private async loadTopology(prefetched?: ClusterNodeInfo[]): Promise<void> {
    const described = prefetched ?? (await readClusterNodes(this.seed, this.options.tls.enabled, this.options.host));
    // Nodes the cluster itself marks failed are not used; they are still listed, failed, saying so.
    const all = described.filter((n) => n.health !== 'fail');
    const markedFailed = described.filter((n) => n.health === 'fail');
    const masters = sanitizeMasters(
      all.filter((n) => n.role === 'primary').map((n) => ({ id: n.id, host: n.host, port: n.port, slots: n.slots })),
    );
    if (masters.length === 0)
      throw new DiagnosedError(
        makeProblem('PROTOCOL_ERROR', 'The cluster reported no masters with slots.', { title: 'Empty cluster topology' }),
      );
    const infoOf = (m: ClusterMaster): ClusterNodeInfo =>
      all.find((n) => n.id === m.id && n.port === m.port) ?? { ...m, role: 'primary', health: 'unknown' };
    const replicas = this.clusterOptions.primariesOnly
      ? []
      : all.filter((n) => n.role === 'replica' && masters.some((m) => m.id === n.primaryId));
    // Display order: each primary (slot order) followed by its replicas.
    const nodes = masters.flatMap((m) => [infoOf(m), ...replicas.filter((n) => n.primaryId === m.id)]);
    // Connect (and verify) every node now, each on its own: a node that fails is shown with its own
    // diagnosis, the others stay usable.
    const outcomes = await Promise.allSettled(nodes.map((n) => this.clientFor(n.host, n.port, n).connect()));
    const addressOfId = new Map(masters.map((m) => [m.id, nodeAddress(m.host, m.port)]));
    const statuses = nodes.map((info, i): ClusterNodeStatus => {
      const address = nodeAddress(info.host, info.port);
      const choice = this.choices.get(address) ?? {
        naming: this.clusterOptions.naming?.naming ?? 'seed',
        verifiedName: this.options.tls.servername ?? this.options.host,
        mapped: false,
      };
      const primaryAddress = info.primaryId ? addressOfId.get(info.primaryId) : undefined;
      const base = { info, address, ...(primaryAddress ? { primaryAddress } : {}), choice };
      const outcome = outcomes[i] as PromiseSettledResult<unknown>;
      if (outcome.status === 'fulfilled') return { ...base, ok: true };
      const reason: unknown = outcome.reason;
      const problem = reason instanceof DiagnosedError ? reason.problem : makeProblem('PROTOCOL_ERROR', `Connecting to ${address} failed.`);
      return {
        ...base,
        ok: false,
        problem: clusterNodeProblem(
          problem,
          {
            address,
            role: info.role,
            ...(primaryAddress ? { primaryAddress } : {}),
            ...(info.hostname ? { announcedName: info.hostname } : {}),
          },
          choice,
        ),
      };
    });
    for (const info of this.clusterOptions.primariesOnly ? markedFailed.filter((n) => n.role === 'primary') : markedFailed) {
      const address = nodeAddress(info.host, info.port);
      const primaryAddress = info.primaryId ? addressOfId.get(info.primaryId) : undefined;
      const choice = chooseNodeName(info, this.naming, this.options.tls.servername ?? this.options.host);
      const problem = clusterNodeProblem(
        makeProblem(
          'TIMEOUT',
          'the cluster marks it failed (the other nodes got no answer from it within cluster-node-timeout); it is not used.',
          {
            title: 'Marked failed by the cluster',
            fix: 'Check that the node is running and reachable from the other nodes; once it answers again, the cluster clears the flag and Refresh connects it.',
          },
        ),
        {
          address,
          role: info.role,
          ...(primaryAddress ? { primaryAddress } : {}),
          ...(info.hostname ? { announcedName: info.hostname } : {}),
        },
        choice,
      );
      const status: ClusterNodeStatus = { info, address, ...(primaryAddress ? { primaryAddress } : {}), choice, ok: false, problem };
      // Under its primary (after that primary's other replicas), else at the end.
      let at = statuses.length;
      if (primaryAddress) {
        const last = statuses.map((x) => x.address === primaryAddress || x.primaryAddress === primaryAddress).lastIndexOf(true);
        if (last >= 0) at = last + 1;
      }
      statuses.splice(at, 0, status);
    }
    const statusOf = (m: ClusterMaster): ClusterNodeStatus | undefined => statuses.find((x) => x.address === nodeAddress(m.host, m.port));
    const okMasters = masters.filter((m) => statusOf(m)?.ok);
    if (okMasters.length === 0) {
      const first = statuses.find((x) => x.problem)?.problem;
      throw new DiagnosedError(first ?? makeProblem('PROTOCOL_ERROR', 'No cluster primary could be connected.'));
    }
    this.slotOwner.fill(undefined);
    this.slotFailure.fill(undefined);
    masters.forEach((m) => {
      const ok = statusOf(m)?.ok === true;
      const client = ok ? this.clientFor(m.host, m.port) : undefined;
      const addr = nodeAddress(m.host, m.port);
      // Array#fill per range: a slot-by-slot loop runs 16,384 times in the interpreter, once per read.
      for (const [a, b] of m.slots) {
        this.slotOwner.fill(client, a, b + 1);
        this.slotFailure.fill(ok ? undefined : addr, a, b + 1);
      }
    });
    this.statuses = statuses;
    const live = new Set(statuses.filter((s) => s.ok).map((s) => s.address));
    for (const [addr, c] of this.clients) {
      if (!live.has(addr)) {
        this.clients.delete(addr);
        this.choices.delete(addr);
        void c.close();
      }
    }
    this.mastersList = okMasters;
  }

  /** The diagnosis of the failed primary serving a slot, if it failed. */
  private slotProblem(slot: number): Problem | undefined {
    const addr = this.slotFailure[slot];
    return addr ? this.statuses.find((s) => s.address === addr)?.problem : undefined;
  }

  /** A connected replica of the primary serving a slot (for READONLY reads). */
  private replicaFor(slot: number): RedisClient | undefined {
    const owner = this.slotOwner[slot];
    const primary = this.statuses.find((s) => s.ok && s.info.role === 'primary' && this.clients.get(s.address) === owner);
    const replica = primary && this.statuses.find((s) => s.ok && s.info.role === 'replica' && s.primaryAddress === primary.address);
    return replica ? this.clients.get(replica.address) : undefined;
  }

  /** Re-reads the topology (once at a time). */
  refresh(): Promise<void> {
    this.refreshes++;
    this.refreshing ??= this.loadTopology().finally(() => {
      this.refreshing = undefined;
    });
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
    const slot = key === undefined ? -1 : keySlot(keyBytes(key));
    if (slot >= 0 && !this.slotOwner[slot] && this.slotProblem(slot)) {
      // The primary serving this slot failed: the topology may have changed since (failover, fixed node).
      await this.refresh().catch(() => undefined);
    }
    const target = slot < 0 ? (first ? this.clientFor(first.host, first.port) : undefined) : this.ownerOf(slot);
    if (!target)
      throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster has no masters.', { title: 'Empty cluster topology' }));
    const replica = slot >= 0 && this.clusterOptions.readFromReplicas && REPLICA_READS.has(name) ? this.replicaFor(slot) : undefined;
    if (replica) {
      // READONLY is per connection and a reconnect forgets it: send it with every read (pipelined).
      const [, reply] = await Promise.all([replica.send(['READONLY'], opts), replica.send(args, opts)]);
      return reply;
    }
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
    const known = this.statuses.find((s) => s.address === addr);
    if (known?.problem) throw new DiagnosedError(known.problem);
    const named = validHost(host) && validPort(port) ? ` to ${addr}` : ' to an invalid address';
    throw new DiagnosedError(
      makeProblem(
        'PROTOCOL_ERROR',
        `The cluster redirected a command${named}, a node its topology (CLUSTER SHARDS / SLOTS) does not list; the command was not sent there.`,
        { title: 'Cluster redirect to an unknown node' },
      ),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
