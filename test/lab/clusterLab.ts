/**
 * Redis Cluster and Sentinel labs over TLS only (real redis-server processes, lab certificates).
 *
 *   const c = await startClusterLab({ naming: 'per-node', replicas: true });
 *   c.primaries[1].port; c.replicas[0].primaryIndex; c.seed   // ConnectionOptions for node 0
 *   await c.stop();
 *
 *   const s = await startSentinelLab();
 *   s.sentinels[0].port; s.service; s.sentinelPassword; s.dataPassword; s.primary().port
 *   await s.stop();
 *
 * Cluster: three primaries (slots 0-5460, 5461-10922, 10923-16383), optionally one replica each;
 * every node `--port 0 --tls-port P --tls-cluster yes --tls-replication yes`, explicit bus ports
 * (freePort() may be above 55535, where port + 10000 does not exist). Built with
 * CLUSTER ADDSLOTSRANGE / MEET / REPLICATE (no `redis-cli --cluster create`, which is slower).
 * Naming variants:
 *   shared    one certificate for every node naming DNS:localhost ONLY, while the nodes announce
 *             127.0.0.1 (the managed-service situation: the certificate does not name the IP)
 *   per-node  each node its own certificate for `node-<i>.cluster.lab` (no IP), announced with
 *             `cluster-announce-hostname` (Redis 7: CLUSTER SHARDS `hostname`); `wildcardNode: i`
 *             gives node i a certificate for `*.other.cluster.lab` instead (a node that fails
 *             verification against its announced name; an explicit mapping fixes it)
 *   hostname  every node announces `localhost` (a name that resolves to 127.0.0.1) with
 *             `cluster-announce-hostname localhost` + `cluster-preferred-endpoint-type hostname`, so
 *             CLUSTER SHARDS/SLOTS and MOVED give the name, not the IP; each node has its own certificate
 *             for `localhost` and `node-<i>.cluster.lab` (the seed is verified as `node-0.cluster.lab`)
 *   untrustedNode: i (per-node/hostname) gives node i a certificate from the unrelated "Other Root CA",
 *             which the nodes trust (cluster bus) and a client trusting the lab root does not
 * Node order: primaries 0..2, then their replicas (node 3 replicates 0, 4 -> 1, 5 -> 2).
 *
 * Sentinel: a primary and one replica (DNS:localhost only certificates, `requirepass` +
 * `masterauth` = dataPassword) and three sentinels on TLS ports (`port 0`, `tls-port`,
 * `tls-replication yes` so they talk TLS to the data nodes, `requirepass` sentinelPassword,
 * `sentinel monitor <service> 127.0.0.1 <port> 2`). Sentinels return IP addresses: the data nodes'
 * certificates do not name 127.0.0.1, so a client needs a verification name (or, on real hosts,
 * `sentinel resolve-hostnames yes` + `sentinel announce-hostnames yes` with a host-name monitor).
 *
 * Every process runs under setpriv --pdeathsig (test/lab/servers.ts) and is stopped by stop(),
 * stopAll() or process exit.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { getLab, issueNodeCert, type LeafEntry } from './certs';
import { freePort, startRedis, type RedisServer } from './servers';

export function text(reply: unknown): string {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
}

/** Polls a condition (no fixed sleeps): resolves when it holds, rejects with `what` after `ms`. */
export async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`lab: ${what} (not after ${ms} ms)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LabClusterNode {
  index: number;
  server: RedisServer;
  port: number;
  busPort: number;
  id: string;
  role: 'primary' | 'replica';
  /** For a replica: the index of its primary; for a primary: its own index. */
  primaryIndex: number;
  /** The name this node announces (per-node naming) or null. */
  announcedName: string | null;
  /** The certificate the node serves. */
  cert: LeafEntry;
  /** Options that verify this node by a name its certificate carries. */
  options: ConnectionOptions;
}

export type ClusterLabNaming = 'shared' | 'per-node' | 'hostname';

export interface ClusterLab {
  naming: ClusterLabNaming;
  nodes: LabClusterNode[];
  primaries: LabClusterNode[];
  replicas: LabClusterNode[];
  ranges: Array<[number, number]>;
  /** The seed: node 0 at 127.0.0.1, verified by a name its certificate carries. */
  seed: ConnectionOptions;
  /** One verified admin connection per node (same order as nodes). */
  admin: RedisConnection[];
  stop(): Promise<void>;
}

export interface ClusterLabOptions {
  naming?: ClusterLabNaming;
  replicas?: boolean;
  /** per-node/hostname: this node's certificate comes from the unrelated "Other Root CA" (trusted by the nodes, not by lab clients). */
  untrustedNode?: number;
  /** per-node only: this node's certificate names `*.other.cluster.lab` instead of its announced name. */
  wildcardNode?: number;
  /** appended to every node's command line (e.g. ['--enable-debug-command', 'yes'] for benchmarks) */
  extraArgs?: string[];
}

const RANGES: Array<[number, number]> = [
  [0, 5460],
  [5461, 10922],
  [10923, 16383],
];
let instance = 0;

function unique(): string {
  return `${process.pid}-${++instance}-${randomBytes(3).toString('hex')}`;
}

/** Starts the cluster and waits until every node agrees (cluster_state:ok, replicas linked). Stops everything on failure. */
export async function startClusterLab(opts: ClusterLabOptions = {}): Promise<ClusterLab> {
  const lab = await getLab();
  const naming = opts.naming ?? 'shared';
  const count = opts.replicas ? 6 : 3;
  const tag = unique();
  const servers: RedisServer[] = [];
  const admin: RedisConnection[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(admin.map((a) => a.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const names = Array.from({ length: count }, (_, i) =>
      naming === 'per-node' ? `node-${i}.cluster.lab` : naming === 'hostname' ? 'localhost' : null,
    );
    const issuer = (i: number): { issuer?: 'otherRoot' } => (i === opts.untrustedNode ? { issuer: 'otherRoot' } : {});
    const certs: LeafEntry[] =
      naming === 'shared'
        ? Array<LeafEntry>(count).fill(await issueNodeCert({ name: `cluster-shared-${tag}`, cn: 'cluster-node', san: 'DNS:localhost' }))
        : naming === 'hostname'
          ? await Promise.all(
              names.map((_, i) =>
                issueNodeCert({
                  name: `cluster-${i}-${tag}`,
                  cn: `node-${i}.cluster.lab`,
                  san: `DNS:localhost,DNS:node-${i}.cluster.lab`,
                  ...issuer(i),
                }),
              ),
            )
          : await Promise.all(
              names.map((n, i) =>
                i === opts.wildcardNode
                  ? issueNodeCert({ name: `cluster-${i}-${tag}`, cn: '*.other.cluster.lab', san: 'DNS:*.other.cluster.lab', ...issuer(i) })
                  : issueNodeCert({ name: `cluster-${i}-${tag}`, cn: n as string, san: `DNS:${n as string}`, ...issuer(i) }),
              ),
            );
    const busPorts = await Promise.all(names.map(() => freePort()));
    const started = await Promise.allSettled(
      names.map((name, i) =>
        startRedis({
          kind: 'tls',
          serverCert: certs[i]!.chainPath,
          serverKey: certs[i]!.keyPath,
          // The nodes verify each other (cluster bus, replication): with an odd node, they trust its CA too.
          ...(opts.untrustedNode !== undefined ? { caFile: lab.multiCaBundle.certPath } : {}),
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPorts[i]),
            '--tls-cluster',
            'yes',
            '--tls-replication',
            'yes',
            '--cluster-node-timeout',
            '3000',
            '--cluster-replica-no-failover',
            'yes',
            ...(name ? ['--cluster-announce-hostname', name] : []),
            ...(naming === 'hostname' ? ['--cluster-preferred-endpoint-type', 'hostname'] : []),
            ...(opts.extraArgs ?? []),
          ],
        }),
      ),
    );
    for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const nameOf = (i: number): string =>
      naming === 'shared'
        ? 'localhost'
        : naming === 'hostname'
          ? `node-${i}.cluster.lab`
          : i === opts.wildcardNode
            ? 'x.other.cluster.lab'
            : (names[i] as string);
    const optionsOf = (i: number): ConnectionOptions => ({
      host: '127.0.0.1',
      port: servers[i]!.port,
      tls: {
        enabled: true,
        ca: i === opts.untrustedNode ? [lab.rootCa.cert, lab.otherRoot.cert] : [lab.rootCa.cert],
        servername: nameOf(i),
      },
    });
    admin.push(...(await Promise.all(servers.map((_, i) => RedisConnection.open(optionsOf(i))))));
    const ids = await Promise.all(admin.map(async (a) => text(await a.send(['CLUSTER', 'MYID']))));
    await Promise.all(RANGES.map(([a, b], i) => admin[i]!.send(['CLUSTER', 'ADDSLOTSRANGE', a, b])));
    await Promise.all(servers.slice(1).map((s, i) => admin[0]!.send(['CLUSTER', 'MEET', '127.0.0.1', s.port, busPorts[i + 1]!])));
    const describe = async (e: unknown): Promise<never> => {
      const nodes = await Promise.all(admin.map((a) => a.send(['CLUSTER', 'NODES']).then(text, String)));
      throw new Error(`${String(e)}\nCLUSTER NODES:\n${nodes.join('\n--\n')}\nlog of node 1:\n${servers[1]!.log().slice(-1500)}`);
    };
    // A replica can only REPLICATE a primary it knows: wait until everyone knows everyone.
    await until(`every node knows the ${count} nodes`, 30_000, async () => {
      for (const a of admin)
        if (
          text(await a.send(['CLUSTER', 'NODES']))
            .trim()
            .split('\n').length !== count
        )
          return false;
      return true;
    }).catch(describe);
    for (let i = 3; i < count; i++) await admin[i]!.send(['CLUSTER', 'REPLICATE', ids[i - 3]!]);
    await until('cluster_state:ok, 3 slot ranges and every replica linked on every node', 40_000, async () => {
      for (const a of admin) {
        if (!/cluster_state:ok/.test(text(await a.send(['CLUSTER', 'INFO'])))) return false;
        const slots = await a.send(['CLUSTER', 'SLOTS']);
        if (!Array.isArray(slots) || slots.length !== 3) return false;
        if (count === 6 && !slots.every((r) => Array.isArray(r) && r.length === 4)) return false;
      }
      for (let i = 3; i < count; i++) if (!/master_link_status:up/.test(text(await admin[i]!.send(['INFO', 'replication'])))) return false;
      return true;
    }).catch(describe);
    const nodes: LabClusterNode[] = servers.map((server, i) => ({
      index: i,
      server,
      port: server.port,
      busPort: busPorts[i]!,
      id: ids[i]!,
      role: i < 3 ? 'primary' : 'replica',
      primaryIndex: i < 3 ? i : i - 3,
      announcedName: names[i] ?? null,
      cert: certs[i]!,
      options: optionsOf(i),
    }));
    return {
      naming,
      nodes,
      primaries: nodes.slice(0, 3),
      replicas: nodes.slice(3),
      ranges: RANGES,
      seed: optionsOf(0),
      admin,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Sentinel

export interface SentinelLab {
  service: string;
  /** requirepass of the data nodes (also masterauth / sentinel auth-pass). */
  dataPassword: string;
  /** requirepass of the sentinels. */
  sentinelPassword: string;
  /** Data nodes: [initial primary, initial replica]. */
  data: RedisServer[];
  sentinels: RedisServer[];
  /** Options for a sentinel (by index): 127.0.0.1, servername localhost, the sentinel password. */
  sentinelOptions(i: number): ConnectionOptions;
  /** Options for a data node (by port): 127.0.0.1, servername localhost, the data password. */
  dataOptions(port: number): ConnectionOptions;
  /** The data node Sentinel currently names as primary (asked from sentinel 0). */
  primaryPort(): Promise<number>;
  /**
   * SENTINEL FAILOVER, then waits until the sentinels name the other node and the old primary is a
   * replica (Sentinel demotes it, and kills its clients, about 10 s after the promotion).
   */
  failover(): Promise<{ from: number; to: number }>;
  stop(): Promise<void>;
}

/**
 * Starts a primary + replica (certificates for DNS:localhost only) and three sentinels on TLS
 * ports, and waits until every sentinel sees the replica and the two other sentinels.
 */
export async function startSentinelLab(): Promise<SentinelLab> {
  const lab = await getLab();
  const tag = unique();
  const service = 'labprimary';
  const dataPassword = `data-${randomBytes(4).toString('hex')}`;
  const sentinelPassword = `sentinel-${randomBytes(4).toString('hex')}`;
  const servers: RedisServer[] = [];
  const conns: RedisConnection[] = [];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sentinel-lab-'));
  const stop = async (): Promise<void> => {
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    // Sentinels first, so none starts a failover while the data nodes go away.
    await Promise.all(servers.slice(2).map((s) => s.stop()));
    await Promise.all(servers.slice(0, 2).map((s) => s.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const dataCert = await issueNodeCert({ name: `sentinel-data-${tag}`, cn: 'redis-data', san: 'DNS:localhost' });
    const sentinelCert = await issueNodeCert({ name: `sentinel-${tag}`, cn: 'redis-sentinel', san: 'DNS:localhost' });
    const dataOptions = (port: number): ConnectionOptions => ({
      host: '127.0.0.1',
      port,
      password: dataPassword,
      tls: { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' },
    });
    const primary = await startRedis({
      kind: 'tls',
      serverCert: dataCert.chainPath,
      serverKey: dataCert.keyPath,
      password: dataPassword,
      extraArgs: ['--tls-replication', 'yes', '--masterauth', dataPassword],
    });
    servers.push(primary);
    const replica = await startRedis({
      kind: 'tls',
      serverCert: dataCert.chainPath,
      serverKey: dataCert.keyPath,
      password: dataPassword,
      extraArgs: ['--tls-replication', 'yes', '--masterauth', dataPassword, '--replicaof', '127.0.0.1', String(primary.port)],
    });
    servers.push(replica);
    const replicaConn = await RedisConnection.open(dataOptions(replica.port));
    conns.push(replicaConn);
    await until('the replica is linked to the primary', 20_000, async () =>
      /master_link_status:up/.test(text(await replicaConn.send(['INFO', 'replication']))),
    );
    // Sentinel rewrites its config file: one writable file per sentinel, options given on the command line too.
    for (let i = 0; i < 3; i++) {
      const conf = path.join(dir, `sentinel-${i}.conf`);
      await fs.writeFile(
        conf,
        [
          `sentinel monitor ${service} 127.0.0.1 ${primary.port} 2`,
          `sentinel auth-pass ${service} ${dataPassword}`,
          `sentinel down-after-milliseconds ${service} 2000`,
          `sentinel failover-timeout ${service} 10000`,
          `sentinel sentinel-pass ${sentinelPassword}`,
          '',
        ].join('\n'),
      );
      servers.push(
        await startRedis({
          kind: 'tls',
          serverCert: sentinelCert.chainPath,
          serverKey: sentinelCert.keyPath,
          password: sentinelPassword,
          configFile: conf,
          extraArgs: ['--sentinel', '--tls-replication', 'yes'],
          readyPattern: /Sentinel ID is/,
        }),
      );
    }
    const sentinelOptions = (i: number): ConnectionOptions => ({
      host: '127.0.0.1',
      port: servers[2 + i]!.port,
      password: sentinelPassword,
      tls: { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' },
    });
    const sentinelConns = await Promise.all([0, 1, 2].map((i) => RedisConnection.open(sentinelOptions(i))));
    conns.push(...sentinelConns);
    await until('every sentinel sees the replica and the two other sentinels, healthy', 30_000, async () => {
      for (const s of sentinelConns) {
        const master = await s.send(['SENTINEL', 'MASTER', service]);
        const f = pairs(master);
        if (Number(f.get('num-slaves')) < 1 || Number(f.get('num-other-sentinels')) < 2) return false;
        // ...and sees them healthy (a sentinel flagged disconnected or down is not offered to clients).
        const others = await s.send(['SENTINEL', 'SENTINELS', service]);
        const healthy = (Array.isArray(others) ? others : []).filter(
          (o) => !/s_down|o_down|disconnected/.test(pairs(o).get('flags') ?? ''),
        );
        if (healthy.length < 2) return false;
      }
      return true;
    }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nlog of sentinel 0:\n${servers[2]!.log().slice(-2000)}`);
    });
    const primaryPort = async (): Promise<number> => {
      const r = await sentinelConns[0]!.send(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', service]);
      return Array.isArray(r) ? Number(text(r[1])) : NaN;
    };
    const failover = async (): Promise<{ from: number; to: number }> => {
      const from = await primaryPort();
      const reply = await sentinelConns[1]!.send(['SENTINEL', 'FAILOVER', service]);
      if (text(reply) !== 'OK') throw new Error(`lab: SENTINEL FAILOVER answered ${text(reply)}`);
      await until('the sentinels name the other node', 30_000, async () => (await primaryPort()) !== from);
      await until('the old primary is a replica', 45_000, async () => {
        const old = await RedisConnection.open(dataOptions(from));
        try {
          return /role:slave/.test(text(await old.send(['INFO', 'replication'])));
        } finally {
          old.destroy();
        }
      });
      return { from, to: await primaryPort() };
    };
    return {
      service,
      dataPassword,
      sentinelPassword,
      data: servers.slice(0, 2),
      sentinels: servers.slice(2),
      sentinelOptions,
      dataOptions,
      primaryPort,
      failover,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function pairs(reply: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) m.set(text(reply[i]), text(reply[i + 1]));
  return m;
}
