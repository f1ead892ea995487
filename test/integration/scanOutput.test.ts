// redis-tls scan's output path (src/cli/scan.ts) against a real TLS server: a reader that stops
// reading, or a hold (a cluster scan starting on the seed before every primary is verified), stops
// the SCAN requests once MAX_AHEAD_BYTES of output wait, instead of buffering the whole keyspace.
import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import { MAX_AHEAD_BYTES, scanToStream } from '../../src/cli/scan';

const KEYS = 100_000;
// DEBUG POPULATE writes each name into a 128-byte buffer: about 107-byte names, 10.7 MB in all.
const PREFIX = `big:${'x'.repeat(96)}`;
const KEY_BYTES = PREFIX.length + 7; // ":12345\n" at most
const COUNT = 500;

/** A Writable that takes nothing until release(); then everything, in order. */
function stalledReader(): { out: Writable; chunks: Buffer[]; writes: () => number; release: () => void } {
  const chunks: Buffer[] = [];
  const waiting: Array<() => void> = [];
  let open = false;
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      if (open) cb();
      else waiting.push(() => cb());
    },
  });
  return {
    out,
    chunks,
    writes: () => chunks.length,
    release: () => {
      open = true;
      for (const cb of waiting.splice(0)) cb();
    },
  };
}

/** Resolves when `check` holds (polled on the event loop), or rejects naming `what` after `ms`. */
async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function keysOf(chunks: Buffer[]): string[] {
  return Buffer.concat(chunks).toString('latin1').split('\n').filter(Boolean);
}

describe('scan output: bounded read-ahead (real TLS server)', function () {
  this.timeout(60_000);
  let srv: RedisServer;
  let conn: RedisConnection;

  before(async () => {
    const lab = await getLab();
    srv = await startRedis({ kind: 'tls', extraArgs: ['--enable-debug-command', 'yes'] });
    conn = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await conn.send(['DEBUG', 'POPULATE', KEYS, PREFIX], { timeoutMs: 60_000 });
  });
  after(async () => {
    await conn?.close();
    await srv?.stop();
  });

  /** The connection, counting SCAN requests. */
  function counted(): { calls: () => number; target: Pick<RedisConnection, 'scanPage'> } {
    let calls = 0;
    return {
      calls: () => calls,
      target: {
        scanPage: (...args: Parameters<RedisConnection['scanPage']>) => {
          calls++;
          return conn.scanPage(...args);
        },
      },
    };
  }

  // About MAX_AHEAD_BYTES of keys, plus the pages in flight when the limit was reached.
  const bound = Math.ceil(MAX_AHEAD_BYTES / (COUNT * KEY_BYTES)) + 8;

  it('a reader that stops reading stops the SCAN requests; once it reads again, every key arrives once', async () => {
    const reader = stalledReader();
    const c = counted();
    const done = scanToStream(c.target, { count: COUNT }, reader.out);
    // Stalled: the reader holds its first chunk and no SCAN is waiting for its reply.
    await until('the scan to stall', 30_000, () => reader.writes() > 0 && conn.pendingCount === 0);
    const pagesWhileStalled = c.calls();
    assert.ok(pagesWhileStalled <= bound, `${pagesWhileStalled} SCAN requests while nobody read (bound ${bound})`);
    assert.ok(pagesWhileStalled < KEYS / COUNT / 2, 'the scan is far from done');
    reader.release();
    assert.equal(await done, KEYS);
    const keys = keysOf(reader.chunks);
    assert.equal(keys.length, KEYS);
    assert.equal(new Set(keys).size, KEYS, 'each key once');
  });

  it('hold: nothing is written before it settles; read-ahead stops at the bound; false writes nothing', async () => {
    const reader = stalledReader();
    reader.release();
    let release!: (ok: boolean) => void;
    const c = counted();
    const done = scanToStream(c.target, { count: COUNT }, reader.out, { hold: new Promise((r) => (release = r)) });
    await until('the read-ahead to stop', 30_000, () => c.calls() > 0 && conn.pendingCount === 0);
    assert.equal(reader.writes(), 0, 'nothing written while held');
    assert.ok(c.calls() <= bound, `${c.calls()} SCAN requests while held (bound ${bound})`);
    release(true);
    assert.equal(await done, KEYS);
    assert.equal(new Set(keysOf(reader.chunks)).size, KEYS);

    const refused = stalledReader();
    refused.release();
    assert.equal(await scanToStream(conn, { count: COUNT }, refused.out, { hold: Promise.resolve(false) }), 0);
    assert.equal(refused.writes(), 0);
  });
});
