import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import { readPfx } from '../../src/core/certs/pkcs12';
import { PfxReadError, readPfxOffThread } from '../../src/core/certs/pfxOffThread';

/**
 * A small PKCS#12 file with a high iteration count (SHA-1/3DES bags: the RFC 7292 KDF, iterated in
 * JavaScript, plus OpenSSL's MAC and key checks). Opening it must leave the event loop free.
 */
describe("hostile: PKCS#12 key derivation runs off the caller's thread, with a time limit", function () {
  this.timeout(120_000);
  let lab: LabCerts;
  let dir: string;
  let pfx: Buffer;
  const password = 'hostile-pass';

  before(async () => {
    lab = await getLab();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-p12-'));
    const out = path.join(dir, 'slow.p12');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-in',
      lab.client.certPath,
      '-inkey',
      lab.client.keyPath,
      '-certpbe',
      'PBE-SHA1-3DES',
      '-keypbe',
      'PBE-SHA1-3DES',
      '-iter',
      '20000',
      '-passout',
      `pass:${password}`,
      '-out',
      out,
    ]);
    pfx = await fs.readFile(out);
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs `read` while a 5 ms interval counts its ticks. */
  async function ticksDuring<T>(read: () => Promise<T> | T): Promise<{ ticks: number; result: T }> {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 5);
    try {
      const result = await read();
      return { ticks, result };
    } finally {
      clearInterval(timer);
    }
  }

  it('hostile: control — the synchronous reader blocks the event loop (no tick while it runs)', async () => {
    const { ticks, result } = await ticksDuring(() => readPfx(pfx, password));
    assert.equal(result.certificates.length, 1);
    assert.equal(ticks, 0);
  });

  it('hostile: readPfxOffThread keeps the event loop ticking and returns the certificates', async () => {
    const { ticks, result } = await ticksDuring(() => readPfxOffThread(pfx, password));
    console.log(`      ${ticks} timer ticks while the high-iteration PKCS#12 file was read`);
    assert.ok(ticks >= 5, `${ticks} ticks`);
    assert.equal(result.certificates.length, 1);
    assert.equal(result.certificates[0].commonNames[0], 'lab-client');
    assert.equal(result.hasPrivateKey, true);
    assert.deepEqual(result.validation, { ok: true });
  });

  it('hostile: over the time limit, the read stops with a clear problem', async () => {
    await assert.rejects(readPfxOffThread(pfx, password, { timeLimitMs: 100 }), (e: unknown) => {
      assert.ok(e instanceof PfxReadError, String(e));
      assert.equal(e.reason, 'time-limit');
      assert.match(e.message, /took longer than 0\.1 s .*iteration count/);
      return true;
    });
  });
});
