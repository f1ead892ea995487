// The key browser's core against a real redis-server over verified TLS (lab): SCAN paging and
// filters, per-database access through a shared connection, grouping, key facts, value readers.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { displayBytes } from '../../src/core/keys/bytes';
import { Database, describeServer } from '../../src/core/keys/database';
import { fetchDetails, fetchMeta } from '../../src/core/keys/keyInfo';
import { Keyspace } from '../../src/core/keys/keyspace';
import { ScanPager } from '../../src/core/keys/scanPager';
import { readValue } from '../../src/core/keys/values';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { BINARY_KEY, BINARY_VALUE, DB0_KEY_COUNT, seedKeyBrowser } from './keysSeed';

describe('key browser core over TLS (lab)', function () {
  this.timeout(60_000);
  let srv: RedisServer;
  let conn: RedisConnection;
  let db0: Database;

  before(async () => {
    const lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    conn = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seedKeyBrowser(conn);
    db0 = new Database(conn, 0, 0);
  });

  after(async () => {
    try {
      await conn?.close();
    } finally {
      await srv?.stop();
    }
  });

  it('describes the server: databases and key counts from INFO keyspace, not a cluster', async () => {
    const shape = await describeServer(conn);
    assert.equal(shape.cluster, false);
    assert.deepEqual(
      shape.databases.map((d) => [d.index, d.keys]),
      [
        [0, DB0_KEY_COUNT],
        [2, 2],
      ],
    );
    assert.ok(shape.databases[0]!.expires >= 2);
  });

  it('scans everything in pages without KEYS, exactly once per key here', async () => {
    const pager = new ScanPager(db0, {}, 100);
    const seen: Buffer[] = [];
    const first = await pager.load(100, (keys) => seen.push(...keys));
    assert.ok(first.keys >= 100 && !first.done);
    await pager.loadAll((keys) => seen.push(...keys));
    assert.equal(pager.done, true);
    const unique = new Set(seen.map((k) => k.toString('latin1')));
    assert.equal(unique.size, DB0_KEY_COUNT);
    assert.ok(unique.has(BINARY_KEY.toString('latin1')), 'the binary key arrives byte-exact');
  });

  it('streams SCAN pages from the socket (rawSink): the same keys and round trips as parsed pages, a load stops near its target', async () => {
    const parsed = new ScanPager(db0, {}, 100);
    const parsedKeys: string[] = [];
    await parsed.loadAll((keys) => parsedKeys.push(...keys.map((k) => k.toString('latin1'))));
    const streamed = new ScanPager(db0, {}, 100);
    const streamedKeys: string[] = [];
    const rawSink = (buf: Buffer, start: number, end: number): void => {
      streamedKeys.push(buf.toString('latin1', start, end));
    };
    const first = await streamed.load(150, () => assert.fail('pages go to rawSink when the connection streams'), { rawSink });
    assert.ok(first.keys >= 150 && first.keys < 400, `one load of 150 keys at COUNT 100 took ${first.keys} keys in ${first.calls} calls`);
    await streamed.loadAll(() => assert.fail('pages go to rawSink'), { rawSink });
    assert.equal(streamed.done, true);
    assert.deepEqual(streamedKeys.sort(), parsedKeys.sort());
    assert.equal(streamed.calls, parsed.calls, 'no SCAN is sent past the end of the walk');
    assert.ok(new Set(streamedKeys).has(BINARY_KEY.toString('latin1')), 'binary keys stream byte-exact');
  });

  it('filters with MATCH and TYPE', async () => {
    const collect = async (filter: ConstructorParameters<typeof ScanPager>[1]): Promise<string[]> => {
      const out: string[] = [];
      await new ScanPager(db0, filter, 500).loadAll((keys) => out.push(...keys.map((k) => displayBytes(k))));
      return out.sort();
    };
    assert.deepEqual(await collect({ match: 'user:*:profile' }), ['user:1:profile', 'user:2:profile']);
    assert.deepEqual(await collect({ type: 'hash' }), ['big:hash', 'user:1:profile', 'user:2:profile']);
    assert.deepEqual(await collect({ match: 'user:*', type: 'string' }), ['user:1:session', 'user:2:session']);
    assert.deepEqual(await collect({ type: 'stream' }), ['events:stream']);
    assert.deepEqual(await collect({ match: Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0x2a]) }), [displayBytes(BINARY_KEY)]);
  });

  it('groups incrementally into namespaces and pages big folders, with type and TTL of visible keys', async () => {
    const ks = new Keyspace(db0, { delimiter: ':', scanPageSize: 100, childPageSize: 50 });
    await ks.ensureStarted();
    assert.ok(ks.tree.root.total >= 100 && ks.tree.root.total < DB0_KEY_COUNT);
    await ks.loadAll();
    assert.equal(ks.tree.root.total, DB0_KEY_COUNT);
    const root = await ks.children(ks.tree.root);
    const names = root.entries.map((e) => (e.kind === 'folder' ? `${e.folder.segment}/` : displayBytes(e.key)));
    assert.deepEqual(names, ['a/', 'app/', 'big/', 'bin/', 'events/', 'many/', 'queue/', 'tags/', 'user/', 'leaderboard', 'standalone']);
    const leaderboard = root.entries.find((e) => e.kind === 'key' && e.key.toString() === 'leaderboard');
    assert.deepEqual(leaderboard?.kind === 'key' && leaderboard.meta, { type: 'zset', pttl: -1 });

    const many = ks.tree.find([Buffer.from('many')])!;
    const page = await ks.children(many);
    assert.equal(page.entries.length, 50);
    assert.equal(page.hidden, 1150);
    ks.showMore(many);
    assert.equal((await ks.children(many)).entries.length, 100);

    const user1 = ks.tree.find([Buffer.from('user'), Buffer.from('1')])!;
    const u = await ks.children(user1);
    const session = u.entries.find((e) => e.kind === 'key' && e.key.toString() === 'user:1:session');
    assert.ok(session && session.kind === 'key');
    assert.equal(session.meta.type, 'string');
    assert.ok(session.meta.pttl > 3_500_000 && session.meta.pttl <= 3_600_000);

    const bin = ks.tree.find([Buffer.from('bin')])!;
    const [binary] = (await ks.children(bin)).entries;
    assert.ok(binary && binary.kind === 'key');
    assert.deepEqual(binary.key, BINARY_KEY);
    assert.equal(binary.meta.type, 'string', 'TYPE was sent with the original bytes');
  });

  it('"Load all" can be cancelled: what arrived stays, and scanning resumes from the same cursor', async () => {
    const ks = new Keyspace(db0, { delimiter: ':', scanPageSize: 100, childPageSize: 50 });
    const abort = new AbortController();
    let pages = 0;
    await assert.rejects(
      ks.loadAll(abort.signal, () => {
        if (++pages === 3) abort.abort(new Error('cancelled by the user'));
      }),
      /cancelled by the user/,
    );
    const partial = ks.tree.root.total;
    assert.ok(partial > 0 && partial < DB0_KEY_COUNT, `partial ${partial}`);
    assert.equal(ks.pager.done, false);
    await ks.loadAll();
    assert.equal(ks.pager.done, true);
    const root = await ks.children(ks.tree.root);
    assert.ok(root.entries.length > 5);
    // Every key exactly once after the resumed scan (no page lost or repeated at the cut).
    let all = 0;
    const count = async (f: typeof ks.tree.root): Promise<void> => {
      const page = ks.tree.list(f);
      for (const e of page.entries)
        if (e.kind === 'folder') await count(e.folder);
        else all++;
    };
    await count(ks.tree.root);
    assert.equal(all, DB0_KEY_COUNT);
  });

  it('reads another database through the shared connection and leaves it on its own database', async () => {
    const db2 = new Database(conn, 2, 0);
    const keys: string[] = [];
    await new ScanPager(db2, {}, 100).loadAll((page) => keys.push(...page.map((k) => k.toString())));
    assert.deepEqual(keys.sort(), ['db2:hash', 'db2:only']);
    const [meta] = await fetchMeta(db2, [Buffer.from('db2:hash')]);
    assert.equal(meta!.type, 'hash');
    assert.equal((await conn.send(['GET', 'standalone']))?.toString(), 'no namespace', 'the connection is still on db0');
    assert.match((await readValue(db2, Buffer.from('db2:only'))).text, /in db 2/);
  });

  it('fetches key details on demand', async () => {
    const d = await fetchDetails(db0, Buffer.from('user:1:profile'));
    assert.equal(d.type, 'hash');
    assert.equal(d.length, 3);
    assert.equal(d.encoding, 'listpack');
    assert.ok((d.memoryBytes ?? 0) > 0);
  });

  describe('value readers', () => {
    const read = (key: string | Buffer, pos = {}, caps = { maxBytes: 1024 * 1024, maxElements: 1000 }) =>
      readValue(db0, typeof key === 'string' ? Buffer.from(key) : key, pos, caps);

    it('strings: pretty JSON with exact literals, text as is, binary as a hex dump', async () => {
      const json = await read('app:config:json');
      assert.equal(json.kind, 'json');
      assert.match(json.text, /^{\n {2}"id": 12345678901234567890,\n {2}"name": "Ada",/);
      const text = await read('app:config:text');
      assert.equal(text.kind, 'text');
      assert.equal(text.text, 'plain text value\nline 2');
      const bin = await read('app:blob');
      assert.equal(bin.kind, 'hex');
      assert.match(bin.text, /^00000000 {2}00 01 02 ff 89 50 4e 47 {2}0d 0a 1a 0a/);
      assert.equal(BINARY_VALUE.length, 12);
      const byBinaryKey = await read(BINARY_KEY);
      assert.equal(byBinaryKey.text, 'value of a binary key');
    });

    it('strings beyond the byte cap come in parts with a note and the next offset', async () => {
      const first = await read('big:string', {}, { maxBytes: 2048, maxElements: 1000 });
      assert.deepEqual(first.next, { offset: 2048 });
      assert.match(first.text, /Showing bytes 0–2,047 of 5,000/);
      const last = await read('big:string', { offset: 4096 }, { maxBytes: 2048, maxElements: 1000 });
      assert.equal(last.next, undefined);
      assert.match(last.text, /Showing bytes 4,096–4,999 of 5,000/);
      assert.ok(last.text.endsWith('x'.repeat(904)));
    });

    it('hash: sorted fields, binary fields escaped and marked; capped with a cursor', async () => {
      const h = await read('user:2:profile');
      assert.equal(h.kind, 'jsonc');
      assert.match(h.text, /"name": "Grace"/);
      assert.match(h.text, /"\\\\xca\\\\xfe" \/\* binary, \\xNN escaped \*\/: "\\\\xff" \/\* binary/);
      const big = await read('big:hash', {}, { maxBytes: 1024, maxElements: 400 });
      assert.ok(big.next?.cursor);
      assert.match(big.text, /Showing \d[\d,]* fields of 1,500/);
      // Following the cursors gives every field exactly once (HSCAN without rehashing).
      const fields = new Set<string>();
      let part = big;
      for (;;) {
        for (const m of part.text.matchAll(/^ {2}"(f\d+)":/gm)) fields.add(m[1]!);
        if (!part.next) break;
        part = await read('big:hash', part.next, { maxBytes: 1024, maxElements: 400 });
      }
      assert.equal(fields.size, 1500);
    });

    it('list, set, sorted set (scores, inf) and stream (paged by id)', async () => {
      const list = await read('big:list', {}, { maxBytes: 1024, maxElements: 1000 });
      assert.deepEqual(list.next, { offset: 1000 });
      assert.match(list.text, /"item-0", \/\/ 0\n/);
      const third = await read('big:list', { offset: 2000 }, { maxBytes: 1024, maxElements: 1000 });
      assert.equal(third.next, undefined);
      assert.match(third.text, /"item-2499" \/\/ 2499\n\]/);
      assert.match(third.text, /This is the last part/);

      const set = await read('tags:all');
      assert.match(set.text, /\[\n {2}"blue",\n {2}"green",\n {2}"red"\n\]/);

      const zset = await read('leaderboard');
      assert.match(zset.text, /"ada": 1\.5,\n {2}"grace": 3,\n {2}"top": "inf"/);

      const s1 = await read('events:stream', {}, { maxBytes: 1024, maxElements: 2 });
      assert.deepEqual(s1.next, { after: '1-2' });
      assert.match(s1.text, /"1-1": \{ "type": "login", "user": "ada" \}/);
      const s2 = await read('events:stream', s1.next, { maxBytes: 1024, maxElements: 2 });
      assert.match(s2.text, /"2-0": \{ "type": "login", "user": "grace" \}/);
      assert.doesNotMatch(s2.text, /"1-2"/);
    });

    it('TTL in the header, missing keys explained', async () => {
      const s = await read('user:1:session');
      assert.match(s.summary, /TTL 59m|TTL 1h/);
      const gone = await read('no:such:key');
      assert.equal(gone.type, 'none');
      assert.match(gone.text, /does not exist/);
    });
  });
});
