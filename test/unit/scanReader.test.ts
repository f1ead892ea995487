// The SCAN reply reader of the key dump (src/core/resp/scanReader.ts): every key handed to the sink
// whole, wherever the socket splits the reply, and hostile or broken replies refused. Bytes in,
// results out: no server needed for framing.
import * as assert from 'node:assert/strict';
import { ScanReplyReader, type ScanReadResult } from '../../src/core/resp/scanReader';

function reply(cursor: string, keys: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*2\r\n$${cursor.length}\r\n${cursor}\r\n*${keys.length}\r\n`)];
  for (const k of keys) parts.push(Buffer.from(`$${k.length}\r\n`), k, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Feeds `chunks` in order; returns the keys the sink saw, the cursors announced and the last result. */
function read(chunks: Buffer[], maxReplyBytes = 1 << 20): { keys: Buffer[]; cursors: string[]; result: ScanReadResult } {
  const keys: Buffer[] = [];
  const cursors: string[] = [];
  const reader = new ScanReplyReader(
    (b, s, e) => keys.push(Buffer.from(b.subarray(s, e))),
    maxReplyBytes,
    (c) => cursors.push(c.toString()),
  );
  let result: ScanReadResult = { state: 'more' };
  for (const c of chunks) {
    result = reader.feed(c);
    if (result.state !== 'more') break;
  }
  return { keys, cursors, result };
}

const KEYS = [
  Buffer.from('user:1'),
  Buffer.alloc(0),
  Buffer.from([0x00, 0x0d, 0x0a, 0x24, 0xff]), // CR LF and '$' inside a key
  Buffer.from('k'.repeat(1000)),
  Buffer.from('$12\r\n'),
  Buffer.from('last'),
];

describe('SCAN reply reader (key dump framing)', () => {
  it('hands every key whole and the cursor first, for every split of the reply into two chunks', () => {
    const bytes = reply('1234', KEYS);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { keys, cursors, result } = read([bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.equal(result.state, 'done', `cut at ${cut}`);
      assert.deepEqual(keys, KEYS, `cut at ${cut}`);
      assert.deepEqual(cursors, ['1234']);
      if (result.state === 'done') {
        assert.equal(result.used, cut === bytes.length ? bytes.length : bytes.length - cut);
        assert.equal(result.keys, KEYS.length);
      }
    }
  });

  it('reads byte by byte, and reports how much of a chunk belonged to the reply', () => {
    const bytes = reply('0', KEYS);
    const bytewise = read([...bytes].map((b) => Buffer.from([b])));
    assert.equal(bytewise.result.state, 'done');
    assert.deepEqual(bytewise.keys, KEYS);
    const next = Buffer.from('+OK\r\n');
    const { result } = read([Buffer.concat([bytes, next])]);
    assert.ok(result.state === 'done' && result.used === bytes.length, 'the next reply is left alone');
  });

  it('an empty page is done at once', () => {
    const { keys, result } = read([reply('77', [])]);
    assert.deepEqual(keys, []);
    assert.ok(result.state === 'done' && result.cursor.toString() === '77');
  });

  it('refuses a key not followed by CRLF, wherever the chunk ends', () => {
    const bad = Buffer.concat([reply('0', [Buffer.from('ab')]).subarray(0, -2), Buffer.from('XY')]);
    for (let cut = 1; cut < bad.length; cut++) {
      const { result } = read([bad.subarray(0, cut), bad.subarray(cut)]);
      assert.equal(result.state, 'malformed', `cut at ${cut}`);
    }
  });

  it('refuses a page larger than the cap, also when each key is small', () => {
    const many = reply(
      '0',
      Array.from({ length: 1000 }, (_, i) => Buffer.from(`key:${i}`)),
    );
    assert.equal(read([many], 4096).result.state, 'too-large');
    assert.equal(read([reply('0', [Buffer.alloc(10_000, 0x61)])], 4096).result.state, 'too-large');
  });

  it('passes an error reply on as the server error', () => {
    const { result } = read([Buffer.from('-ERR invalid cursor\r\n')]);
    assert.ok(result.state === 'error-reply' && result.message === 'ERR invalid cursor');
  });
});
