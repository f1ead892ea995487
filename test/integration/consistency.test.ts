// Consistency of diagnoses (issue #9): the plaintext probe fits inside the user's connect budget, so a
// plaintext Redis port is NOT_TLS whatever the timeout, and a TIMEOUT detail claims only checks that ran.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { TlsCache } from '../../src/core/tls/context';
import { isDiagnosedError, type Problem } from '../../src/core/diagnosis/problem';
import { parseCertificates } from '../../src/core/certs/certificate';
import { matchName } from '../../src/core/certs/names';
import { promises as fs } from 'node:fs';

async function failure(o: ConnectionOptions): Promise<Problem> {
  try {
    const conn = await RedisConnection.open(o, { tlsCache: new TlsCache() });
    conn.destroy();
  } catch (e) {
    assert.ok(isDiagnosedError(e), String(e));
    return e.problem;
  }
  assert.fail('the connection succeeded');
}

describe('consistency: connect budget and probe', function () {
  this.timeout(20_000);
  let lab: LabCerts;
  let plain: RedisServer;

  before(async () => {
    lab = await getLab();
    plain = await startRedis({ kind: 'plain' });
  });
  after(async () => {
    await plain?.stop();
  });

  for (const connectTimeoutMs of [3000, 1000]) {
    it(`consistency: a plaintext Redis port is NOT_TLS with connectTimeoutMs ${connectTimeoutMs} (at or below the probe time)`, async () => {
      const p = await failure({ host: '127.0.0.1', port: plain.port, tls: { enabled: true, ca: [lab.rootCa.cert] }, connectTimeoutMs });
      assert.equal(p.code, 'NOT_TLS', `${p.code}: ${p.detail}`);
    });
  }

  it('consistency: the certificate panel judges host names exactly as the connection does (CN-only, wrong host, SANs)', async () => {
    for (const entry of [lab.server, lab.noSanServer, lab.wrongHostServer]) {
      const srv = await startRedis({ kind: 'tls', certs: entry });
      try {
        const leaf = parseCertificates(await fs.readFile(entry.certPath))[0]!;
        for (const host of ['localhost', '127.0.0.1']) {
          let connected = true;
          try {
            const c = await RedisConnection.open(
              { host, port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } },
              { tlsCache: new TlsCache() },
            );
            c.destroy();
          } catch (e) {
            assert.ok(isDiagnosedError(e), String(e));
            assert.equal(e.problem.code, 'HOSTNAME_MISMATCH', `${entry.certPath} as ${host}: ${e.problem.detail}`);
            connected = false;
          }
          const panel = matchName(leaf, host);
          assert.equal(
            panel.ok,
            connected,
            `${entry.certPath} as ${host}: connection ${connected ? 'accepts' : 'refuses'}, panel says "${panel.explanation}"`,
          );
        }
      } finally {
        await srv.stop();
      }
    }
  });

  it('consistency: a TIMEOUT detail claims a plaintext PING only when one reached the port', async () => {
    const pings: string[] = [];
    let connections = 0;
    const silent = net.createServer((s) => {
      connections++;
      s.on('error', () => undefined);
      s.on('data', (b: Buffer) => {
        if (b.toString('latin1').startsWith('PING')) pings.push('PING');
      });
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const p = await failure({ host: '127.0.0.1', port, tls: { enabled: true, ca: [lab.rootCa.cert] }, connectTimeoutMs: 1000 });
      assert.equal(p.code, 'TIMEOUT');
      if (/does not answer a plaintext PING/.test(p.detail))
        assert.equal(pings.length, 1, `the detail claims a PING, the port saw ${pings.length} (${connections} connections): ${p.detail}`);
      else assert.match(p.detail, /no plaintext PING was tried|plaintext PING .* had no answer yet/);
    } finally {
      silent.close();
    }
  });
});
