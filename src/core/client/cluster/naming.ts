/**
 * Which name each cluster node is verified against, as the profile chooses:
 *   seed       the seed's name (servername, else host) for every node — one certificate for all
 *   announced  the host name the node announces (CLUSTER SHARDS `hostname`, Redis 7
 *              `cluster-announce-hostname`), else the seed's name
 *   mapping    explicit entries, else the seed's name
 * Mapping entries apply in every mode and win: the key is a node address (`10.0.1.12:6379`, or
 * `10.0.1.*` / `*:6380` with `*` wildcards), a node id (or its first 8+ characters), or an announced
 * host name pattern (`*.cache.example.com`); the value is the name to verify. The choice only picks
 * the name: chain and host-name verification stay on for every node.
 */
import * as net from 'node:net';
import type { NodeNameChoice, NodeNaming } from '../../diagnosis/topology';

export type { NodeNaming, NodeNameChoice };

export interface NodeNamingSettings {
  naming?: NodeNaming;
  /** address / node id / announced-name pattern -> verification name */
  map?: Readonly<Record<string, string>>;
}

export interface NamedNode {
  id: string;
  /** The address connected to (as announced). */
  host: string;
  port: number;
  /** The announced host name, if any. */
  hostname?: string;
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^\\s]*');
  return new RegExp(`^${escaped}$`, 'i');
}

function address(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether a mapping key designates this node. */
export function mappingKeyMatches(key: string, node: NamedNode): boolean {
  const k = key.trim();
  if (k === '') return false;
  const addr = address(node.host, node.port);
  if (k === addr || k === node.id) return true;
  if (/^[0-9a-f]{8,40}$/i.test(k) && node.id.toLowerCase().startsWith(k.toLowerCase())) return true;
  if (!k.includes('*')) return k === node.hostname || (k === node.host && !k.includes(':'));
  const re = globToRegExp(k);
  return re.test(addr) || (node.hostname !== undefined && re.test(node.hostname));
}

/** Valid verification names: a DNS name or an IP literal (server and profile strings are both checked). */
export function validVerificationName(name: string): boolean {
  return net.isIP(name) !== 0 || /^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})$/.test(name);
}

/** The name a node is verified against under the profile's choice. */
export function chooseNodeName(node: NamedNode, settings: NodeNamingSettings, seedName: string): NodeNameChoice {
  const naming = settings.naming ?? 'seed';
  // Exact keys first, then wildcard patterns, each in the profile's order.
  const entries = Object.entries(settings.map ?? {});
  const hit =
    entries.find(([k]) => !k.includes('*') && mappingKeyMatches(k, node)) ??
    entries.find(([k]) => k.includes('*') && mappingKeyMatches(k, node));
  if (hit && validVerificationName(hit[1])) return { naming, verifiedName: hit[1], mapped: true };
  if (naming === 'announced' && node.hostname && validVerificationName(node.hostname))
    return { naming, verifiedName: node.hostname, mapped: false };
  return { naming, verifiedName: seedName, mapped: false };
}
