// Cluster nodes that announce host names (lab 'hostname' variant: `cluster-announce-hostname localhost`
// + `cluster-preferred-endpoint-type hostname`, so CLUSTER SHARDS/SLOTS and MOVED give `localhost`,
// which resolves to 127.0.0.1). Each node has its own certificate for `localhost` and
// `node-<i>.cluster.lab`; the seed is verified as `node-0.cluster.lab`. Node 5 (a replica) serves a
// certificate from a CA the client does not trust (the node sends that root along): its diagnosis
// names the node and that cause.
import * as assert from 'node:assert/strict';
import { ClusterRouter, keySlot } from '../../src/core/client/cluster';
import { RedisConnection } from '../../src/core/client/connection';
import { TlsCache } from '../../src/core/tls/context';
import { ClusterScanPager } from '../../src/core/keys/clusterScan';
import { startClusterLab, text, until, type ClusterLab } from '../lab/clusterLab';

const KEYS = 200;

describe('cluster nodes announcing host names (lab: preferred endpoint type hostname, 6 nodes)', function () {
  this.timeout(90_000);
  let lab: ClusterLab | undefined;
  let seed: RedisConnection;
  const routers: ClusterRouter[] = [];
  const open = async (o: Parameters<typeof ClusterRouter.open>[2]): Promise<ClusterRouter> => {
    const r = await ClusterRouter.open(seed, lab!.seed, { tlsCache: new TlsCache(), ...o });
    routers.push(r);
    return r;
  };
  const addr = (i: number): string => `localhost:${lab!.nodes[i]!.port}`;
  const who = (i: number): string => {
    const n = lab!.nodes[i]!;
    return n.role === 'primary' ? `node ${addr(i)} (primary)` : `node ${addr(i)} (replica of ${addr(n.primaryIndex)})`;
  };

  before(async () => {
    lab = await startClusterLab({ naming: 'hostname', replicas: true, untrustedNode: 5 });
    seed = await RedisConnection.open(lab.seed);
    const r = await open({ naming: { naming: 'announced' } });
    await Promise.all(Array.from({ length: KEYS }, (_, i) => r.send(['SET', `h:${i}`, `v${i}`])));
  });

  after(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await seed?.close();
    await lab?.stop();
  });

  it('the cluster describes its nodes by name: CLUSTER SHARDS endpoint/hostname and MOVED say `localhost`', async () => {
    const flat = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap(flat) : [text(v)]);
    const slots = await seed.send(['CLUSTER', 'SLOTS']);
    assert.ok(Array.isArray(slots) && slots.every((range) => Array.isArray(range) && text((range[2] as unknown[])[0]) === 'localhost'));
    assert.ok(flat(await seed.send(['CLUSTER', 'SHARDS'])).includes('localhost'));
    const other = Array.from({ length: KEYS }, (_, i) => `h:${i}`).find((k) => keySlot(k) > 5460)!;
    await assert.rejects(seed.send(['GET', other]), (e: Error) => /^MOVED \d+ localhost:\d+$/.test(e.message));
  });

  it('announced name: every node is connected at the name it announces and verified against it; only the node with an untrusted CA fails, with its own cause', async () => {
    const r = await open({ naming: { naming: 'announced' } });
    const statuses = r.nodeStatuses;
    assert.equal(statuses.length, 6);
    for (const n of statuses) {
      assert.equal(n.info.host, 'localhost', 'connected at the announced endpoint');
      assert.equal(n.info.hostname, 'localhost');
      assert.equal(n.choice.verifiedName, 'localhost');
    }
    const failed = statuses.filter((n) => !n.ok);
    assert.deepEqual(
      failed.map((n) => n.address),
      [addr(5)],
    );
    const p = failed[0]!.problem!;
    assert.equal(p.code, 'UNTRUSTED_ROOT', 'the cause is the CA, not the name');
    assert.ok(p.detail.startsWith(`${who(5)}: The server sent a chain ending in the root `), p.detail);
    assert.match(p.detail, /Other Root CA/);
    assert.ok(p.title.startsWith(`${who(5)}: `), p.title);
    for (const n of statuses.filter((x) => x.ok)) {
      assert.equal(n.report?.authorized, true);
      assert.equal(n.report?.verifiedName, 'localhost');
      assert.equal(n.report?.host, 'localhost');
    }
    // Every primary is browsable: every key once, and a read on each primary's slots.
    const all: string[] = [];
    await new ClusterScanPager(r.scanTargets, {}, 100).loadAll((keys) => all.push(...keys.map((k) => k.toString())));
    assert.equal(all.length, KEYS);
    for (const [a, b] of lab!.ranges) {
      const key = Array.from({ length: KEYS }, (_, i) => `h:${i}`).find((k) => keySlot(k) >= a && keySlot(k) <= b)!;
      assert.equal(text(await r.send(['GET', key])), `v${key.slice(2)}`);
    }
  });

  it("seed name: every other node fails on its own, with a diagnosis naming the node, what its certificate lists and 'announced name' as the way out", async () => {
    const r = await open({ naming: { naming: 'seed' } });
    const byAddress = new Map(r.nodeStatuses.map((n) => [n.address, n]));
    assert.equal(byAddress.get(addr(0))?.ok, true, 'the seed itself is verified as node-0.cluster.lab');
    for (const i of [1, 2, 3, 4]) {
      const s = byAddress.get(addr(i));
      assert.equal(s?.ok, false, addr(i));
      assert.equal(s.problem?.code, 'HOSTNAME_MISMATCH');
      assert.equal(
        s.problem?.detail,
        `${who(i)} presented a certificate for \`localhost\`, \`node-${i}.cluster.lab\`; the profile verifies every node against \`node-0.cluster.lab\`.`,
      );
      assert.equal(
        s.problem?.fix,
        `Choose 'announced name' (this node announces \`localhost\`) or add a mapping for ${addr(i)} to a name the certificate lists.`,
      );
      assert.equal(s.problem?.title, `The certificate of ${who(i)} does not name \`node-0.cluster.lab\``);
    }
    // The untrusted node fails for its own reason under every naming choice.
    const untrusted = byAddress.get(addr(5));
    assert.equal(untrusted?.ok, false);
    assert.equal(untrusted.problem?.code, 'UNTRUSTED_ROOT');
    assert.ok(untrusted.problem?.detail.startsWith(`${who(5)}: `), untrusted.problem?.detail);
    assert.equal(r.scanTargets.length, 1, "only the seed's slots are browsable");
  });

  // Last: it stops a node. The topology is read right away, well inside the 3 s cluster-node-timeout,
  // then again once the cluster marks the node `fail`.
  it('a node that is down is shown failed with its own diagnosis (connection refused; once the cluster marks it failed, that), naming the node; the others stay verified', async () => {
    await lab!.nodes[4]!.server.stop();
    const r = await open({ naming: { naming: 'announced' } });
    const byAddress = new Map(r.nodeStatuses.map((n) => [n.address, n]));
    const down = byAddress.get(addr(4));
    assert.equal(down?.ok, false, 'the stopped replica is listed, failed');
    assert.equal(down.problem?.code, 'CONNECTION_REFUSED');
    assert.ok(down.problem?.detail.startsWith(`${who(4)}: `), down.problem?.detail);
    assert.ok(down.problem?.title.startsWith(`${who(4)}: `), down.problem?.title);
    assert.deepEqual(
      r.nodeStatuses.filter((n) => !n.ok).map((n) => n.address),
      [addr(4), addr(5)],
    );
    assert.equal(r.scanTargets.length, 3, 'every primary is still browsable');

    // Once the cluster itself marks it failed, it is not used, but still listed under its primary, failed, saying so.
    const health = async (): Promise<string> => {
      const fields = (v: unknown): Map<string, unknown> => {
        const m = new Map<string, unknown>();
        if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) m.set(text(v[i]), v[i + 1]);
        return m;
      };
      for (const shard of (await seed.send(['CLUSTER', 'SHARDS'])) as unknown[])
        for (const node of fields(shard).get('nodes') as unknown[]) {
          const n = fields(node);
          if (text(n.get('id')) === lab!.nodes[4]!.id) return text(n.get('health'));
        }
      return 'absent';
    };
    await until('the cluster marks the stopped replica failed', 30_000, async () => (await health()) === 'fail');
    await r.refresh();
    assert.deepEqual(
      r.nodeStatuses.map((n) => [n.address, n.ok]),
      [0, 3, 1, 4, 2, 5].map((i) => [addr(i), i !== 4 && i !== 5]),
      'display order: each primary, then its replicas',
    );
    const marked = r.nodeStatuses.find((n) => n.address === addr(4))!;
    assert.equal(marked.info.health, 'fail');
    assert.equal(marked.problem?.code, 'TIMEOUT');
    assert.equal(
      marked.problem?.detail,
      `${who(4)}: the cluster marks it failed (the other nodes got no answer from it within cluster-node-timeout); it is not used.`,
    );
    assert.equal(r.scanTargets.length, 3);
  });
});
