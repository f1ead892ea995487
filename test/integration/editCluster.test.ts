// Editing in a cluster (lab, 3 masters over verified TLS): the transaction of a save runs on the
// key's slot owner, and RENAME / COPY across slots are refused before sending, naming both slots.
import * as assert from 'node:assert/strict';
import { ClusterRouter, keySlot } from '../../src/core/client/cluster';
import { RedisConnection } from '../../src/core/client/connection';
import { TlsCache } from '../../src/core/tls/context';
import { Database } from '../../src/core/keys/database';
import { asText } from '../../src/core/keys/replyNarrowing';
import { readValue } from '../../src/core/keys/values';
import { saveValue } from '../../src/core/edit/save';
import { CrossSlotError, duplicateKey, renameKey } from '../../src/core/edit/keyOps';
import { startTlsCluster, type TlsCluster } from './clusterLab';

describe('edit in a cluster over verified TLS (lab, 3 masters)', function () {
  this.timeout(45_000);
  let cluster: TlsCluster | undefined;
  let seed: RedisConnection;
  let router: ClusterRouter;
  let db: Database;

  before(async () => {
    cluster = await startTlsCluster();
    seed = await RedisConnection.open(cluster.base);
    router = await ClusterRouter.open(seed, cluster.base, { tlsCache: new TlsCache() });
    db = new Database(router, 0, 0);
  });

  after(async () => {
    try {
      await router?.close();
      await seed?.close();
    } finally {
      await cluster?.stop();
    }
  });

  it('saves on the slot owner of every master (WATCH/MULTI/EXEC never reach another node)', async () => {
    const ranges = cluster!.ranges;
    for (const [lo, hi] of ranges) {
      // A key whose slot this master owns.
      let i = 0;
      let name = '';
      do name = `edit:${i++}`;
      while (!(keySlot(name) >= lo && keySlot(name) <= hi));
      await router.send(['HSET', name, 'f', 'old']);
      await router.send(['PEXPIRE', name, 600_000]);
      const at = await router.send(['PEXPIRETIME', name]);
      const part = await readValue(db, Buffer.from(name));
      const result = await saveValue(db, {
        key: Buffer.from(name),
        type: 'hash',
        kind: part.kind,
        scope: { whole: true, last: true },
        original: part.text,
        edited: part.text.replace('"old"', '"new"'),
      });
      assert.equal(result.status, 'saved', `slot ${keySlot(name)}`);
      assert.equal(asText(await router.send(['HGET', name, 'f'])), 'new');
      assert.equal(await router.send(['PEXPIRETIME', name]), at);
    }
  });

  it('refuses RENAME and COPY across slots naming both, suggests a hashtag; same-slot names work', async () => {
    await router.send(['SET', 'user:1', 'v']);
    const a = keySlot('user:1');
    const b = keySlot('user:2');
    assert.notEqual(a, b);
    for (const op of [renameKey, duplicateKey]) {
      await assert.rejects(op(db, Buffer.from('user:1'), Buffer.from('user:2')), (e: unknown) => {
        assert.ok(e instanceof CrossSlotError);
        assert.equal(
          e.message,
          `"user:1" is in hash slot ${a} and "user:2" in slot ${b}: a cluster cannot rename or copy across slots. Give both names the same {hashtag} (e.g. "{user}…") so they share a slot.`,
        );
        return true;
      });
    }
    assert.equal(asText(await router.send(['GET', 'user:1'])), 'v');
    await router.send(['SET', '{user}:1', 'v']);
    await duplicateKey(db, Buffer.from('{user}:1'), Buffer.from('{user}:copy'));
    await renameKey(db, Buffer.from('{user}:1'), Buffer.from('{user}:2'));
    assert.equal(asText(await router.send(['GET', '{user}:2'])), 'v');
    assert.equal(asText(await router.send(['GET', '{user}:copy'])), 'v');
  });
});
