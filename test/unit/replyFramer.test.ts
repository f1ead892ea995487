import * as assert from 'node:assert/strict';
import { ReplyFramer, type FrameResult } from '../../src/core/resp/replyFramer';
import { ReplyQueue } from '../../src/core/resp/queue';
import type { Reply } from '../../src/core/resp/replyTypes';

/** Feeds `input` in `chunk`-byte pieces, one reply at a time; returns the byte offsets where replies ended. */
function boundaries(input: Buffer, chunk: number, framer = new ReplyFramer(1 << 20, 64)): number[] | FrameResult {
  const ends: number[] = [];
  for (let i = 0; i < input.length; i += chunk) {
    let data = input.subarray(i, i + chunk);
    let base = i;
    while (data.length > 0) {
      const r = framer.advance(data, 1);
      if (r.state !== 'ok') return r;
      if (r.replies === 1) ends.push(base + r.used);
      base += r.used;
      data = data.subarray(r.used);
    }
  }
  return ends;
}

describe('ReplyFramer: reply boundaries without decoding', () => {
  const replies = ['+OK\r\n', ':-42\r\n', '$5\r\nhe\r\nl\r\n', '$-1\r\n', '*-1\r\n', '*0\r\n', '$0\r\n\r\n', '-ERR x\r\n',
    '*3\r\n$1\r\na\r\n*2\r\n:1\r\n*0\r\n-ERR inner\r\n', '*2\r\n$3\r\n\r\n\r\r\n*1\r\n$-1\r\n'];
  const input = Buffer.from(replies.join(''), 'latin1');
  const expected = replies.reduce<number[]>((acc, r) => [...acc, (acc[acc.length - 1] ?? 0) + Buffer.byteLength(r, 'latin1')], []);

  for (const chunk of [1, 2, 3, 7, input.length]) {
    it(`finds every boundary, fed in ${chunk}-byte chunks`, () => {
      assert.deepEqual(boundaries(input, chunk), expected);
    });
  }

  it('is idle only between replies', () => {
    const f = new ReplyFramer(1024, 8);
    assert.ok(f.idle);
    assert.deepEqual(f.advance(Buffer.from('*2\r\n:1\r\n')), { state: 'ok', used: 8, replies: 0 });
    assert.ok(!f.idle);
    assert.deepEqual(f.advance(Buffer.from(':2\r\n+OK\r\n'), 1), { state: 'ok', used: 4, replies: 1 });
    assert.ok(f.idle);
  });

  it('enforces the caps from the headers, before the bytes arrive', () => {
    assert.deepEqual(new ReplyFramer(1000, 8).advance(Buffer.from('$2000\r\n')), { state: 'too-large' });
    assert.deepEqual(new ReplyFramer(1 << 20, 8).advance(Buffer.from('*1\r\n'.repeat(9))), { state: 'too-deep' });
    assert.deepEqual(new ReplyFramer(64, 8).advance(Buffer.from(`*100\r\n${':1\r\n'.repeat(20)}`)), { state: 'too-large' });
    assert.equal(new ReplyFramer(64, 8).advance(Buffer.from('GET / HTTP/1.1\r\n')).state, 'malformed');
    assert.equal(new ReplyFramer(64, 8).advance(Buffer.from('$12x\r\n')).state, 'malformed');
    assert.equal(new ReplyFramer(64, 8).advance(Buffer.from('*99999999999999999\r\n')).state, 'malformed');
  });
});

describe('ReplyQueue hands bytes to the raw SCAN reader only at a reply boundary (no parser internals)', () => {
  it('a page queued when the stream is between replies is streamed raw, fed whole or byte by byte', () => {
    for (const chunk of [1, 1 << 10]) {
      const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: () => assert.fail('no fatal') });
      const got: Array<Reply | string> = [];
      q.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail() });
      const bytes = Buffer.from('+PONG\r\n');
      for (let i = 0; i < bytes.length; i += chunk) q.feed(bytes.subarray(i, i + chunk));
      const keys: string[] = [];
      const page = { settled: false, scanSink: (b: Buffer, s: number, e: number) => { keys.push(b.toString('latin1', s, e)); }, resolve: (r: Reply) => got.push(r), reject: () => assert.fail() };
      q.push(page);
      assert.ok(page.scanSink, 'kept the raw path');
      const scan = Buffer.from('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n');
      for (let i = 0; i < scan.length; i += chunk) q.feed(scan.subarray(i, i + chunk));
      assert.deepEqual(keys, ['a', 'bc']);
      assert.deepEqual(got, [Buffer.from('PONG'), Buffer.from('0')]);
    }
  });

  it('a page queued while part of a reply is buffered falls back to the parsed reply', () => {
    const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: () => undefined });
    q.push({ settled: false, resolve: () => undefined, reject: () => undefined });
    q.feed(Buffer.from('+PONG\r\n*2\r\n'));
    const page = { settled: false, scanSink: () => assert.fail('not raw'), resolve: () => undefined, reject: () => undefined };
    q.push(page);
    assert.equal(page.scanSink, undefined);
  });
});
