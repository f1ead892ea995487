import * as assert from 'node:assert/strict';
import { encodeCommand } from '../../src/core/resp/encode';
import { ReplyQueue, type PendingReply, type ReplyStreamError } from '../../src/core/resp/queue';
import { ReplyError, type Reply } from '../../src/core/resp/replyTypes';

interface Outcome {
  replies: Array<Reply | Error>;
  fatal: ReplyStreamError | undefined;
  queue: ReplyQueue;
}

/** Feeds `input` in the given chunk sizes to a queue with `expected` pending commands. */
function run(input: Buffer, expected: number, chunk = input.length, maxReplyBytes = 1 << 20): Outcome {
  const out: Outcome = { replies: [], fatal: undefined, queue: undefined as unknown as ReplyQueue };
  const queue = new ReplyQueue({
    maxReplyBytes,
    onFatal: (e) => {
      out.fatal = e;
    },
  });
  out.queue = queue;
  for (let i = 0; i < expected; i++) {
    const p: PendingReply = { settled: false, resolve: (r) => out.replies.push(r), reject: (e) => out.replies.push(e) };
    queue.push(p);
  }
  for (let i = 0; i < input.length; i += Math.max(1, chunk)) queue.feed(input.subarray(i, i + Math.max(1, chunk)));
  return out;
}

describe('RESP encoding', () => {
  it('encodes strings, numbers and binary Buffers as bulk strings', () => {
    assert.equal(encodeCommand(['SET', 'k', 12]).toString(), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n');
    assert.equal(encodeCommand(['ECHO', 'é']).toString(), '*2\r\n$4\r\nECHO\r\n$2\r\né\r\n');
    const bin = Buffer.from([0, 0xff, 0x0d, 0x0a]);
    const enc = encodeCommand(['SET', bin, 'v']);
    assert.deepEqual(enc, Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\n'), bin, Buffer.from('\r\n$1\r\nv\r\n')]));
    assert.throws(() => encodeCommand([]));
  });
});

describe('ReplyQueue over redis-parser', () => {
  const sample = Buffer.from(
    '+OK\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*3\r\n$1\r\na\r\n-ERR inner\r\n*1\r\n:-7\r\n-WRONGTYPE top\r\n*-1\r\n$0\r\n\r\n',
  );
  const check = (o: Outcome): void => {
    assert.equal(o.fatal, undefined);
    assert.equal(o.replies.length, 8);
    assert.deepEqual(o.replies[0], Buffer.from('OK'));
    assert.equal(o.replies[1], 42);
    assert.deepEqual(o.replies[2], Buffer.from('he\r\nl'));
    assert.equal(o.replies[3], null);
    const arr = o.replies[4] as Reply[];
    assert.deepEqual(arr[0], Buffer.from('a'));
    assert.ok(arr[1] instanceof ReplyError && arr[1].message === 'ERR inner');
    assert.deepEqual(arr[2], [-7]);
    assert.ok(o.replies[5] instanceof ReplyError && (o.replies[5] as Error).message === 'WRONGTYPE top');
    assert.equal(o.replies[6], null);
    assert.deepEqual(o.replies[7], Buffer.alloc(0));
    assert.equal(o.queue.length, 0);
  };
  it('routes replies FIFO, whole', () => check(run(sample, 8)));
  it('routes replies FIFO, byte by byte', () => check(run(sample, 8, 1)));
  it('routes replies FIFO, in 3-byte chunks', () => check(run(sample, 8, 3)));

  it('skips settled (timed out / aborted) commands without shifting later replies', () => {
    const got: Reply[] = [];
    const queue = new ReplyQueue({ maxReplyBytes: 1024, onFatal: () => assert.fail('no fatal') });
    queue.push({ settled: true, resolve: () => assert.fail('settled'), reject: () => assert.fail('settled') });
    queue.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail('no error') });
    queue.feed(Buffer.from(':1\r\n:2\r\n'));
    assert.deepEqual(got, [2]);
  });

  it('a reply nobody asked for breaks the stream', () => {
    const o = run(Buffer.from('+OK\r\n+EXTRA\r\n'), 1);
    assert.equal(o.fatal?.reason, 'unsolicited');
  });

  it('an unknown type byte is a fatal, short, secret-free error', () => {
    const o = run(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), 1);
    assert.equal(o.fatal?.reason, 'malformed');
    assert.ok((o.fatal?.message.length ?? 0) < 100);
  });

  it('a 2 GB bulk length header fails at once, before any body arrives', () => {
    const o = run(Buffer.from('$2147483648\r\nabc'), 1);
    assert.equal(o.fatal?.reason, 'too-large');
  });

  it('a reply streaming past the cap fails', () => {
    const header = Buffer.from('*100000\r\n');
    const body = Buffer.from(':1\r\n'.repeat(3000));
    const o = run(Buffer.concat([header, body]), 1, 1000, 4096);
    assert.equal(o.fatal?.reason, 'too-large');
  });

  it('endless nested arrays fail on depth, whole or in chunks', () => {
    const nested = Buffer.from('*1\r\n'.repeat(100_000));
    assert.ok(run(nested, 1).fatal);
    const o = run(nested, 1, 64);
    assert.equal(o.fatal?.reason, 'too-deep');
  });

  it('an absurd array length does not throw out of feed', () => {
    const o = run(Buffer.from('*99999999999999\r\n'), 1);
    assert.ok(o.fatal);
  });

  it('rejectAll rejects every waiting command once', () => {
    const errs: Error[] = [];
    const queue = new ReplyQueue({ maxReplyBytes: 1024, onFatal: () => undefined });
    for (let i = 0; i < 3; i++) queue.push({ settled: false, resolve: () => assert.fail('no reply'), reject: (e) => errs.push(e) });
    queue.rejectAll(new Error('closed'));
    queue.rejectAll(new Error('again'));
    assert.equal(errs.length, 3);
    assert.equal(queue.length, 0);
  });
});

describe('ReplyQueue cap accounting', () => {
  it('counts a bulk by its declared length, not by where it starts in the chunk', () => {
    const many = Buffer.from('+OK\r\n'.repeat(2000)); // 10 kB of small replies before the bulk
    const bulk = Buffer.from(`$100\r\n${'x'.repeat(100)}\r\n`);
    const input = Buffer.concat([many, bulk]);
    const o = run(input.subarray(0, input.length - 50), 2001, input.length, 4096);
    assert.equal(o.fatal, undefined);
    o.queue.feed(input.subarray(input.length - 50));
    assert.equal(o.fatal, undefined);
    assert.equal(o.replies.length, 2001);
    assert.equal((o.replies[2000] as Buffer).length, 100);
  });
});

describe('raw SCAN pages through the queue (no object per key)', () => {
  const page = (cursor: string, keys: Buffer[]): Buffer =>
    Buffer.concat([
      Buffer.from(`*2\r\n$${cursor.length}\r\n${cursor}\r\n*${keys.length}\r\n`),
      ...keys.flatMap((k) => [Buffer.from(`$${k.length}\r\n`), k, Buffer.from('\r\n')]),
    ]);
  const keysA = [Buffer.from('user:1'), Buffer.from([0, 0xff, 0x0d, 0x0a, 0x24]), Buffer.alloc(0), Buffer.alloc(3000, 0x61)];
  const keysB = Array.from({ length: 300 }, (_, i) => Buffer.from(`k${i}`));

  function runPages(
    input: Buffer,
    chunk: number,
    extra: 'none' | 'ping-after' = 'none',
  ): { keys: Buffer[]; results: Array<Reply | Error>; fatal?: ReplyStreamError } {
    const keys: Buffer[] = [];
    const results: Array<Reply | Error> = [];
    let fatal: ReplyStreamError | undefined;
    const q = new ReplyQueue({
      maxReplyBytes: 1 << 20,
      onFatal: (e) => {
        fatal = e;
      },
    });
    const sink = (b: Buffer, s: number, e: number): void => {
      keys.push(Buffer.from(b.subarray(s, e)));
    };
    for (let i = 0; i < 3; i++) q.push({ settled: false, scanSink: sink, resolve: (r) => results.push(r), reject: (e) => results.push(e) });
    if (extra === 'ping-after') q.push({ settled: false, resolve: (r) => results.push(r), reject: (e) => results.push(e) });
    for (let i = 0; i < input.length; i += chunk) q.feed(input.subarray(i, i + chunk));
    return { keys, results, fatal };
  }

  for (const chunk of [1, 2, 7, 100, 1 << 20]) {
    it(`streams keys and resolves cursors, in ${chunk}-byte chunks, then hands the rest to redis-parser`, () => {
      const input = Buffer.concat([page('17', keysA), page('0', []), Buffer.from('-ERR bad cursor\r\n'), Buffer.from('+PONG\r\n')]);
      const r = runPages(input, chunk, 'ping-after');
      assert.equal(r.fatal, undefined);
      assert.deepEqual(r.keys, keysA);
      assert.deepEqual(r.results[0], Buffer.from('17'));
      assert.deepEqual(r.results[1], Buffer.from('0'));
      assert.ok(r.results[2] instanceof ReplyError && (r.results[2] as Error).message === 'ERR bad cursor');
      assert.deepEqual(r.results[3], Buffer.from('PONG'));
    });
  }

  it('handles many small keys split anywhere', () => {
    const input = Buffer.concat([page('5', keysB), page('9', keysA), page('0', keysB)]);
    for (const chunk of [3, 13, 64]) {
      const r = runPages(input, chunk);
      assert.equal(r.keys.length, keysB.length * 2 + keysA.length);
      assert.deepEqual(r.keys.slice(0, 300), keysB);
      assert.deepEqual(
        r.results.map((x) => (x as Buffer).toString()),
        ['5', '9', '0'],
      );
    }
  });

  for (const chunk of [1, 3, 1 << 20]) {
    it(`a SCAN queued behind ordinary commands is read raw once their replies are in (${chunk}-byte chunks)`, () => {
      const q = new ReplyQueue({ maxReplyBytes: 1024, onFatal: () => assert.fail('no fatal') });
      const got: Reply[] = [];
      const keys: string[] = [];
      const cursors: string[] = [];
      q.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail() });
      q.push({ settled: false, resolve: (r) => got.push(r), reject: () => assert.fail() });
      const p: PendingReply = {
        settled: false,
        scanSink: (b, s, e) => keys.push(b.toString('latin1', s, e)),
        onScanCursor: (c) => cursors.push(c.toString()),
        resolve: (r) => got.push(r),
        reject: () => assert.fail(),
      };
      q.push(p);
      assert.ok(p.scanSink, 'stays raw');
      const input = Buffer.concat([Buffer.from('+OK\r\n*2\r\n$1\r\nx\r\n:7\r\n'), page('12', [Buffer.from('a'), Buffer.from('$b')])]);
      for (let i = 0; i < input.length; i += chunk) q.feed(input.subarray(i, i + chunk));
      assert.deepEqual(got, [Buffer.from('OK'), [Buffer.from('x'), 7], Buffer.from('12')]);
      assert.deepEqual(keys, ['a', '$b']);
      assert.deepEqual(cursors, ['12']);
    });
  }

  it('with nothing ahead, a SCAN sent while unsolicited bytes are half in gets the parsed reply', () => {
    const got: Array<Reply | ReplyError> = [];
    const q = new ReplyQueue({ maxReplyBytes: 1024, onFatal: () => assert.fail('no fatal') });
    q.onUnsolicited = (r) => got.push(r);
    q.feed(Buffer.from('*3\r\n$7\r\nmessage\r\n'));
    const p: PendingReply = {
      settled: false,
      scanSink: () => assert.fail('not raw'),
      resolve: (r) => got.push(r),
      reject: () => assert.fail(),
    };
    q.push(p);
    assert.equal(p.scanSink, undefined);
  });

  it('malformed or oversized pages break the stream', () => {
    assert.equal(runPages(Buffer.from('*3\r\n'), 1).fatal?.reason, 'malformed');
    assert.equal(runPages(Buffer.from('*2\r\n$1\r\n0\r\n*1\r\n$99999999\r\n'), 4).fatal?.reason, 'too-large');
    assert.equal(runPages(Buffer.from('*2\r\n$1\r\n0\r\n*1\r\n$2\r\nabXY'), 1).fatal?.reason, 'malformed');
    assert.equal(runPages(Buffer.from('*2\r\n$1\r\n0\r\n*1\r\n$1\nab'), 1).fatal?.reason, 'malformed');
  });
});

describe('raw SCAN cursor arrives before the keys', () => {
  it('calls onScanCursor before any key, and a page queued from it is parsed raw too', () => {
    const events: string[] = [];
    const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: () => assert.fail('no fatal') });
    const push = (name: string): void => {
      q.push({
        settled: false,
        scanSink: (b, s, e) => events.push(`${name}:key:${b.toString('latin1', s, e)}`),
        onScanCursor: (c) => {
          events.push(`${name}:cursor:${c.toString()}`);
          if (name === 'p1') push('p2');
        },
        resolve: (r) => events.push(`${name}:done:${(r as Buffer).toString()}`),
        reject: () => assert.fail('no error'),
      });
    };
    push('p1');
    const bytes = Buffer.from('*2\r\n$2\r\n42\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\nc\r\n');
    for (let i = 0; i < bytes.length; i += 5) q.feed(bytes.subarray(i, i + 5));
    assert.deepEqual(events, ['p1:cursor:42', 'p1:key:a', 'p1:key:b', 'p1:done:42', 'p2:cursor:0', 'p2:key:c', 'p2:done:0']);
  });
});

describe('transient chunks (TLS bytes read into one reused buffer)', () => {
  /** Feeds `input` through one buffer that is overwritten (0xEE) after every call, as Node's onread does. */
  function feedReused(q: ReplyQueue, input: Buffer, chunk: number): void {
    const reused = Buffer.alloc(chunk);
    for (let i = 0; i < input.length; i += chunk) {
      const n = input.copy(reused, 0, i, i + chunk);
      q.feed(reused.subarray(0, n), true);
      reused.fill(0xee);
    }
  }

  for (const chunk of [1, 5, 16, 4096]) {
    it(`replies, held partial replies, and raw SCAN pages survive the buffer being read into again (${chunk}-byte reads)`, () => {
      const got: Array<Reply | Error> = [];
      const keys: string[] = [];
      const cursors: string[] = [];
      const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: (e) => assert.fail(`fatal: ${e.message}`) });
      const plain = (): PendingReply => ({ settled: false, resolve: (r) => got.push(r), reject: (e) => got.push(e) });
      q.push(plain());
      q.push(plain());
      q.push(plain());
      const value = Buffer.alloc(3000, 0x76);
      const input = Buffer.concat([
        Buffer.from(`$${value.length}\r\n`),
        value,
        Buffer.from('\r\n*3\r\n$3\r\nabc\r\n:42\r\n*1\r\n$2\r\nxy\r\n'),
        Buffer.from('-ERR nope\r\n'),
      ]);
      feedReused(q, input, chunk);
      q.push({
        settled: false,
        scanSink: (b, s, e) => keys.push(b.toString('latin1', s, e)),
        onScanCursor: (c) => cursors.push(c.toString()),
        resolve: (r) => got.push(r),
        reject: (e) => got.push(e),
      });
      q.push(plain());
      feedReused(q, Buffer.from('*2\r\n$2\r\n17\r\n*2\r\n$3\r\nk:1\r\n$3\r\nk:2\r\n$5\r\nafter\r\n'), chunk);
      assert.deepEqual(got[0], value);
      assert.deepEqual(got[1], [Buffer.from('abc'), 42, [Buffer.from('xy')]]);
      assert.ok(got[2] instanceof ReplyError && got[2].message === 'ERR nope');
      assert.deepEqual(got[3], Buffer.from('17'));
      assert.deepEqual(got[4], Buffer.from('after'));
      assert.deepEqual(keys, ['k:1', 'k:2']);
      assert.deepEqual(cursors, ['17']);
    });
  }
});
