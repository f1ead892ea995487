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
  const replies = [
    '+OK\r\n',
    ':-42\r\n',
    '$5\r\nhe\r\nl\r\n',
    '$-1\r\n',
    '*-1\r\n',
    '*0\r\n',
    '$0\r\n\r\n',
    '-ERR x\r\n',
    '*3\r\n$1\r\na\r\n*2\r\n:1\r\n*0\r\n-ERR inner\r\n',
    '*2\r\n$3\r\n\r\n\r\r\n*1\r\n$-1\r\n',
  ];
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
      const page = {
        settled: false,
        scanSink: (b: Buffer, s: number, e: number) => {
          keys.push(b.toString('latin1', s, e));
        },
        resolve: (r: Reply) => got.push(r),
        reject: () => assert.fail(),
      };
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

describe('hostile: declared lengths allocate nothing before their bytes arrive', () => {
  it('a dozen `*30000000` headers (about 130 bytes) do not make the parser allocate', () => {
    const q = new ReplyQueue({ maxReplyBytes: 512 * 1024 * 1024, onFatal: () => assert.fail('no fatal: the counts fit under the cap') });
    q.push({ settled: false, resolve: () => assert.fail('no reply yet'), reject: () => assert.fail('no error') });
    global.gc?.();
    const before = process.memoryUsage();
    for (let i = 0; i < 12; i++) q.feed(Buffer.from('*30000000\r\n'));
    const after = process.memoryUsage();
    const grew = (after.rss - before.rss + after.heapUsed - before.heapUsed) / (1024 * 1024);
    // redis-parser alone allocates ~240 MB per such header; held-back bytes cost 132 bytes.
    assert.ok(grew < 50, `memory grew ${grew.toFixed(0)} MB for 132 bytes of headers`);
    assert.ok(q.midReply, 'the reply is still being received');
  });

  it('a count that cannot fit under the cap is refused at its header, naming the cap', () => {
    let fatal: Error | undefined;
    const q = new ReplyQueue({
      maxReplyBytes: 64 * 1024 * 1024,
      onFatal: (e) => {
        fatal = e;
      },
    });
    q.push({ settled: false, resolve: () => assert.fail('no reply'), reject: () => undefined });
    q.feed(Buffer.from('*30000000\r\n'));
    assert.match(String(fatal?.message), /larger than the 67108864-byte cap/);
    assert.deepEqual(new ReplyFramer(100, 8).advance(Buffer.from('*32\r\n')), { state: 'too-large' });
    assert.equal(new ReplyFramer(100, 8).advance(Buffer.from('*31\r\n')).state, 'ok');
  });

  it('a reply split over many chunks is still decoded once complete', () => {
    const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: () => assert.fail('no fatal') });
    const got: Reply[] = [];
    q.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail() });
    q.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail() });
    const bytes = Buffer.from('*3\r\n$3\r\nabc\r\n*2\r\n:1\r\n$-1\r\n+OK\r\n:7\r\n');
    for (let i = 0; i < bytes.length; i++) q.feed(bytes.subarray(i, i + 1));
    assert.deepEqual(got, [[Buffer.from('abc'), [1, null], Buffer.from('OK')], 7]);
  });

  it('the raw SCAN reader refuses a key count that cannot fit under the cap', () => {
    let fatal: Error | undefined;
    const q = new ReplyQueue({
      maxReplyBytes: 1 << 20,
      onFatal: (e) => {
        fatal = e;
      },
    });
    q.push({ settled: false, scanSink: () => undefined, resolve: () => assert.fail(), reject: () => undefined });
    q.feed(Buffer.from('*2\r\n$1\r\n0\r\n*30000000\r\n'));
    assert.match(String(fatal?.message), /cap/);
  });
});
