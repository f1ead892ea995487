import * as assert from 'node:assert/strict';
import { ReplyQueue } from '../../src/core/resp/queue';
import { ReplyError, type Reply } from '../../src/core/resp/replyTypes';
import { prng } from '../lab/prng';

type Gen = { value: Reply; bytes: Buffer };

function randomReply(rnd: () => number, depth: number): Gen {
  const kind = Math.floor(rnd() * (depth > 3 ? 5 : 6));
  switch (kind) {
    case 0: {
      const s = Buffer.from(Array.from({ length: Math.floor(rnd() * 12) }, () => 0x21 + Math.floor(rnd() * 90)));
      return { value: s, bytes: Buffer.concat([Buffer.from('+'), s, Buffer.from('\r\n')]) };
    }
    case 1: {
      const n = Math.floor((rnd() - 0.5) * 2 ** 40);
      return { value: n, bytes: Buffer.from(`:${n}\r\n`) };
    }
    case 2: {
      const len = rnd() < 0.1 ? Math.floor(rnd() * 70000) : Math.floor(rnd() * 40);
      const body = Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256)));
      return { value: body, bytes: Buffer.concat([Buffer.from(`$${len}\r\n`), body, Buffer.from('\r\n')]) };
    }
    case 3:
      return { value: null, bytes: Buffer.from(rnd() < 0.5 ? '$-1\r\n' : '*-1\r\n') };
    case 4: {
      const msg = `ERR e${Math.floor(rnd() * 1000)}`;
      return { value: new ReplyError(msg), bytes: Buffer.from(`-${msg}\r\n`) };
    }
    default: {
      const n = Math.floor(rnd() * 6);
      const items = Array.from({ length: n }, () => randomReply(rnd, depth + 1));
      return { value: items.map((i) => i.value), bytes: Buffer.concat([Buffer.from(`*${n}\r\n`), ...items.map((i) => i.bytes)]) };
    }
  }
}

function normalize(r: Reply | Error): unknown {
  if (r instanceof Error) return { error: r.message };
  if (Array.isArray(r)) return r.map(normalize);
  if (Buffer.isBuffer(r)) return r.toString('hex');
  return r;
}

function mutate(bytes: Buffer, rnd: () => number): Buffer {
  const b = Buffer.from(bytes);
  const op = Math.floor(rnd() * 4);
  if (op === 0 && b.length > 0) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  if (op === 1) return b.subarray(0, Math.floor(rnd() * b.length));
  if (op === 2) return Buffer.concat([b, Buffer.from(Array.from({ length: 8 }, () => Math.floor(rnd() * 256)))]);
  if (op === 3) {
    const headers = ['$2147483648\r\n', '*1\r\n'.repeat(200), '*-5\r\n', '$-9\r\n', ':abc\r\n', '\r\n'];
    return Buffer.concat([Buffer.from(headers[Math.floor(rnd() * headers.length)]), b]);
  }
  return b;
}

describe('fuzz: random replies through redis-parser and the reply queue', function () {
  this.timeout(60000);
  it('decodes 10,000 random valid replies exactly, in random chunkings', () => {
    const rnd = prng(0xc0ffee);
    for (let i = 0; i < 10_000; i++) {
      const g = randomReply(rnd, 0);
      const got: Array<Reply | Error> = [];
      const q = new ReplyQueue({ maxReplyBytes: 1 << 20, onFatal: (e) => assert.fail(`fatal on valid reply #${i}: ${e.message}`) });
      q.push({ settled: false, resolve: (r) => got.push(r), reject: (e) => got.push(e) });
      let pos = 0;
      while (pos < g.bytes.length) {
        const n = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 4 : 4096));
        q.feed(g.bytes.subarray(pos, pos + n));
        pos += n;
      }
      assert.equal(got.length, 1, `reply #${i} delivered once`);
      assert.deepEqual(normalize(got[0]), normalize(g.value), `reply #${i}`);
    }
  });

  it('survives 10,000 corrupted replies: no exception escapes, each ends delivered, waiting or fatal', () => {
    const rnd = prng(1234567);
    let fatal = 0;
    let delivered = 0;
    for (let i = 0; i < 10_000; i++) {
      const g = randomReply(rnd, 0);
      const bytes = mutate(g.bytes, rnd);
      let outcomes = 0;
      const q = new ReplyQueue({
        maxReplyBytes: 1 << 16,
        maxDepth: 32,
        onFatal: () => {
          fatal++;
          outcomes++;
        },
      });
      for (let k = 0; k < 3; k++)
        q.push({
          settled: false,
          resolve: () => {
            delivered++;
          },
          reject: () => {
            delivered++;
          },
        });
      let pos = 0;
      while (pos < bytes.length) {
        const n = 1 + Math.floor(rnd() * 512);
        assert.doesNotThrow(() => q.feed(bytes.subarray(pos, pos + n)));
        pos += n;
      }
      assert.ok(outcomes <= 1, 'onFatal at most once');
      q.rejectAll(new Error('test over'));
    }
    assert.ok(fatal > 500, `corruptions detected (${fatal})`);
    assert.ok(delivered >= 30_000 - 1, 'every waiting command was settled (reply, error, or rejectAll)');
  });

  it('streams 10,000 random SCAN pages raw (valid exactly, corrupted without exceptions)', () => {
    const rnd = prng(42);
    let fatal = 0;
    for (let i = 0; i < 10_000; i++) {
      const keys = Array.from({ length: Math.floor(rnd() * 20) }, () =>
        Buffer.from(Array.from({ length: Math.floor(rnd() * (rnd() < 0.05 ? 2000 : 30)) }, () => Math.floor(rnd() * 256))),
      );
      const cursor = String(Math.floor(rnd() * 1e9));
      let bytes: Buffer = Buffer.concat([
        Buffer.from(`*2\r\n$${cursor.length}\r\n${cursor}\r\n*${keys.length}\r\n`),
        ...keys.flatMap((k) => [Buffer.from(`$${k.length}\r\n`), k, Buffer.from('\r\n')]),
      ]);
      const corrupt = i % 2 === 1;
      if (corrupt) bytes = mutate(bytes, rnd);
      const got: Buffer[] = [];
      const results: Array<Reply | Error> = [];
      const q = new ReplyQueue({
        maxReplyBytes: 1 << 16,
        onFatal: () => {
          fatal++;
        },
      });
      q.push({
        settled: false,
        scanSink: (b, s, e) => got.push(Buffer.from(b.subarray(s, e))),
        resolve: (r) => results.push(r),
        reject: (e) => results.push(e),
      });
      let pos = 0;
      while (pos < bytes.length) {
        const n = 1 + Math.floor(rnd() * (rnd() < 0.3 ? 5 : 3000));
        assert.doesNotThrow(() => q.feed(bytes.subarray(pos, pos + n)));
        pos += n;
      }
      if (!corrupt) {
        assert.deepEqual(got, keys, `page #${i}`);
        assert.deepEqual(results, [Buffer.from(cursor)]);
      }
      q.rejectAll(new Error('over'));
    }
    assert.ok(fatal > 1000, `corrupted pages detected (${fatal})`);
  });
});
