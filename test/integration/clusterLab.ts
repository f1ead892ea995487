// A real 3-master redis-server cluster over TLS for tests (integration and host): TLS-only ports,
// tls-cluster / tls-replication yes, and a node certificate that names DNS:localhost ONLY (no IP SAN)
// while the nodes announce 127.0.0.1 — the managed-service situation per-node name mapping is for.
// Built with CLUSTER ADDSLOTSRANGE + CLUSTER MEET (explicit bus ports: freePort() may be above 55535,
// where the default bus port, port + 10000, does not exist). Not a test file itself.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { getLab, type LabCerts } from '../lab/certs';
import { until } from '../lab/clusterLab';
import { freePort, startRedis, type RedisServer } from '../lab/servers';

const run = promisify(execFile);

export interface TlsCluster {
  servers: RedisServer[];
  /** One verified admin connection per node, in slot order. */
  admin: RedisConnection[];
  /** Node ids, in slot order. */
  ids: string[];
  /** Slot ranges of the nodes, in order. */
  ranges: Array<[number, number]>;
  /** Options for node 0 by name: host localhost, the lab root as CA. */
  base: ConnectionOptions;
  /** The node certificate (DNS:localhost only) chain + key. */
  cert: { chainPath: string; keyPath: string };
  stop(): Promise<void>;
}

/** A node certificate for DNS:localhost only (serverAuth + clientAuth for the cluster bus), signed by the lab intermediate. */
async function localhostOnlyCert(lab: LabCerts, dir: string): Promise<{ chainPath: string; keyPath: string }> {
  const keyPath = path.join(dir, 'node.key');
  const csrPath = path.join(dir, 'node.csr');
  const certPath = path.join(dir, 'node.crt');
  const extPath = path.join(dir, 'node.ext');
  const chainPath = path.join(dir, 'node-chain.pem');
  await fs.writeFile(
    extPath,
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:localhost\n',
  );
  await run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-subj',
    '/CN=cluster-node',
    '-out',
    csrPath,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    lab.intermediateCa.certPath,
    '-CAkey',
    lab.intermediateCa.keyPath,
    '-set_serial',
    `0x${Date.now().toString(16)}`,
    '-days',
    '2',
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  await fs.writeFile(chainPath, (await fs.readFile(certPath, 'utf8')) + lab.intermediateCa.cert);
  return { chainPath, keyPath };
}

export function text(reply: unknown): string {
  return Buffer.isBuffer(reply) ? reply.toString('utf8') : String(reply);
}

/** Starts 3 TLS masters, joins them, waits for cluster_state:ok everywhere. Stops everything on failure. */
export async function startTlsCluster(): Promise<TlsCluster> {
  const lab = await getLab();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cluster-lab-'));
  const servers: RedisServer[] = [];
  const admin: RedisConnection[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(admin.map((a) => a.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    const cert = await localhostOnlyCert(lab, dir);
    const busPorts = await Promise.all([freePort(), freePort(), freePort()]);
    for (const bus of busPorts) {
      servers.push(
        await startRedis({
          kind: 'tls',
          serverCert: cert.chainPath,
          serverKey: cert.keyPath,
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(bus),
            '--tls-cluster',
            'yes',
            '--tls-replication',
            'yes',
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const base: ConnectionOptions = { host: 'localhost', port: servers[0]!.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    for (const s of servers) admin.push(await RedisConnection.open({ ...base, port: s.port }));
    const ranges: Array<[number, number]> = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await admin[i]!.send(['CLUSTER', 'ADDSLOTSRANGE', ranges[i]![0], ranges[i]![1]]);
      ids.push(text(await admin[i]!.send(['CLUSTER', 'MYID'])));
    }
    for (let i = 1; i < 3; i++) await admin[0]!.send(['CLUSTER', 'MEET', '127.0.0.1', servers[i]!.port, busPorts[i]!]);
    await until('cluster_state:ok and 3 slot ranges on every node', 20_000, async () => {
      for (const a of admin) {
        if (!/cluster_state:ok/.test(text(await a.send(['CLUSTER', 'INFO'])))) return false;
        const slots = await a.send(['CLUSTER', 'SLOTS']);
        if (!Array.isArray(slots) || slots.length !== 3) return false;
      }
      return true;
    }).catch(async (e: unknown) => {
      const nodes = await Promise.all(admin.map((a) => a.send(['CLUSTER', 'NODES']).then(text, String)));
      throw new Error(`${String(e)}\nCLUSTER NODES:\n${nodes.join('\n--\n')}\nlog of node 1:\n${servers[1]!.log().slice(-1500)}`);
    });
    return { servers, admin, ids, ranges, base, cert, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
