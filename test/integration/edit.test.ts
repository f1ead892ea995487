// Editing values and keys against a real redis-server over verified TLS (lab): each type saved from
// its document keeps its TTL (PEXPIRETIME equal to the millisecond), a concurrent change is detected,
// binary values round-trip byte-exact, invalid input writes nothing, rename/copy refuse collisions.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { Database } from '../../src/core/keys/database';
import { asArray, asBuffer, asInteger, asText } from '../../src/core/keys/replyNarrowing';
import { readValue, type ValueCaps, type ValuePosition } from '../../src/core/keys/values';
import { DocumentError, type EditableType } from '../../src/core/edit/document';
import { saveValue, UnsupportedEditError, type SaveResult } from '../../src/core/edit/save';
import { createKey, duplicateKey, KeyExistsError, renameKey } from '../../src/core/edit/keyOps';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';

const TTL_MS = 600_000;
const k = (name: string): Buffer => Buffer.from(name);

describe('edit values and keys over TLS (lab)', function () {
  this.timeout(60_000);
  let srv: RedisServer;
  let conn: RedisConnection;
  let other: RedisConnection;
  let db: Database;

  before(async () => {
    const lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    const options = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    conn = await RedisConnection.open(options);
    other = await RedisConnection.open(options);
    db = new Database(conn, 0, 0);
  });

  after(async () => {
    try {
      await conn?.close();
      await other?.close();
    } finally {
      await srv?.stop();
    }
  });

  /** Reads a document like the editor does, lets `change` edit its text, saves it. */
  async function edit(name: string, change: (text: string) => string, caps?: ValueCaps, position: ValuePosition = {}): Promise<SaveResult> {
    const part = await readValue(db, k(name), position, caps);
    const scope = {
      offset: position.offset ?? 0,
      whole: !part.next && !position.offset && !position.cursor && !position.after,
      last: !part.next,
    };
    return saveValue(db, {
      key: k(name),
      type: part.type as EditableType,
      kind: part.kind,
      scope,
      original: part.text,
      edited: change(part.text),
    });
  }

  async function expireTime(name: string): Promise<number> {
    return asInteger(await conn.send(['PEXPIRETIME', k(name)]));
  }

  async function withTtl(name: string): Promise<number> {
    await conn.send(['PEXPIRE', k(name), TTL_MS]);
    return expireTime(name);
  }

  async function commandCalls(): Promise<Map<string, number>> {
    const info = asText(await conn.send(['INFO', 'commandstats']));
    const out = new Map<string, number>();
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] as string, Number(m[2]));
    return out;
  }

  it('string (JSON view): the JSON is written as typed with SET KEEPTTL; the TTL is unchanged', async () => {
    await conn.send(['SET', 'str:json', '{"a":1,"big":12345678901234567890}']);
    const at = await withTtl('str:json');
    const result = await edit('str:json', (t) => t.replace('"a": 1', '"a": 2'));
    assert.equal(result.status, 'saved');
    assert.equal(
      asText(await conn.send(['GET', 'str:json'])),
      '{\n  "a": 2,\n  "big": 12345678901234567890\n}',
      'big integer literal kept as typed',
    );
    assert.equal(await expireTime('str:json'), at);
  });

  it('string (text): saved exactly; an unchanged document writes nothing', async () => {
    await conn.send(['SET', 'str:text', 'hello world']);
    const at = await withTtl('str:text');
    assert.deepEqual(await edit('str:text', (t) => t), { status: 'unchanged' });
    assert.equal((await edit('str:text', (t) => t.replace('world', 'TLS\n'))).status, 'saved');
    assert.equal(asText(await conn.send(['GET', 'str:text'])), 'hello TLS\n');
    assert.equal(await expireTime('str:text'), at);
  });

  it('binary string: edited as hex and written back byte-exact (all 256 byte values)', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await conn.send(['SET', k('str:bin'), all]);
    const at = await withTtl('str:bin');
    const part = await readValue(db, k('str:bin'));
    assert.equal(part.kind, 'hex');
    // Change byte 0x10 (second line, first byte) from 10 to ee.
    const result = await edit('str:bin', (t) => t.replace(/^(00000010 {2})10/m, '$1ee'));
    assert.equal(result.status, 'saved');
    const expected = Buffer.from(all);
    expected[16] = 0xee;
    assert.deepEqual(asBuffer(await conn.send(['GET', k('str:bin')])), expected);
    assert.equal(await expireTime('str:bin'), at);
  });

  it('hash: changed, added and removed fields (HSET/HDEL); binary values kept byte-exact; TTL unchanged', async () => {
    await conn.send(['DEL', 'h']);
    await conn.send(['HSET', k('h'), 'name', 'Ada', 'role', 'admin', 'gone', 'x', 'bin', Buffer.from([0xff, 0x00, 0x41])]);
    const at = await withTtl('h');
    const result = await edit('h', (t) =>
      t
        .replace('"Ada"', '"Grace"')
        .replace(/\n {2}"gone": "x",/, '')
        .replace('"role": "admin"', '"role": "admin",\n  "new": "field"'),
    );
    assert.equal(result.status, 'saved');
    const flat = asArray(await conn.send(['HGETALL', 'h'])).map((r) => asBuffer(r));
    const map = new Map<string, Buffer>();
    for (let i = 0; i < flat.length; i += 2) map.set(flat[i]!.toString(), flat[i + 1]!);
    assert.deepEqual([...map.keys()].sort(), ['bin', 'name', 'new', 'role']);
    assert.equal(map.get('name')!.toString(), 'Grace');
    assert.deepEqual(map.get('bin'), Buffer.from([0xff, 0x00, 0x41]));
    assert.equal(await expireTime('h'), at);
    // The binary value itself edited through its escapes.
    assert.equal((await edit('h', (t) => t.replace('"\\\\xff\\\\x00A"', '"\\\\x00\\\\xfeB"'))).status, 'saved');
    assert.deepEqual(asBuffer(await conn.send(['HGET', 'h', 'bin'])), Buffer.from([0x00, 0xfe, 0x42]));
  });

  it('list: LSET for changed elements, RPUSH/LPUSH at the ends, a reshaped list replaced with its TTL re-applied', async () => {
    await conn.send(['DEL', 'l']);
    await conn.send(['RPUSH', 'l', 'a', 'b', 'c']);
    const at = await withTtl('l');
    const items = async (): Promise<string[]> => asArray(await conn.send(['LRANGE', 'l', 0, -1])).map((r) => asText(r));
    assert.equal((await edit('l', (t) => t.replace('"b"', '"B"'))).status, 'saved');
    assert.deepEqual(await items(), ['a', 'B', 'c']);
    assert.equal((await edit('l', (t) => t.replace('"c" // 2', '"c", "d" // 2'))).status, 'saved');
    assert.deepEqual(await items(), ['a', 'B', 'c', 'd']);
    // Remove the middle element: DEL + RPUSH in the transaction, then PEXPIREAT to the same instant.
    assert.equal((await edit('l', (t) => t.replace(/\n {2}"B", \/\/ 1/, ''))).status, 'saved');
    assert.deepEqual(await items(), ['a', 'c', 'd']);
    assert.equal(await expireTime('l'), at);
  });

  it('set: SADD/SREM; TTL unchanged', async () => {
    await conn.send(['DEL', 's']);
    await conn.send(['SADD', 's', 'x', 'y', 'z']);
    const at = await withTtl('s');
    assert.equal((await edit('s', (t) => t.replace('"y"', '"w"'))).status, 'saved');
    const members = asArray(await conn.send(['SMEMBERS', 's']))
      .map((r) => asText(r))
      .sort();
    assert.deepEqual(members, ['w', 'x', 'z']);
    assert.equal(await expireTime('s'), at);
  });

  it('sorted set: scores and members (ZADD/ZREM); TTL unchanged', async () => {
    await conn.send(['DEL', 'z']);
    await conn.send(['ZADD', 'z', 1, 'one', 2, 'two', 3, 'three']);
    const at = await withTtl('z');
    assert.equal(
      (
        await edit('z', (t) =>
          t
            .replace('"two": 2', '"two": 2.5')
            .replace(/,\n {2}"three": 3/, '')
            .replace('"one": 1', '"one": 1,\n  "inf": "-inf"'),
        )
      ).status,
      'saved',
    );
    const flat = asArray(await conn.send(['ZRANGE', 'z', 0, -1, 'WITHSCORES'])).map((r) => asText(r));
    assert.deepEqual(flat, ['inf', '-inf', 'one', '1', 'two', '2.5']);
    assert.equal(await expireTime('z'), at);
  });

  it('stream: new entries with *, deleted entries by id (XADD/XDEL); an entry changed in place is refused; TTL unchanged', async () => {
    await conn.send(['DEL', 'st']);
    await conn.send(['XADD', 'st', '1-1', 'f', 'a']);
    await conn.send(['XADD', 'st', '2-1', 'f', 'b']);
    const at = await withTtl('st');
    await assert.rejects(
      edit('st', (t) => t.replace('"f": "a"', '"f": "changed"')),
      UnsupportedEditError,
    );
    assert.equal(
      (await edit('st', (t) => t.replace(/\n {2}"1-1": \{ "f": "a" \},/, '').replace('"f": "b" }', '"f": "b" },\n  "*": { "g": "new" }')))
        .status,
      'saved',
    );
    const entries = asArray(await conn.send(['XRANGE', 'st', '-', '+'])).map((e) => asArray(e));
    assert.equal(entries.length, 2);
    assert.equal(asText(entries[0]![0]), '2-1');
    assert.deepEqual(
      asArray(entries[1]![1]).map((r) => asText(r)),
      ['g', 'new'],
    );
    assert.equal(await expireTime('st'), at);
  });

  it('a value changed by another client since the document was read: conflict, nothing written', async () => {
    await conn.send(['DEL', 'cc']);
    await conn.send(['HSET', 'cc', 'n', '1', 'm', '1']);
    const part = await readValue(db, k('cc'));
    await other.send(['HSET', 'cc', 'n', 'theirs']);
    const result = await saveValue(db, {
      key: k('cc'),
      type: 'hash',
      kind: part.kind,
      scope: { whole: true, last: true },
      original: part.text,
      edited: part.text.replace('"n": "1"', '"n": "mine"'),
    });
    assert.equal(result.status, 'conflict');
    assert.equal(asText(await conn.send(['HGET', 'cc', 'n'])), 'theirs', 'their write survives');
    // Overwrite = save again against the server's current part: mine wins, their other fields stay.
    const fresh = await readValue(db, k('cc'));
    const again = await saveValue(db, {
      key: k('cc'),
      type: 'hash',
      kind: fresh.kind,
      scope: { whole: true, last: true },
      original: fresh.text,
      edited: part.text.replace('"n": "1"', '"n": "mine"'),
    });
    assert.equal(again.status, 'saved');
    assert.equal(asText(await conn.send(['HGET', 'cc', 'n'])), 'mine');
    // A change to a field the document does not touch is no conflict.
    const third = await readValue(db, k('cc'));
    await other.send(['HSET', 'cc', 'unrelated', 'x']);
    const res3 = await saveValue(db, {
      key: k('cc'),
      type: 'hash',
      kind: third.kind,
      scope: { whole: true, last: true },
      original: third.text,
      edited: third.text.replace('"m": "1"', '"m": "2"'),
    });
    assert.equal(res3.status, 'saved');
    assert.equal(asText(await conn.send(['HGET', 'cc', 'unrelated'])), 'x');
  });

  it('a string changed or deleted by another client: conflict', async () => {
    await conn.send(['SET', 'cs', 'v1']);
    const part = await readValue(db, k('cs'));
    await other.send(['SET', 'cs', 'v2']);
    const edited = {
      key: k('cs'),
      type: 'string' as const,
      kind: part.kind,
      scope: { whole: true, last: true },
      original: part.text,
      edited: 'mine',
    };
    assert.equal((await saveValue(db, edited)).status, 'conflict');
    await other.send(['DEL', 'cs']);
    const gone = await saveValue(db, edited);
    assert.deepEqual(gone.status === 'conflict' && gone.reason, 'the key was deleted on the server since the document was opened');
    assert.equal(gone.status === 'conflict' && gone.cause, 'the key was deleted', 'the cause alone, for the prompt');
    assert.equal(await conn.send(['EXISTS', 'cs']), 0);
  });

  it('invalid input is reported with its line and column, and nothing is sent', async () => {
    await conn.send(['SET', 'inv:json', '{"a":1}']);
    await conn.send(['SET', k('inv:bin'), Buffer.from([0xff, 0xfe])]);
    await conn.send(['DEL', 'inv:h', 'inv:z']);
    await conn.send(['HSET', 'inv:h', 'a', '1']);
    await conn.send(['ZADD', 'inv:z', 1, 'm']);
    const before = await commandCalls();
    const problem = async (name: string, change: (t: string) => string): Promise<DocumentError> => {
      try {
        await edit(name, change);
      } catch (e) {
        if (e instanceof DocumentError) return e;
        throw e;
      }
      throw new Error('no DocumentError');
    };
    const json = await problem('inv:json', (t) => t.replace('"a": 1', '"a": 1,,'));
    assert.equal(json.problems[0]!.line, 1);
    const hex = await problem('inv:bin', (t) => t.replace('ff fe', 'ff f'));
    assert.match(hex.problems[0]!.message, /odd number of hex digits/);
    assert.equal(hex.problems[0]!.line, 0);
    assert.equal(hex.problems[0]!.column, 13);
    const score = await problem('inv:z', (t) => t.replace('"m": 1', '"m": "lots"'));
    assert.match(score.problems[0]!.message, /score must be a number/);
    const dup = await problem('inv:h', (t) => t.replace('"a": "1"', '"a": "1",\n  "a": "2"'));
    assert.match(dup.problems[0]!.message, /duplicate field "a" \(also on line 3\)/);
    assert.equal(dup.problems[0]!.line, 3, 'the second "a": the header comment, "{", the first "a", then it');
    const after = await commandCalls();
    for (const name of ['watch', 'multi', 'exec', 'set', 'hset', 'zadd', 'setrange'])
      assert.equal(after.get(name) ?? 0, before.get(name) ?? 0, `${name} was sent`);
  });

  it('a part of a capped value edits that part only', async () => {
    await conn.send(['DEL', 'big:h', 'big:l', 'big:s']);
    // 1000 fields: a real hash table (over hash-max-listpack-entries), so HSCAN pages (a small listpack hash comes back whole).
    await conn.send(['HSET', 'big:h', ...Array.from({ length: 1000 }, (_, i) => [`f${String(i).padStart(3, '0')}`, `v${i}`]).flat()]);
    await conn.send(['RPUSH', 'big:l', ...Array.from({ length: 30 }, (_, i) => `e${i}`)]);
    await conn.send(['SET', 'big:s', 'abcdefghijklmnopqrstuvwxyz0123456789']);
    const caps = { maxBytes: 16, maxElements: 10 };
    // Hash part: remove every shown field but one; the fields outside the part stay.
    const part = await readValue(db, k('big:h'), {}, caps);
    assert.ok(part.next);
    assert.match(part.text.split('\n')[1]!, /^\/\/ Showing .* A save changes this part only\.$/, 'the part says a save edits it alone');
    const shown = [...part.text.matchAll(/"(f\d{3})"/g)].map((m) => m[1] as string);
    const kept = shown[0] as string;
    const edited = part.text
      .split('\n')
      .filter((line) => !/"f\d{3}"/.test(line) || line.includes(`"${kept}"`))
      .join('\n')
      .replace(/("v\d+"),\n\}/, '$1\n}');
    const res = await saveValue(db, {
      key: k('big:h'),
      type: 'hash',
      kind: 'jsonc',
      scope: { whole: false, last: false },
      original: part.text,
      edited,
    });
    assert.equal(res.status, 'saved');
    assert.ok(shown.length >= 10);
    assert.equal(asInteger(await conn.send(['HLEN', 'big:h'])), 1000 - shown.length + 1);
    // List part (elements 10-19): change one; adding in the middle of a part is refused.
    assert.equal((await edit('big:l', (t) => t.replace('"e12"', '"E12"'), caps, { offset: 10 })).status, 'saved');
    assert.equal(asText(await conn.send(['LINDEX', 'big:l', 12])), 'E12');
    await assert.rejects(
      edit('big:l', (t) => t.replace('"e13",', '"e13", "x",'), caps, { offset: 10 }),
      UnsupportedEditError,
    );
    assert.equal(asInteger(await conn.send(['LLEN', 'big:l'])), 30);
    // String part (bytes 16-31): SETRANGE, same length only.
    assert.match(
      (await readValue(db, k('big:s'), { offset: 16 }, caps)).text,
      /^\[redis-tls\] Showing bytes 16–31 of 36 .* A save changes these bytes only \(same length\)\.\n\n/,
    );
    assert.equal((await edit('big:s', (t) => t.replace('qrst', 'QRST'), caps, { offset: 16 })).status, 'saved');
    assert.equal(asText(await conn.send(['GET', 'big:s'])), 'abcdefghijklmnopQRSTuvwxyz0123456789');
    await assert.rejects(
      edit('big:s', (t) => t.replace('QRST', 'Q'), caps, { offset: 16 }),
      UnsupportedEditError,
    );
  });

  it('New Key creates with a TTL and refuses an existing name; Rename and Duplicate refuse collisions unless confirmed', async () => {
    await conn.send(['DEL', 'nk', 'src', 'dst', 'copy']);
    await createKey(db, { key: k('nk'), first: { type: 'hash', field: k('f'), value: k('v') }, ttlMs: TTL_MS });
    assert.equal(asText(await conn.send(['HGET', 'nk', 'f'])), 'v');
    assert.ok(asInteger(await conn.send(['PTTL', 'nk'])) > TTL_MS - 60_000);
    await assert.rejects(createKey(db, { key: k('nk'), first: { type: 'string', value: k('x') } }), KeyExistsError);
    assert.equal(asText(await conn.send(['TYPE', 'nk'])), 'hash');

    await conn.send(['SET', 'src', 'source']);
    const at = await withTtl('src');
    await conn.send(['SET', 'dst', 'existing']);
    await assert.rejects(renameKey(db, k('src'), k('dst')), KeyExistsError);
    assert.equal(asText(await conn.send(['GET', 'dst'])), 'existing', 'collision: nothing overwritten');
    assert.equal(asText(await conn.send(['GET', 'src'])), 'source');
    await duplicateKey(db, k('src'), k('copy'));
    assert.equal(asText(await conn.send(['GET', 'copy'])), 'source');
    assert.equal(await expireTime('copy'), at, 'COPY keeps the TTL');
    await assert.rejects(duplicateKey(db, k('src'), k('dst')), KeyExistsError);
    await renameKey(db, k('src'), k('dst'), { overwrite: true });
    assert.equal(asText(await conn.send(['GET', 'dst'])), 'source');
    assert.equal(await expireTime('dst'), at, 'RENAME keeps the TTL');
  });

  it("edits in a database other than the connection's own (SELECT around the transaction)", async () => {
    const db3 = new Database(conn, 3, 0);
    await db3.send(['HSET', 'other:h', 'a', '1']);
    const part = await readValue(db3, k('other:h'));
    const res = await saveValue(db3, {
      key: k('other:h'),
      type: 'hash',
      kind: part.kind,
      scope: { whole: true, last: true },
      original: part.text,
      edited: part.text.replace('"1"', '"2"'),
    });
    assert.equal(res.status, 'saved');
    assert.equal(asText(await db3.send(['HGET', 'other:h', 'a'])), '2');
    assert.equal(await conn.send(['EXISTS', 'other:h']), 0, 'db0 untouched; the connection is back on db0');
  });
});
