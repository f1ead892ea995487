import * as assert from 'node:assert/strict';
import {
  displayBytes,
  escapeBytes,
  globEscape,
  isPlainText,
  keyFromToken,
  keyToToken,
  quoteBytes,
  unescapeBytes,
} from '../../src/core/keys/bytes';
import { NamespaceTree, type TreeEntry } from '../../src/core/keys/namespaceTree';
import { parseKeyspace } from '../../src/core/keys/database';
import { formatTtl } from '../../src/core/keys/keyInfo';
import { nextStreamId } from '../../src/core/keys/values';

const names = (entries: TreeEntry[]): string[] =>
  entries.map((e) => (e.kind === 'folder' ? `${displayBytes(e.folder.segmentBytes())}/` : displayBytes(e.key)));

describe('key bytes', () => {
  it('shows UTF-8 keys as they are and escapes binary keys like redis-cli', () => {
    assert.equal(displayBytes(Buffer.from('user:1:naïve')), 'user:1:naïve');
    assert.equal(displayBytes(Buffer.from([0x61, 0xff, 0x00, 0x0a, 0x5c])), 'a\\xff\\x00\\n\\\\');
    assert.equal(escapeBytes(Buffer.from('say "hi"\t\x07\b\r')), 'say \\"hi\\"\\t\\a\\b\\r');
    assert.equal(quoteBytes(Buffer.from([0xc3])), '"\\xc3"');
    // Invalid UTF-8 sequence, C0 controls, DEL and bidi overrides are not plain text.
    assert.equal(isPlainText(Buffer.from([0xc3, 0x28])), false);
    assert.equal(isPlainText(Buffer.from('a\x7f')), false);
    assert.equal(isPlainText(Buffer.from('evil\u202Egnp.exe')), false);
    assert.equal(isPlainText(Buffer.from('a\u2028b')), false, 'a line separator would break the line');
    assert.equal(isPlainText(Buffer.from('zero\u200Bwidth')), false);
    assert.equal(displayBytes(Buffer.from('a\u2028b')), 'a\\xe2\\x80\\xa8b');
    assert.equal(isPlainText(Buffer.from('日本:キー')), true);
  });

  it('round-trips every byte through the escaped form and the URI token', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.deepEqual(unescapeBytes(escapeBytes(all)), all);
    assert.deepEqual(unescapeBytes(quoteBytes(all)), all);
    const token = keyToToken(all);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(keyFromToken(token), all);
    assert.deepEqual(keyFromToken(keyToToken(Buffer.alloc(0))), Buffer.alloc(0));
    assert.throws(() => keyFromToken('a/b'));
  });

  it('escapes glob metacharacters for a MATCH prefix', () => {
    assert.equal(globEscape(Buffer.from('a*b?[c]\\d:')).toString(), 'a\\*b\\?\\[c\\]\\\\d:');
  });
});

describe('namespace tree', () => {
  it('groups by delimiter with folders first, both sorted, and counts', () => {
    const tree = new NamespaceTree(':');
    tree.addMany(['user:2', 'user:1', 'session:abc:data', 'plain', 'user:10', 'session:abc:meta', 'a'].map((k) => Buffer.from(k)));
    const root = tree.list(tree.root);
    assert.deepEqual(names(root.entries), ['session/', 'user/', 'a', 'plain']);
    assert.equal(root.total, 4);
    assert.equal(tree.root.total, 7);
    const user = (root.entries[1] as { kind: 'folder'; folder: import('../../src/core/keys/namespaceTree').Folder }).folder;
    assert.equal(user.total, 3);
    assert.deepEqual(
      tree.list(user).entries.map((e) => (e.kind === 'key' ? e.key.toString() : '?')),
      ['user:1', 'user:10', 'user:2'],
    );
    assert.deepEqual(tree.prefixOf(user), Buffer.from('user:'));
    const session = tree.find([Buffer.from('session'), Buffer.from('abc')]);
    assert.ok(session);
    assert.deepEqual(names(tree.list(session).entries), ['session:abc:data', 'session:abc:meta']);
  });

  it('builds incrementally: keys arriving after a folder was opened land in it, duplicates are dropped', () => {
    const tree = new NamespaceTree(':');
    tree.addMany([Buffer.from('a:1'), Buffer.from('a:b:1')]);
    const a = tree.find([Buffer.from('a')]);
    assert.ok(a);
    assert.equal(a.total, 2);
    assert.equal(tree.list(a).total, 2);
    // a is open now: a new key is split into a:b at once, a repeat is counted until listed.
    tree.addMany([Buffer.from('a:b:2'), Buffer.from('a:0'), Buffer.from('a:1'), Buffer.from('z')]);
    assert.equal(a.total, 5);
    const page = tree.list(a);
    assert.deepEqual(names(page.entries), ['b/', 'a:0', 'a:1']);
    assert.equal(a.total, 4, 'the duplicate a:1 is no longer counted');
    assert.equal(tree.root.total, 5);
    const b = tree.find([Buffer.from('a'), Buffer.from('b')]);
    assert.ok(b);
    assert.deepEqual(names(tree.list(b).entries), ['a:b:1', 'a:b:2']);
  });

  it('pages huge folders by offset and limit', () => {
    const tree = new NamespaceTree(':');
    const keys: Buffer[] = [];
    for (let i = 0; i < 5000; i++) keys.push(Buffer.from(`big:${String(i).padStart(5, '0')}`));
    keys.reverse();
    for (let i = 0; i < keys.length; i += 500) tree.addMany(keys.slice(i, i + 500));
    const big = tree.find([Buffer.from('big')]);
    assert.ok(big);
    const first = tree.list(big, 0, 100);
    assert.equal(first.total, 5000);
    assert.equal(first.entries.length, 100);
    assert.equal(names(first.entries)[0], 'big:00000');
    const last = tree.list(big, 4950, 100);
    assert.equal(last.entries.length, 50);
    assert.equal(names(last.entries)[49], 'big:04999');
  });

  it('keeps binary keys and segments byte-exact, with multi-byte and empty delimiters', () => {
    const tree = new NamespaceTree(':');
    const binary = Buffer.from([0xff, 0x3a, 0x00, 0x80]);
    tree.addMany([binary, Buffer.from('a::b'), Buffer.from(':lead')]);
    const root = tree.list(tree.root);
    assert.deepEqual(names(root.entries), ['/', 'a/', '\\xff/']);
    const ff = tree.find([Buffer.from([0xff])]);
    assert.ok(ff);
    const [entry] = tree.list(ff).entries;
    assert.ok(entry && entry.kind === 'key');
    assert.deepEqual(entry.key, binary);
    const empty = tree.find([Buffer.from('a'), Buffer.alloc(0)]);
    assert.ok(empty);
    assert.deepEqual(names(tree.list(empty).entries), ['a::b']);

    const arrows = new NamespaceTree('->');
    arrows.addMany([Buffer.from('x->y->z'), Buffer.from('x->q'), Buffer.from('x-y')]);
    assert.deepEqual(names(arrows.list(arrows.root).entries), ['x/', 'x-y']);
    const flat = new NamespaceTree('');
    flat.addMany([Buffer.from('a:b'), Buffer.from('a:c')]);
    assert.deepEqual(names(flat.list(flat.root).entries), ['a:b', 'a:c']);
  });

  it('forgets deleted keys and folders and keeps counts right', () => {
    const tree = new NamespaceTree(':');
    tree.addMany(['a:1', 'a:2', 'b:1', 'b:c:1', 'top'].map((k) => Buffer.from(k)));
    const a = tree.find([Buffer.from('a')]);
    assert.ok(a);
    tree.list(a);
    assert.equal(tree.remove(Buffer.from('a:1')), true);
    assert.equal(tree.remove(Buffer.from('a:1')), false);
    assert.equal(a.total, 1);
    assert.equal(tree.root.total, 4);
    const b = tree.find([Buffer.from('b')]);
    assert.ok(b);
    tree.removeFolder(b);
    assert.equal(tree.root.total, 2);
    assert.deepEqual(names(tree.list(tree.root).entries), ['a/', 'top']);
  });
});

describe('folder ordering', () => {
  it('orders long runs of keys sharing their first bytes (radix passes 4 bytes at a time), with zero bytes, ended keys and repeats', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // 6000 keys: most share 9 or 13 leading bytes, so the runs after the first 4 bytes are thousands long.
    const entries: Buffer[] = [];
    for (let i = 0; i < 6000; i++) {
      const base = ['tenant:42', 'tenant:42:orders', 'tenant:42\x00\x00\x00\x00', 'tena'][rnd(4)] as string;
      const tail = Buffer.from(Array.from({ length: rnd(9) }, () => (rnd(3) === 0 ? rnd(3) : 0x30 + rnd(10))));
      entries.push(Buffer.concat([Buffer.from(base, 'latin1'), tail]));
      if (rnd(8) === 0) entries.push(entries[rnd(entries.length)] as Buffer);
    }
    const expected = [...new Set(entries.map((e) => e.toString('hex')))]
      .map((h) => Buffer.from(h, 'hex'))
      .sort(Buffer.compare)
      .map((b) => b.toString('hex'));
    const tree = new NamespaceTree('');
    tree.addMany(entries);
    const listed = (offset: number, limit: number): string[] =>
      tree.list(tree.root, offset, limit).entries.map((e) => (e.kind === 'key' ? e.key.toString('hex') : '?'));
    assert.deepEqual(listed(0, 50), expected.slice(0, 50));
    assert.deepEqual(listed(0, Number.MAX_SAFE_INTEGER), expected);
    assert.equal(tree.root.total, expected.length);
  });

  it('lists keys like Buffer.compare orders them, each once, for shared prefixes, binary bytes, empty keys and repeats', () => {
    // Deterministic pseudo-random keys with long shared prefixes, prefixes of each other and repeats
    // (SCAN may return a key twice). No delimiter: every key is a direct child of the root.
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const entries: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)];
    for (let i = 0; i < 3000; i++) {
      const base = ['', 'user:', 'user:1000', 'session-aaaaaaaa-', '\xff\x00'][rnd(5)] as string;
      const tail = Buffer.from(Array.from({ length: rnd(12) }, () => (rnd(4) === 0 ? rnd(256) : 0x30 + rnd(10))));
      entries.push(Buffer.concat([Buffer.from(base, 'latin1'), tail]));
      if (rnd(10) === 0) entries.push(entries[rnd(entries.length)] as Buffer);
    }
    const sortedHex = (all: Buffer[]): string[] =>
      [...new Set(all.map((e) => e.toString('hex')))]
        .map((h) => Buffer.from(h, 'hex'))
        .sort(Buffer.compare)
        .map((b) => b.toString('hex'));
    const listed = (tree: NamespaceTree, offset = 0, limit?: number): string[] =>
      tree.list(tree.root, offset, limit).entries.map((e) => (e.kind === 'key' ? e.key.toString('hex') : '?'));
    const tree = new NamespaceTree('');
    tree.addMany(entries);
    const expected = sortedHex(entries);
    // A first page resolves only what it shows; the rest follows in order.
    assert.deepEqual(listed(tree, 0, 100), expected.slice(0, 100));
    assert.deepEqual(listed(tree), expected);
    assert.equal(tree.root.total, expected.length, 'repeats are not counted');
    assert.equal(tree.list(tree.root).total, expected.length);
    // More keys (some repeating earlier ones) arrive after a listing.
    const more = entries.slice(0, 500).concat([Buffer.from('zzz'), Buffer.from('user:0')]);
    tree.addMany(more);
    const all = sortedHex(entries.concat(more));
    assert.deepEqual(listed(tree), all);
    assert.equal(tree.root.total, all.length);
    // Deleting a key that arrived several times removes every copy.
    const repeated = entries[2] as Buffer;
    assert.equal(tree.remove(repeated), true);
    assert.deepEqual(
      listed(tree),
      all.filter((h) => h !== repeated.toString('hex')),
    );
    assert.equal(tree.root.total, all.length - 1);
  });
});

describe('keyspace, TTL and stream ids', () => {
  it('parses INFO keyspace and ignores other lines', () => {
    const info = '# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=100\r\ndb5:keys=1,expires=0,avg_ttl=0\r\nbogus\r\n';
    assert.deepEqual(parseKeyspace(info), [
      { index: 0, keys: 12, expires: 3 },
      { index: 5, keys: 1, expires: 0 },
    ]);
    assert.deepEqual(parseKeyspace(''), []);
  });

  it('formats TTLs with the two largest units', () => {
    assert.equal(formatTtl(-1), 'no expiry');
    assert.equal(formatTtl(-2), 'expired');
    assert.equal(formatTtl(450), '450ms');
    assert.equal(formatTtl(45_000), '45s');
    assert.equal(formatTtl(3_723_000), '1h 2m');
    assert.equal(formatTtl(90_061_000), '1d 1h');
  });

  it('computes the next stream id without exclusive ranges', () => {
    assert.equal(nextStreamId('1-0'), '1-1');
    assert.equal(nextStreamId('5-18446744073709551615'), '6-0');
    assert.throws(() => nextStreamId('nope'));
  });
});
