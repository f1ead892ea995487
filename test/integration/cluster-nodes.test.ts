// Cluster nodes over verified TLS, node by node (lab: 3 primaries + 3 replicas, one certificate and
// announced host name per node; node 4, a replica, serves a certificate for `*.other.cluster.lab`).
// Every naming choice, a failed node with its own diagnosis while the rest stay browsable, replicas
// under their primary, READONLY replica reads, topology refresh on a failed node.
import * as assert from 'node:assert/strict';
import { ClusterRouter, keySlot } from '../../src/core/client/cluster';
import { RedisConnection } from '../../src/core/client/connection';
import { TlsCache } from '../../src/core/tls/context';
import { DiagnosedError } from '../../src/core/diagnosis/problem';
import { ClusterScanPager } from '../../src/core/keys/clusterScan';
import { startClusterLab, text, type ClusterLab } from '../lab/clusterLab';
import { getLab } from '../lab/certs';
import { runCli } from './cliRun';

const KEYS = 300;

describe('cluster nodes: per-node verification names, failed nodes, replicas (lab, 6 nodes)', function () {
  this.timeout(90_000);
  let lab: ClusterLab | undefined;
  let seed: RedisConnection;
  const routers: ClusterRouter[] = [];
  const open = async (o: Parameters<typeof ClusterRouter.open>[2]): Promise<ClusterRouter> => {
    const r = await ClusterRouter.open(seed, lab!.seed, { tlsCache: new TlsCache(), ...o });
    routers.push(r);
    return r;
  };

  before(async () => {
    lab = await startClusterLab({ naming: 'per-node', replicas: true, wildcardNode: 4 });
    seed = await RedisConnection.open(lab.seed);
    const r = await open({ naming: { naming: 'announced' } });
    await Promise.all(Array.from({ length: KEYS }, (_, i) => r.send(['SET', `k:${i}`, `v${i}`])));
    // Replicas have the keys before anyone reads from them.
    await Promise.all(lab.primaries.map((p) => lab!.admin[p.index]!.send(['WAIT', 1, 5000])));
  });

  after(async () => {
    await Promise.all(routers.map((r) => r.close()));
    await seed?.close();
    await lab?.stop();
  });

  it('announced names: every node is verified against its own name; the replica with another certificate fails alone, with its own diagnosis', async () => {
    const r = await open({ naming: { naming: 'announced' } });
    const nodes = r.nodeStatuses;
    assert.deepEqual(
      nodes.map((n) => [n.info.role, n.info.hostname, n.info.slots]),
      [
        ['primary', 'node-0.cluster.lab', [[0, 5460]]],
        ['replica', 'node-3.cluster.lab', [[0, 5460]]],
        ['primary', 'node-1.cluster.lab', [[5461, 10922]]],
        ['replica', 'node-4.cluster.lab', [[5461, 10922]]],
        ['primary', 'node-2.cluster.lab', [[10923, 16383]]],
        ['replica', 'node-5.cluster.lab', [[10923, 16383]]],
      ],
    );
    // Replicas are listed under their primary.
    for (const n of nodes.filter((x) => x.info.role === 'replica')) {
      const labNode = lab!.nodes.find((x) => x.port === n.info.port)!;
      assert.equal(n.primaryAddress, `127.0.0.1:${lab!.nodes[labNode.primaryIndex]!.port}`);
    }
    const failed = nodes.filter((n) => !n.ok);
    assert.equal(failed.length, 1);
    const bad = failed[0]!;
    assert.equal(bad.info.port, lab!.nodes[4]!.port);
    assert.equal(bad.problem?.code, 'HOSTNAME_MISMATCH');
    assert.equal(
      bad.problem?.detail,
      `node 127.0.0.1:${lab!.nodes[4]!.port} (replica of 127.0.0.1:${lab!.nodes[1]!.port}) presented a certificate for \`*.other.cluster.lab\`; the profile verifies each node against the name it announces, here \`node-4.cluster.lab\`.`,
    );
    assert.match(bad.problem?.fix ?? '', /Add a mapping for 127\.0\.0\.1:\d+ \(or its node id\)/);
    for (const n of nodes.filter((x) => x.ok)) {
      assert.equal(n.report?.authorized, true);
      assert.equal(n.report?.verifiedName, n.info.hostname);
      assert.equal(n.report?.host, '127.0.0.1');
    }
    // The rest stays browsable: every key of every primary.
    const all: string[] = [];
    await new ClusterScanPager(r.scanTargets, {}, 100).loadAll((keys) => all.push(...keys.map((k) => k.toString())));
    assert.equal(all.length, KEYS);
  });

  it("seed name for every node (today's behaviour): the other primaries fail with a diagnosis naming the node and both ways out; the seed's slots stay usable", async () => {
    const r = await open({ naming: { naming: 'seed' } });
    const failed = r.nodeStatuses.filter((n) => !n.ok);
    assert.equal(failed.length, 5, 'all but the seed');
    const p1 = failed.find((n) => n.info.port === lab!.nodes[1]!.port)!;
    assert.equal(
      p1.problem?.detail,
      `node 127.0.0.1:${lab!.nodes[1]!.port} (primary) presented a certificate for \`node-1.cluster.lab\`; the profile verifies every node against \`node-0.cluster.lab\`.`,
    );
    assert.equal(
      p1.problem?.fix,
      `Choose 'announced name' (this node announces \`node-1.cluster.lab\`) or add a mapping for 127.0.0.1:${lab!.nodes[1]!.port} to a name the certificate lists.`,
    );
    const onSeed = Array.from({ length: KEYS }, (_, i) => `k:${i}`).find((k) => keySlot(k) <= 5460)!;
    const onOther = Array.from({ length: KEYS }, (_, i) => `k:${i}`).find((k) => keySlot(k) > 5460 && keySlot(k) <= 10922)!;
    assert.ok(text(await r.send(['GET', onSeed])).startsWith('v'));
    const before = r.refreshes;
    await assert.rejects(
      r.send(['GET', onOther]),
      (e: unknown) =>
        e instanceof DiagnosedError &&
        e.problem.code === 'HOSTNAME_MISMATCH' &&
        e.problem.detail.includes(`node 127.0.0.1:${lab!.nodes[1]!.port} (primary)`),
    );
    assert.equal(r.refreshes, before + 1, 'a command for a failed node re-reads the topology first');
    assert.equal(r.scanTargets.length, 1);
  });

  it('explicit mapping (node id prefix, wildcard on the announced name) fixes the odd node; nothing is relaxed', async () => {
    const r = await open({ naming: { naming: 'announced', map: { [lab!.nodes[4]!.id.slice(0, 12)]: 'x.other.cluster.lab' } } });
    assert.ok(
      r.nodeStatuses.every((n) => n.ok && n.report?.authorized === true),
      JSON.stringify(r.nodeStatuses.map((n) => n.problem?.detail)),
    );
    assert.equal(r.nodeStatuses.find((n) => n.info.port === lab!.nodes[4]!.port)?.choice.mapped, true);
    const p5 = lab!.nodes[5]!.port;
    const w = await open({
      naming: { naming: 'announced', map: { 'node-4.*': 'x.other.cluster.lab', [`127.0.0.1:${p5}`]: 'node-9.cluster.lab' } },
    });
    const byPort = new Map(w.nodeStatuses.map((n) => [n.info.port, n]));
    assert.equal(byPort.get(lab!.nodes[4]!.port)?.ok, true, 'the wildcard on the announced name matched');
    assert.equal(byPort.get(p5)?.problem?.code, 'HOSTNAME_MISMATCH', 'a wrong mapping fails that node');
    assert.match(byPort.get(p5)?.problem?.detail ?? '', /the profile's mapping verifies this node against `node-9\.cluster\.lab`/);
    assert.equal(w.nodeStatuses.filter((n) => !n.ok).length, 1);
  });

  it('reads from replicas with READONLY on request', async () => {
    const r = await open({ naming: { naming: 'announced', map: { [lab!.nodes[4]!.id]: 'x.other.cluster.lab' } }, readFromReplicas: true });
    const replica = lab!.nodes[3]!;
    const stats = async (): Promise<number> =>
      Number(/cmdstat_readonly:calls=(\d+)/.exec(text(await lab!.admin[replica.index]!.send(['INFO', 'commandstats'])))?.[1] ?? 0);
    const before = await stats();
    const key = Array.from({ length: KEYS }, (_, i) => `k:${i}`).find((k) => keySlot(k) <= 5460)!;
    assert.equal(text(await r.send(['GET', key])), `v${key.slice(2)}`);
    assert.equal(await stats(), before + 1, 'the read went to the replica');
    assert.equal(text(await r.send(['SET', key, `v${key.slice(2)}`])), 'OK', 'writes still go to the primary');
  });

  it('redis-tls doctor --cluster: one entry per node, exit 1 while a node fails; a --node-name mapping makes it 0', async () => {
    const ca = (await getLab()).rootCa.certPath;
    const seedArgs = [
      '-h',
      '127.0.0.1',
      '-p',
      String(lab!.nodes[0]!.port),
      '--tls',
      '--cacert',
      ca,
      '--sni',
      'node-0.cluster.lab',
      '--cluster',
      '--json',
    ];
    const failing = await runCli(['doctor', ...seedArgs, '--node-names', 'announced']);
    assert.equal(failing.code, 1, failing.stderr);
    const report = JSON.parse(failing.stdout.toString()) as {
      ok: boolean;
      nodes: Array<{
        address: string;
        role: string;
        slots: number[][];
        ok: boolean;
        problem: { code: string; detail: string } | null;
        tls: { protocol: string; authorized: boolean } | null;
        chain: Array<{ subject: string }>;
      }>;
    };
    assert.equal(report.ok, false);
    assert.equal(report.nodes.length, 6);
    const bad = report.nodes.filter((n) => !n.ok);
    assert.deepEqual(
      bad.map((n) => [n.address, n.role, n.problem?.code]),
      [[`127.0.0.1:${lab!.nodes[4]!.port}`, 'replica', 'HOSTNAME_MISMATCH']],
    );
    assert.match(bad[0]!.chain[0]?.subject ?? '', /\*\.other\.cluster\.lab/, "the failed node's chain as presented");
    assert.ok(
      report.nodes.filter((n) => n.ok).every((n) => n.tls?.authorized === true && /TLSv1\.[23]/.test(n.tls.protocol) && n.chain.length > 0),
    );
    assert.deepEqual(report.nodes[0]!.slots, [[0, 5460]]);
    // The shape the issue names, on every node: address, role, slots, ok, problem, tls { protocol, authorized }, chain.
    for (const n of report.nodes) {
      const missing = ['address', 'role', 'slots', 'ok', 'problem', 'tls', 'chain'].filter((field) => !(field in n));
      assert.deepEqual(missing, [], `${n.address} lacks ${missing.join(', ')}`);
      assert.ok(Array.isArray(n.slots) && Array.isArray(n.chain) && typeof n.ok === 'boolean', n.address);
      if (n.ok) assert.equal(n.problem, null, `${n.address}: an ok node has problem null`);
    }
    assert.deepEqual(report.nodes.map((n) => n.role).sort(), ['primary', 'primary', 'primary', 'replica', 'replica', 'replica']);
    const fixed = await runCli([
      'doctor',
      ...seedArgs,
      '--node-names',
      'announced',
      '--node-name',
      `127.0.0.1:${lab!.nodes[4]!.port}=x.other.cluster.lab`,
    ]);
    assert.equal(fixed.code, 0, fixed.stdout.toString());
  });

  it("seedConnection: the seed's own node uses the seed connection (no second handshake) only when its verification is the seed's; primariesOnly connects no replica", async () => {
    const own = await RedisConnection.open(lab!.seed);
    const r = await open({ naming: { naming: 'announced' }, seedConnection: own, primariesOnly: true });
    assert.deepEqual(
      r.nodeStatuses.map((n) => n.info.role),
      ['primary', 'primary', 'primary'],
    );
    const first = r.scanTargets[0]!;
    assert.equal(first.options.port, lab!.nodes[0]!.port);
    assert.equal(await first.connect(), own, 'node 0 answers over the seed connection');
    assert.equal(first.connects, 0);
    assert.equal(r.scanTargets[1]!.connects, 1);
    await r.close();
    assert.equal(own.closed, true, 'the router owns the adopted connection');

    // A mapping that verifies node 0 against another name: the seed connection (verified against the
    // seed's name) is not used, and node 0 fails verification on its own handshake.
    const other = await RedisConnection.open(lab!.seed);
    const mapped = await open({
      naming: { naming: 'announced', map: { [`127.0.0.1:${lab!.nodes[0]!.port}`]: 'x.other.cluster.lab' } },
      seedConnection: other,
      primariesOnly: true,
    });
    const node0 = mapped.nodeStatuses.find((n) => n.info.port === lab!.nodes[0]!.port)!;
    assert.equal(node0.ok, false);
    assert.equal(node0.choice.verifiedName, 'x.other.cluster.lab');
    assert.equal(other.closed, false, 'not adopted, so not closed by the router');
    await mapped.close();
    assert.equal(other.closed, false);
    await other.close();
  });

  it('redis-tls scan --cluster lists every key of every primary once', async () => {
    const ca = (await getLab()).rootCa.certPath;
    const r = await runCli([
      'scan',
      '-h',
      '127.0.0.1',
      '-p',
      String(lab!.nodes[0]!.port),
      '--tls',
      '--cacert',
      ca,
      '--sni',
      'node-0.cluster.lab',
      '--cluster',
      '--node-names',
      'announced',
      '--count',
      '50',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const keys = r.stdout.toString().split('\n').filter(Boolean);
    assert.equal(keys.length, KEYS);
    assert.equal(new Set(keys).size, KEYS);
  });
});
