/**
 * Every node of a cluster (primaries and their replicas) as the cluster describes itself:
 * CLUSTER SHARDS (Redis 7: announced host names, health) else CLUSTER SLOTS. Server strings are
 * untrusted: bad hosts, ports and slot ranges are dropped, names are length-capped.
 */
import { formatEndpoint } from '../../endpoint/options';
import type { Commander } from '../commander';
import { DiagnosedError } from '../../diagnosis/problem';
import { isClusterEnabled, num, text, validHost, validPort } from './topology';

export interface ClusterNodeInfo {
  id: string;
  /** Announced address (usually an IP). */
  host: string;
  /** The port to connect to (the TLS port for TLS profiles). */
  port: number;
  role: 'primary' | 'replica';
  /** For a replica: its primary's id. */
  primaryId?: string;
  /** Announced host name (cluster-announce-hostname), if any. */
  hostname?: string;
  /** Inclusive slot ranges served by the node's shard (replicas: their primary's). */
  slots: Array<[number, number]>;
  /** 'online' | 'failed' | 'loading' | 'unknown' */
  health: string;
}

const SLOT_COUNT = 16384;

function fieldsOf(v: unknown): Map<string, unknown> {
  const f = new Map<string, unknown>();
  if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) f.set(text(v[i]), v[i + 1]);
  return f;
}

function validRange([a, b]: [number, number]): boolean {
  return Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b < SLOT_COUNT && a <= b;
}

export function nodeAddressOf(n: { host: string; port: number }): string {
  return formatEndpoint(n.host, n.port);
}

/** CLUSTER SHARDS (RESP2) -> nodes, primaries before their replicas. */
export function parseShardNodes(reply: unknown, useTls: boolean, seedHost: string): ClusterNodeInfo[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SHARDS: expected an array');
  const out: ClusterNodeInfo[] = [];
  for (const shard of reply) {
    const f = fieldsOf(shard);
    const raw = f.get('slots');
    const slots: Array<[number, number]> = [];
    if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) slots.push([num(raw[i]), num(raw[i + 1])]);
    const nodes = f.get('nodes');
    if (!Array.isArray(nodes)) continue;
    const parsed = nodes.map((n) => {
      const g = fieldsOf(n);
      const tlsPort = num(g.get('tls-port'));
      const port = useTls && validPort(tlsPort) ? tlsPort : num(g.get('port'));
      const endpoint = text(g.get('endpoint'));
      const ip = text(g.get('ip'));
      const host = endpoint && endpoint !== '?' ? endpoint : ip && ip !== '?' ? ip : seedHost;
      const hostname = text(g.get('hostname')).slice(0, 253);
      const info: ClusterNodeInfo = {
        id: text(g.get('id')).slice(0, 40),
        host,
        port,
        role: text(g.get('role')) === 'master' ? 'primary' : 'replica',
        slots: slots.filter(validRange),
        health: text(g.get('health')).slice(0, 16) || 'unknown',
      };
      if (hostname && validHost(hostname)) info.hostname = hostname;
      return info;
    });
    const primary = parsed.find((n) => n.role === 'primary' && n.health !== 'fail');
    for (const n of parsed) if (n.role === 'replica' && primary) n.primaryId = primary.id;
    out.push(...parsed.filter((n) => n.role === 'primary'), ...parsed.filter((n) => n.role === 'replica'));
  }
  return out.filter((n) => validHost(n.host) && validPort(n.port));
}

/** CLUSTER SLOTS -> nodes (entry 2 is the primary, further entries its replicas). */
export function parseSlotsNodes(reply: unknown, seedHost: string): ClusterNodeInfo[] {
  if (!Array.isArray(reply)) throw new Error('CLUSTER SLOTS: expected an array');
  const byAddr = new Map<string, ClusterNodeInfo>();
  for (const range of reply) {
    if (!Array.isArray(range) || range.length < 3) continue;
    const r: [number, number] = [num(range[0]), num(range[1])];
    let primaryId: string | undefined;
    for (let i = 2; i < range.length; i++) {
      const n = range[i];
      if (!Array.isArray(n)) continue;
      const announced = text(n[0]);
      const host = announced && announced !== '?' ? announced : seedHost;
      const port = num(n[1]);
      const id = text(n[2]).slice(0, 40);
      const addr = formatEndpoint(host, port);
      let node = byAddr.get(addr);
      if (!node) {
        node = { id, host, port, role: i === 2 ? 'primary' : 'replica', slots: [], health: 'unknown' };
        const meta = fieldsOf(n[3]);
        const hostname = text(meta.get('hostname')).slice(0, 253);
        if (hostname && validHost(hostname)) node.hostname = hostname;
        byAddr.set(addr, node);
      }
      if (validRange(r)) node.slots.push(r);
      if (i === 2) primaryId = id;
      else if (primaryId) node.primaryId = primaryId;
    }
  }
  const all = [...byAddr.values()].filter((n) => validHost(n.host) && validPort(n.port));
  return [...all.filter((n) => n.role === 'primary'), ...all.filter((n) => n.role === 'replica')];
}

/** Primaries in slot order, each followed by its replicas (for display). */
export function orderForDisplay(nodes: readonly ClusterNodeInfo[]): ClusterNodeInfo[] {
  const primaries = nodes
    .filter((n) => n.role === 'primary')
    .sort((a, b) => (a.slots[0]?.[0] ?? SLOT_COUNT) - (b.slots[0]?.[0] ?? SLOT_COUNT));
  const out: ClusterNodeInfo[] = [];
  for (const p of primaries) out.push(p, ...nodes.filter((n) => n.role === 'replica' && n.primaryId === p.id));
  out.push(...nodes.filter((n) => n.role === 'replica' && !primaries.some((p) => p.id === n.primaryId)));
  return out;
}

/** `0-5460, 10923-11000` */
export function formatSlotRanges(slots: ReadonlyArray<[number, number]>): string {
  return slots.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}

/** What reading the topology needs from a connection. */
export interface TopologySource {
  send(args: Array<string | Buffer | number>, options?: { timeoutMs?: number }): Promise<unknown>;
}

/** Reads every node: CLUSTER SHARDS (Redis 7+), else CLUSTER SLOTS. */
export async function readClusterNodes(seed: TopologySource, useTls: boolean, seedHost: string): Promise<ClusterNodeInfo[]> {
  try {
    return parseShardNodes(await seed.send(['CLUSTER', 'SHARDS']), useTls, seedHost);
  } catch (e) {
    if (e instanceof DiagnosedError) throw e;
    return parseSlotsNodes(await seed.send(['CLUSTER', 'SLOTS']), seedHost);
  }
}

/**
 * `INFO cluster` and the topology read sent together (one round trip): the nodes when the server runs
 * in cluster mode, else undefined (a server that refuses INFO counts as not in cluster mode, as
 * isClusterEnabled says). Errors of the topology read count only in cluster mode.
 */
export async function readClusterIfEnabled(seed: Commander, useTls: boolean, seedHost: string): Promise<ClusterNodeInfo[] | undefined> {
  const enabled = isClusterEnabled(seed);
  const nodes = readClusterNodes(seed, useTls, seedHost);
  nodes.catch(() => undefined); // observed below when in cluster mode
  return (await enabled) ? await nodes : undefined;
}
