/**
 * The terminal on a real Redis Cluster over verified TLS (test/lab/clusterLab.ts: three primaries): a
 * keyed command runs on its slot's owner and the prompt names that node; MOVED (a slot handed to
 * another primary behind the terminal's back) and ASK (a slot being migrated) are followed; a keyless
 * command runs on the node a `NODE host:port` prefix names, and `NODE host:port` alone makes that node
 * the one keyless commands go to.
 */
import * as assert from 'node:assert/strict';
import { keySlot } from '../../src/core/client/cluster';
import { startClusterLab, text, type ClusterLab } from '../lab/clusterLab';
import { plain, TypedRepl } from './replHarness';

/** A key of `prefix` whose slot `owner` (a primary index) serves and no other test key uses. */
function keyOn(lab: ClusterLab, owner: number, prefix: string, avoid: ReadonlySet<number> = new Set()): string {
  const [lo, hi] = lab.ranges[owner] as [number, number];
  for (let i = 0; ; i++) {
    const k = `${prefix}:${i}`;
    const s = keySlot(k);
    if (s >= lo && s <= hi && !avoid.has(s)) return k;
  }
}

describe('terminal on a cluster (lab, 3 primaries over TLS)', function () {
  this.timeout(60_000);
  let lab: ClusterLab;
  const open: TypedRepl[] = [];

  const repl = async (): Promise<TypedRepl> => {
    const r = new TypedRepl(lab.seed, 'Cluster lab');
    open.push(r);
    await r.start();
    return r;
  };
  const promptOf = (i: number): string => `127.0.0.1:${(lab.primaries[i] as { port: number }).port}> `;

  before(async function () {
    this.timeout(120_000);
    lab = await startClusterLab({ naming: 'shared' });
  });
  afterEach(() => {
    for (const r of open.splice(0)) r.dispose();
  });
  after(async () => {
    await lab?.stop();
  });

  it('a keyed command runs on its slot owner, and the prompt shows that node', async () => {
    const r = await repl();
    assert.ok(r.session.isCluster);
    assert.equal(r.session.prompt, promptOf(0), 'the seed first');
    const onTwo = keyOn(lab, 2, 'owner');
    assert.match(await r.type(`SET ${onTwo} v2`), /^OK$/m);
    assert.equal(r.session.prompt, promptOf(2));
    assert.equal(text(await lab.admin[2]!.send(['GET', onTwo])), 'v2', 'the key is on its owner');
    const onOne = keyOn(lab, 1, 'owner');
    assert.match(await r.type(`SET ${onOne} v1`, `GET ${onOne}`), /^"v1"$/m);
    assert.equal(r.session.prompt, promptOf(1));
    // The prompt the user saw before each command names the node that ran the one before.
    assert.match(plain(r.out), new RegExp(`${promptOf(2).replace(/\./g, '\\.')}SET ${onOne} v1`));
  });

  it('NODE host:port runs a keyless command on that node; alone, it makes that node the default', async () => {
    const r = await repl();
    const onOne = keyOn(lab, 1, 'count');
    await lab.admin[1]!.send(['SET', onOne, 'x']);
    const count = async (i: number): Promise<string> => String(await lab.admin[i]!.send(['DBSIZE']));
    const node1 = `127.0.0.1:${lab.primaries[1]!.port}`;
    assert.match(await r.type(`NODE ${node1} DBSIZE`), new RegExp(`^\\(integer\\) ${await count(1)}$`, 'm'));
    assert.equal(r.session.prompt, promptOf(1));
    await r.type(`NODE 127.0.0.1:${lab.primaries[2]!.port}`);
    assert.equal(r.session.prompt, promptOf(2));
    assert.match(await r.type('DBSIZE'), new RegExp(`^\\(integer\\) ${await count(2)}$`, 'm'));
    assert.match(await r.type('CLUSTER MYID'), new RegExp(`^"${lab.primaries[2]!.id}"$`, 'm'));
    assert.match(await r.type('NODE 127.0.0.1:1 PING'), /is not a master of this cluster/);
    assert.match(await r.type('NODE nonsense PING'), /NODE needs host:port/);
    assert.match(await r.type('HELLO 3'), /not sent on a cluster connection/);
  });

  it('follows MOVED (a slot handed over behind its back) and ASK (a slot being migrated)', async () => {
    const r = await repl();
    const ids = lab.primaries.map((p) => p.id);
    // MOVED: the terminal's table says node 0; the slot now belongs to node 1.
    const moved = keyOn(lab, 0, 'moved');
    await r.type(`SET ${moved} before`);
    assert.equal(r.session.prompt, promptOf(0));
    await lab.admin[0]!.send(['DEL', moved]);
    for (const a of lab.admin) await a.send(['CLUSTER', 'SETSLOT', keySlot(moved), 'NODE', ids[1]!]);
    assert.match(await r.type(`SET ${moved} after`), /^OK$/m);
    assert.equal(r.session.prompt, promptOf(1), 'the prompt names the node that answered');
    assert.equal(text(await lab.admin[1]!.send(['GET', moved])), 'after');
    // ASK: slot of node 0 migrating to node 2; a key not on node 0 is served by node 2 after ASKING.
    const asked = keyOn(lab, 0, 'asked', new Set([keySlot(moved)]));
    const slot = keySlot(asked);
    await lab.admin[2]!.send(['CLUSTER', 'SETSLOT', slot, 'IMPORTING', ids[0]!]);
    await lab.admin[0]!.send(['CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids[2]!]);
    try {
      assert.match(await r.type(`SET ${asked} y`), /^OK$/m);
      assert.equal(r.session.prompt, promptOf(2));
      const [, onTarget] = await Promise.all([lab.admin[2]!.send(['ASKING']), lab.admin[2]!.send(['GET', asked])]);
      assert.equal(text(onTarget), 'y', 'the key landed on the importing node');
      assert.equal(await lab.admin[0]!.send(['CLUSTER', 'COUNTKEYSINSLOT', slot]), 0, 'nothing was written on the migrating node');
    } finally {
      for (const a of lab.admin) await a.send(['CLUSTER', 'SETSLOT', slot, 'NODE', ids[2]!]);
    }
  });
});
