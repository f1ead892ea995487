/**
 * Redis Cluster topology: cluster mode detection, CLUSTER SHARDS / CLUSTER SLOTS parsing (server strings
 * are untrusted: sanitized here), and the per-node connection options.
 *
 * Per-node name mapping: cluster nodes announce IP addresses, which managed services' certificates
 * usually do not name. Each node is CONNECTED at its announced address but VERIFIED (SNI + host-name
 * check) against the name the user configured: `tls.servername`, else the profile host — or an explicit
 * per-node name from `nameMap` ('ip:port' -> name). Verification stays exactly as strict as for the seed
 * connection (same CA set, client identity, verify mode, pin).
 */
import * as net from 'node:net';
import { formatEndpoint, type ConnectionOptions } from '../../endpoint/options';
import type { Commander } from '../commander';
import type { RedisConnection } from '../connection';
import type { TlsCache } from '../../tls/context';
import { DiagnosedError } from '../../diagnosis/problem';
import { SLOT_COUNT } from './slots';
import { chooseNodeName, type NamedNode, type NodeNameChoice, type NodeNamingSettings } from './naming';

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
  /** How each node's verification name is chosen (seed's name, announced name, mapping); nameMap entries join its map. */
  naming?: NodeNamingSettings;
  /** Send read commands to a replica of the slot's primary (READONLY), when one is connected. */
  readFromReplicas?: boolean;
  tlsCache?: TlsCache;
  /**
   * An open, verified connection to the seed. The node it reaches (same address, same verification
   * name and TLS settings, same credentials) uses it instead of a second handshake; the router then
   * owns it. Only for callers that do not use the seed afterwards.
   */
  seedConnection?: RedisConnection;
  /** Connect the primaries only (a key scan needs no replica): replicas are not listed. */
  primariesOnly?: boolean;
}

/** A RESP2 value as text (bulk strings arrive as Buffers). */
export function text(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

export function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(text(v));
  return Number.isFinite(n) ? n : NaN;
}

export function validPort(p: number): boolean {
  return Number.isInteger(p) && p > 0 && p < 65536;
}

/** Server-supplied host strings are untrusted: accept IP literals and plain host names only. */
export function validHost(h: string): boolean {
  return net.isIP(h) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(h);
}

/** Whether the server runs in cluster mode (`INFO cluster` says `cluster_enabled:1`). */
export async function isClusterEnabled(seed: Commander): Promise<boolean> {
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
export async function readTopology(seed: Commander, base: ConnectionOptions): Promise<ClusterMaster[]> {
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
    .map((m) => ({
      ...m,
      slots: m.slots.filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b < SLOT_COUNT && a <= b),
    }))
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
export function nodeOptions(
  base: ConnectionOptions,
  host: string,
  port: number,
  nameMap?: Readonly<Record<string, string>>,
): ConnectionOptions {
  const mapped = nameMap?.[nodeAddress(host, port)];
  return optionsForName(base, host, port, mapped ?? base.tls.servername ?? base.host);
}

/** The options for a node under the profile's naming choice, and that choice. */
export function namedNodeOptions(
  base: ConnectionOptions,
  node: NamedNode,
  naming: NodeNamingSettings = {},
): { options: ConnectionOptions; choice: NodeNameChoice } {
  const choice = chooseNodeName(node, naming, base.tls.servername ?? base.host);
  return { options: optionsForName(base, node.host, node.port, choice.verifiedName), choice };
}

function optionsForName(base: ConnectionOptions, host: string, port: number, name: string): ConnectionOptions {
  const tlsSettings = { ...base.tls };
  // For an IP name equal to the node's own address, leave SNI unset (RFC 6066): Node verifies against the host.
  if (base.tls.enabled && !(net.isIP(name) !== 0 && name === host)) tlsSettings.servername = name;
  else delete tlsSettings.servername;
  return { ...base, host, port, tls: tlsSettings, db: 0 };
}
