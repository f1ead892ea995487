// Cluster over verified TLS (lab): a real 3-master redis-server cluster (tls-cluster yes, TLS-only
// ports) whose node certificate names `localhost` only (no IP SAN) while the nodes announce 127.0.0.1.
// The router connects to the announced IPs and verifies every node against the configured name.
import * as assert from 'node:assert/strict';
import { ClusterRouter, isClusterEnabled, keySlot, readTopology } from '../../src/core/client/cluster';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { DiagnosedError } from '../../src/core/diagnosis/problem';
import { TlsCache } from '../../src/core/tls/context';
import { ClusterScanPager } from '../../src/core/keys/clusterScan';
import { Database, describeServer } from '../../src/core/keys/database';
import { fetchMeta } from '../../src/core/keys/keyInfo';
import { Keyspace } from '../../src/core/keys/keyspace';
import { readValue } from '../../src/core/keys/values';
import type { RedisServer } from '../lab/servers';
import { getLab } from '../lab/certs';
import { startTlsCluster, text, type TlsCluster } from './clusterLab';

const KEY_COUNT = 600;

/** The diagnosis code an open fails with; should it succeed after all, what it opened is closed. */
async function codeOf(p: Promise<{ close(): Promise<void> }>): Promise<string> {
  try {
    await (await p).close();
  } catch (e) {
    return e instanceof DiagnosedError ? e.problem.code : `not diagnosed: ${String(e)}`;
  }
  return 'no error';
}

describe('cluster over verified TLS (lab, 3 masters)', function () {
  this.timeout(45_000);
  let cluster: TlsCluster | undefined;
  let servers: RedisServer[] = [];
  let admin: RedisConnection[] = [];
  let ids: string[] = [];
  let base: ConnectionOptions;
  let seed: RedisConnection;
  let router: ClusterRouter;
  const seeded = new Map<string, string>();

  before(async () => {
    cluster = await startTlsCluster();
    ({ servers, admin, ids, base } = cluster);
    seed = await RedisConnection.open(base);
    router = await ClusterRouter.open(seed, base, { tlsCache: new TlsCache() });
    for (let i = 0; i < KEY_COUNT; i++) {
      const k = i % 10 === 0 ? `{tag}:k${i}` : `ns${i % 7}:key:${i}`;
      seeded.set(k, `v${i}`);
    }
    await Promise.all([...seeded].map(([k, v]) => router.send(['SET', k, v])));
  });

  after(async () => {
    try {
      await Promise.allSettled([router?.close(), seed?.close()]);
    } finally {
      await cluster?.stop();
    }
  });

  it('detects cluster mode and reads the masters with their TLS ports and announced IPs', async () => {
    assert.equal(await isClusterEnabled(seed), true);
    assert.equal((await describeServer(seed)).cluster, true);
    const masters = await readTopology(seed, base);
    assert.deepEqual(
      masters.map((m) => [m.host, m.port, m.id]),
      servers.map((s, i) => ['127.0.0.1', s.port, ids[i]]),
    );
    assert.deepEqual(
      masters.map((m) => m.slots),
      [[[0, 5460]], [[5461, 10922]], [[10923, 16383]]],
    );
  });

  it('computes the same hash slots as the server (CRC16, {hashtag} rules)', async () => {
    const keys = [
      'foo',
      '{user1000}.following',
      '{user1000}.followers',
      'foo{}{bar}',
      'foo{{bar}}zap',
      'foo{bar}{zap}',
      '{}x',
      '',
      Buffer.from([0xff, 0x00, 0x7b, 0x61, 0x7d]),
    ];
    for (const k of keys) assert.equal(keySlot(k), Number(await seed.send(['CLUSTER', 'KEYSLOT', k])), `slot of ${String(k)}`);
    assert.equal(router.refreshes, 0, 'seeding through the router needed no MOVED redirect');
  });

  it('verifies every node against the configured name while connecting to the announced IP', async () => {
    const nodes = router.nodes;
    assert.equal(nodes.length, 3);
    for (const n of nodes) {
      const r = n.report;
      assert.ok(r, 'connected');
      assert.equal(r.host, '127.0.0.1');
      assert.equal(r.servername, 'localhost');
      assert.equal(r.verifiedName, 'localhost');
      assert.equal(r.verification, 'chain');
      assert.equal(r.authorized, true);
    }
    // The certificate really does not name the IP: without the per-node name the handshake fails.
    assert.equal(await codeOf(RedisConnection.open({ ...base, host: '127.0.0.1', port: servers[1]!.port })), 'HOSTNAME_MISMATCH');
  });

  it("the nodes share the profile's one SecureContext (the CA bundle is parsed once), each verified against its name", async () => {
    const cache = new TlsCache();
    const own = await RedisConnection.open(base, { tlsCache: cache });
    const r = await ClusterRouter.open(own, base, { tlsCache: cache });
    try {
      assert.equal(r.nodes.filter((n) => n.report?.authorized === true).length, 3);
      assert.equal(cache.contextCount, 1, 'one SecureContext for the seed and three nodes');
      // Different trust is a different context: a node reached with another CA list fails on its own.
      const other = await codeOf(
        RedisConnection.open({ ...base, tls: { ...base.tls, ca: [(await getLab()).otherRoot.cert] } }, { tlsCache: cache }),
      );
      assert.notEqual(other, 'no error');
      assert.equal(cache.contextCount, 2);
    } finally {
      await r.close();
      await own.close();
    }
  });

  it('fails with HOSTNAME_MISMATCH for a wrong configured servername; an explicit per-node map fixes it', async () => {
    const wrong: ConnectionOptions = { ...base, tls: { ...base.tls, servername: 'wrong.example' } };
    assert.equal(await codeOf(ClusterRouter.open(seed, wrong, { tlsCache: new TlsCache() })), 'HOSTNAME_MISMATCH');
    const nameMap = Object.fromEntries(servers.map((s) => [`127.0.0.1:${s.port}`, 'localhost']));
    const mapped = await ClusterRouter.open(seed, wrong, { nameMap, tlsCache: new TlsCache() });
    try {
      assert.deepEqual(
        mapped.nodes.map((n) => n.report?.verifiedName),
        ['localhost', 'localhost', 'localhost'],
      );
      assert.ok(mapped.nodes.every((n) => n.report?.authorized === true));
    } finally {
      await mapped.close();
    }
  });

  it('scans every master (own cursor each): a full scan returns every key exactly once', async () => {
    const ks = new Keyspace(new Database(router, 0, 0), { delimiter: ':', scanPageSize: 50, childPageSize: 50 });
    assert.ok(ks.pager instanceof ClusterScanPager);
    const first = await ks.loadMore();
    assert.equal(first.done, false);
    assert.ok(ks.tree.root.total >= 50 && ks.tree.root.total < KEY_COUNT, 'one page, not everything');
    await ks.loadAll();
    assert.equal(ks.pager.done, true);
    assert.equal(ks.tree.root.total, KEY_COUNT, 'the tree holds every key of every master');
    const all = new ClusterScanPager(router.scanTargets, {}, 100);
    const everything: string[] = [];
    await all.loadAll((keys) => everything.push(...keys.map((k) => k.toString('utf8'))));
    assert.equal(everything.length, KEY_COUNT, 'no key twice');
    assert.deepEqual(new Set(everything), new Set(seeded.keys()));
    assert.ok(
      all.pagers.every((p) => p.keys > 0),
      'every master contributed keys',
    );
    assert.equal(await router.keyCount(), KEY_COUNT, 'DBSIZE summed over the masters');
    // Paged "Load more" over the cluster reaches the end too, with a MATCH filter applied on every node.
    const tagged = new ClusterScanPager(router.scanTargets, { match: '{tag}:*' }, 10);
    const got: string[] = [];
    while (!tagged.done) await tagged.load(10, (keys) => got.push(...keys.map((k) => k.toString('utf8'))));
    assert.equal(got.length, KEY_COUNT / 10);
  });

  it('routes value reads and key metadata to the owning master', async () => {
    const db = new Database(router, 0, 0);
    const onOther = [...seeded.keys()].find((k) => keySlot(k) > 5460);
    assert.ok(onOther, 'a key on another master than the seed');
    // The seed connection itself cannot read it: the server redirects.
    await assert.rejects(seed.send(['GET', onOther]), /MOVED \d+ 127\.0\.0\.1:\d+/);
    assert.equal((await readValue(db, Buffer.from(onOther))).text, seeded.get(onOther));
    const sample = [...seeded.keys()].slice(0, 30).map((k) => Buffer.from(k));
    const metas = await fetchMeta(db, sample);
    assert.ok(metas.every((m) => m.type === 'string'));
    assert.equal(await router.send(['EXISTS', ...sample]), sample.length, 'a multi-key EXISTS is split per slot');
  });

  it('follows MOVED after a slot changes owner (one topology refresh) and ASK during a migration', async () => {
    const freeSlotKey = (prefix: string): string => {
      for (let i = 0; ; i++) {
        const k = `${prefix}:${i}`;
        const s = keySlot(k);
        if (s <= 5460 && ![...seeded.keys()].some((x) => keySlot(x) === s)) return k;
      }
    };
    // MOVED: an empty slot of master 0 is handed to master 1 behind the router's back.
    const moved = freeSlotKey('moved');
    for (const a of admin) await a.send(['CLUSTER', 'SETSLOT', keySlot(moved), 'NODE', ids[1]!]);
    const before = router.refreshes;
    assert.equal(text(await router.send(['SET', moved, 'x'])), 'OK');
    assert.equal(router.refreshes, before + 1, 'one topology refresh');
    assert.equal(text(await admin[1]!.send(['GET', moved])), 'x', 'the key landed on the new owner');
    assert.equal(text(await router.send(['GET', moved])), 'x');
    assert.equal(router.refreshes, before + 1, 'the refreshed table routes directly');
    // ASK: slot migrating from master 0 to master 1; a key not yet on 0 is served by 1 after ASKING.
    let asked = freeSlotKey('asked');
    while (keySlot(asked) === keySlot(moved)) asked = freeSlotKey(`${asked}x`);
    const slot = keySlot(asked);
    await admin[1]!.send(['CLUSTER', 'SETSLOT', slot, 'IMPORTING', ids[0]!]);
    await admin[0]!.send(['CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids[1]!]);
    await assert.rejects(admin[0]!.send(['GET', asked]), /ASK \d+ 127\.0\.0\.1:\d+/);
    assert.equal(text(await router.send(['SET', asked, 'y'])), 'OK');
    assert.equal(text(await router.send(['GET', asked])), 'y');
    assert.equal(router.refreshes, before + 1, 'ASK needs no refresh');
    const [, onTarget] = await Promise.all([admin[1]!.send(['ASKING']), admin[1]!.send(['GET', asked])]);
    assert.equal(text(onTarget), 'y');
    for (const a of admin) await a.send(['CLUSTER', 'SETSLOT', slot, 'NODE', ids[1]!]);
  });
});
