import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type * as tls from 'node:tls';
import { getLab, type LabCerts } from '../lab/certs';
import { startTlsPeer, type TlsPeer } from '../lab/servers';
import { runHostileFuzz } from './hostileFuzz';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

describe('hostile: servers cannot exhaust memory (lab TLS peers)', function () {
  this.timeout(120_000);
  let lab: LabCerts;
  const peers: TlsPeer[] = [];
  before(async () => {
    lab = await getLab();
  });
  after(async () => {
    await Promise.allSettled(peers.map((p) => p.stop()));
  });

  it('hostile: redis-tls doctor against a server answering `*30000000` over and over exits 1 with PROTOCOL_ERROR naming the cap, RSS under 200 MB', async () => {
    const peer = await startTlsPeer({
      onSecureSocket: (s: tls.TLSSocket) => {
        s.on('error', () => undefined);
        const chunk = '*30000000\r\n'.repeat(12);
        const pump = (): void => {
          // Writes while the client reads (backpressure keeps this from buffering without bound).
          while (!s.destroyed && s.write(chunk));
          if (!s.destroyed) s.once('drain', pump);
        };
        s.once('data', pump);
      },
    });
    peers.push(peer);
    // /usr/bin/time reports the child's peak RSS (maximum resident set size, KB) on its last stderr line.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
      const t0 = Date.now();
      const child = spawn(
        '/usr/bin/time',
        [
          '-f',
          'maxrss %M',
          process.execPath,
          CLI,
          'doctor',
          '-h',
          'localhost',
          '-p',
          String(peer.port),
          '--tls',
          '--cacert',
          lab.rootCa.certPath,
          '--json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
    });
    const rssKb = Number(/maxrss (\d+)/.exec(run.stderr)?.[1]);
    console.log(`      doctor: exit ${run.code} in ${run.ms} ms, peak RSS ${Math.round(rssKb / 1024)} MB`);
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as { ok: boolean; problem: { code: string; detail: string } };
    assert.equal(out.problem.code, 'PROTOCOL_ERROR');
    assert.match(out.problem.detail, /cap/);
    assert.ok(rssKb < 200 * 1024, `peak RSS ${rssKb} KB`);
  });

  it('hostile: a seeded fuzz of 10,000 replies through RedisConnection over TLS: no crash, peak RSS under 200 MB', async () => {
    const r = await runHostileFuzz({ replies: 10_000, seed: 9 });
    console.log(`      ${r.summary} (${r.hostile} hostile, ${r.connections} connections)`);
    assert.equal(r.replies, 10_000);
    assert.ok(r.hostile > 100, `${r.hostile} hostile replies`);
    assert.equal(r.crashes, 0);
    assert.ok(r.peakRssMb < 200, r.summary);
  });
});
