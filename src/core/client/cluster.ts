/**
 * The cluster client's public face; cluster/slots.ts, cluster/topology.ts and cluster/router.ts hold the parts.
 *
 * Redis Cluster over verified TLS: detect cluster mode, read the topology, open one connection per
 * master and route key commands to the master that owns the key's slot.
 *
 * Nodes are connected at their announced address and verified against the configured name (see topology.ts).
 */
export { SLOT_COUNT, crc16, keySlot, commandKey } from './cluster/slots';
export {
  isClusterEnabled,
  parseClusterShards,
  parseClusterSlots,
  readTopology,
  sanitizeMasters,
  nodeAddress,
  nodeOptions,
  namedNodeOptions,
  type ClusterMaster,
  type ClusterOptions,
} from './cluster/topology';
export { readClusterIfEnabled, type ClusterNodeInfo } from './cluster/nodes';
export { ClusterRouter, parseRedirect, seedPrimary, type ClusterNodeHandle, type ClusterNodeStatus } from './cluster/router';
