/**
 * Redis Cluster over verified TLS: detect cluster mode, read the topology, open one connection per
 * master and route key commands to the master that owns the key's slot.
 *
 * Per-node name mapping: cluster nodes announce IP addresses (CLUSTER SHARDS / CLUSTER SLOTS), which
 * managed services' certificates usually do not name. Each node is CONNECTED at its announced address
 * but VERIFIED (SNI + host-name check) against the name the user configured: `tls.servername`, else the
 * profile host — or an explicit per-node name from `nameMap` ('ip:port' -> name). Verification stays
 * exactly as strict as for the seed connection (same CA set, client identity, verify mode, pin).
 */
import * as net from 'node:net';
import type { ConnectionOptions } from './options';
import { formatEndpoint } from './url';
import { RedisClient } from './client';
import type { HandshakeReport } from '../tls/report';
import type { TlsCache } from '../tls/context';
import type { CommandArg } from '../resp/encode';
import { DiagnosedError } from '../diagnosis/problem';
import { makeProblem } from '../diagnosis/catalogue';

/** The minimal command interface the cluster code needs from a seed connection (RedisConnection, RedisClient, ...). */
export interface ClusterCommander {
  send(args: Array<string | Buffer | number>, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
}

export const SLOT_COUNT = 16384;

// ---------------------------------------------------------------------------------------------
// Key slots (CRC16/XMODEM, as in the Redis Cluster spec), with {hashtag} rules.

const CRC16_TABLE = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

export function crc16(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (data[i] as number)) & 0xff] as number);
  return crc;
}

/**
 * The hash slot of a key. If the key contains `{...}` with at least one byte between the FIRST `{`
 * and the first `}` after it, only those bytes are hashed.
 */
export function keySlot(key: Buffer | string): number {
  const k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = k.indexOf(0x7b);
  if (open >= 0) {
    const close = k.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(k, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(k) & (SLOT_COUNT - 1);
}

// ---------------------------------------------------------------------------------------------
// Topology

export interface ClusterMaster {
  /** Node id, when the server told it. */
  id: string;
  /** Announced address (usually an IP). */
  host: string;
  /** The port to connect to: the TLS port when the profile uses TLS. */
  port: number;
  /** Inclusive slot ranges. */
  slots: Array<[number, number]>;
}

export interface ClusterOptions {
  /** Per-node verification names: 'ip:port' (or '[v6]:port') -> the name the node's certificate carries. */
  nameMap?: Readonly<Record<string, string>>;
  tlsCache?: TlsCache;
}

function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(text(v));
  return Number.isFinite(n) ? n : NaN;
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p > 0 && p < 65536;
}

/** Server-supplied host strings are untrusted: accept IP literals and plain host names only. */
function validHost(h: string): boolean {
  return net.isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(h);
}

/** Whether the server runs in cluster mode (`INFO cluster` says `cluster_enabled:1`). */
export async function isClusterEnabled(seed: ClusterCommander): Promise<boolean> {
  try {
    return /(^|\n)cluster_enabled:1\b/.test(text(await seed.send(['INFO', 'cluster'])));
  } catch {
    return false;
  }
}

/** Parses a RESP2 CLUSTER SHARDS reply into masters (only nodes with role master and health online/unknown). */
export function parseClusterShards(reply: unknown, useTls: boolean, seedHost: string): ClusterMaster[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SHARDS: expected an array');
  const out: ClusterMaster[] = [];
  for (const shard of reply) {
    if (!Array.isArray(shard)) continue;
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < shard.length; i += 2) fields.set(text(shard[i]), shard[i + 1]);
    const rawSlots = fields.get('slots');
    const slots: Array<[number, number]> = [];
    if (Array.isArray(rawSlots)) for (let i = 0; i + 1 < rawSlots.length; i += 2) slots.push([num(rawSlots[i]), num(rawSlots[i + 1])]);
    const nodes = fields.get('nodes');
    if (!Array.isArray(nodes) || slots.length === 0) continue;
    for (const node of nodes) {
      if (!Array.isArray(node)) continue;
      const f = new Map<string, unknown>();
      for (let i = 0; i + 1 < node.length; i += 2) f.set(text(node[i]), node[i + 1]);
      if (text(f.get('role')) !== 'master' || text(f.get('health')) === 'fail') continue;
      const tlsPort = num(f.get('tls-port'));
      const port = useTls && validPort(tlsPort) ? tlsPort : num(f.get('port'));
      const endpoint = text(f.get('endpoint'));
      const ip = text(f.get('ip'));
      const host = endpoint && endpoint !== '?' ? endpoint : ip && ip !== '?' ? ip : seedHost;
      out.push({ id: text(f.get('id')), host, port, slots });
    }
  }
  return out;
}

/** Parses a CLUSTER SLOTS reply (the TLS port is the one reported when tls-cluster is yes). */
export function parseClusterSlots(reply: unknown, seedHost: string): ClusterMaster[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS: expected an array');
  const byAddr = new Map<string, ClusterMaster>();
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3 || !Array.isArray(range[2])) continue;
    const master = range[2] as unknown[];
    const announced = text(master[0]);
    const host = announced && announced !== '?' ? announced : seedHost;
    const port = num(master[1]);
    const id = text(master[2]);
    const addr = `${host}:${port}`;
    let m = byAddr.get(addr);
    if (!m) byAddr.set(addr, (m = { id, host, port, slots: [] }));
    m.slots.push([num(range[0]), num(range[1])]);
  }
  return [...byAddr.values()];
}

/** Reads the masters: CLUSTER SHARDS (Redis 7+), else CLUSTER SLOTS. Invalid entries are dropped. */
export async function readTopology(seed: ClusterCommander, base: ConnectionOptions): Promise<ClusterMaster[]> {
  let masters: ClusterMaster[];
  try {
    masters = parseClusterShards(await seed.send(['CLUSTER', 'SHARDS']), base.tls.enabled, base.host);
  } catch (e) {
    if (e instanceof DiagnosedError) throw e;
    masters = parseClusterSlots(await seed.send(['CLUSTER', 'SLOTS']), base.host);
  }
  return sanitizeMasters(masters);
}

/** Server-supplied topology is untrusted: drops bad hosts, ports and slot ranges; sorts by first slot. */
export function sanitizeMasters(masters: ClusterMaster[]): ClusterMaster[] {
  const valid = masters
    .filter((m) => validHost(m.host) && validPort(m.port))
    .map((m) => ({ ...m, slots: m.slots.filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b < SLOT_COUNT && a <= b) }))
    .filter((m) => m.slots.length > 0);
  return valid.sort((a, b) => (a.slots[0]?.[0] ?? SLOT_COUNT) - (b.slots[0]?.[0] ?? SLOT_COUNT));
}

export function nodeAddress(host: string, port: number): string {
  return formatEndpoint(host, port);
}

/**
 * The options for one node: connect to its announced address, verify against the configured name
 * (nameMap entry, else tls.servername, else the profile host). Everything else (CA set, client identity,
 * verify mode, pin, credentials, timeouts) is the profile's. Verification is never relaxed here.
 */
export function nodeOptions(base: ConnectionOptions, host: string, port: number, nameMap?: Readonly<Record<string, string>>): ConnectionOptions {
  const mapped = nameMap?.[nodeAddress(host, port)];
  const name = mapped ?? base.tls.servername ?? base.host;
  const tlsSettings = { ...base.tls };
  // For an IP name equal to the node's own address, leave SNI unset (RFC 6066): Node verifies against the host.
  if (base.tls.enabled && !(net.isIP(name) !== 0 && name === host)) tlsSettings.servername = name;
  else delete tlsSettings.servername;
  return { ...base, host, port, tls: tlsSettings, db: 0 };
}

// ---------------------------------------------------------------------------------------------
// Routing

/** Commands whose key is the third word (`OBJECT ENCODING key`, `MEMORY USAGE key`, `XINFO STREAM key`). */
const SUBCOMMAND_KEY = new Set(['OBJECT', 'MEMORY', 'XINFO']);
/** Commands without a key: any master answers (the first one). */
const KEYLESS = new Set(['PING', 'INFO', 'SCAN', 'DBSIZE', 'MODULE', 'COMMAND', 'CLUSTER', 'ECHO', 'TIME', 'CLIENT', 'HELLO', 'ACL', 'CONFIG', 'LATENCY', 'SLOWLOG', 'SELECT', 'QUIT']);
/** Multi-key commands that may be split per key, summing the integer replies. */
const SPLITTABLE = new Set(['DEL', 'UNLINK', 'EXISTS', 'TOUCH']);

function word(arg: CommandArg | undefined): string {
  if (arg === undefined) return '';
  return (Buffer.isBuffer(arg) ? arg.toString('latin1') : String(arg)).toUpperCase();
}

/** The routing key of a command, or undefined for keyless commands. */
export function commandKey(args: readonly CommandArg[]): CommandArg | undefined {
  const name = word(args[0]);
  if (KEYLESS.has(name)) return undefined;
  if (SUBCOMMAND_KEY.has(name)) return args[2];
  return args[1];
}

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
    private readonly seed: ClusterCommander,
    readonly options: ConnectionOptions,
    private readonly clusterOptions: ClusterOptions,
  ) {}

  /**
   * Reads the topology through `seed` (an open connection to any node) and connects to every master.
   * Rejects with the first node's DiagnosedError when a node cannot be reached or verified.
   */
  static async open(seed: ClusterCommander, options: ConnectionOptions, clusterOptions: ClusterOptions = {}): Promise<ClusterRouter> {
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
  async send(args: Array<string | Buffer | number>, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown> {
    if (this.closed) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster session was closed.', { title: 'Client closed' }));
    const name = word(args[0]);
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
      const node = this.knownClient(redirect.host || this.options.host, redirect.port);
      if (redirect.kind === 'ASK') {
        // The slot is migrating: this one command goes to the importing node, preceded by ASKING.
        const [, reply] = await Promise.all([node.send(['ASKING'], opts), node.send(args, opts)]);
        return reply;
      }
      // The slot moved: re-read the topology for the next commands; this one goes where the server said
      // (the node answering CLUSTER SHARDS may not have heard of the move yet).
      await this.refresh();
      return node.send(args, opts);
    }
  }

  /** Keys in the whole cluster: DBSIZE of every master, summed. */
  async keyCount(): Promise<number> {
    const sizes = await Promise.all(this.scanTargets.map((c) => c.send(['DBSIZE'])));
    return sizes.reduce<number>((sum, r) => sum + (typeof r === 'number' ? r : 0), 0);
  }

  /** A client for a node named in a redirect: only nodes of the current topology (server strings are untrusted). */
  private knownClient(host: string, port: number): RedisClient {
    const c = this.clients.get(nodeAddress(host, port));
    if (c) return c;
    if (!validHost(host) || !validPort(port)) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'The cluster redirected to an invalid address.', { title: 'Invalid cluster redirect' }));
    return this.clientFor(host, port);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}
