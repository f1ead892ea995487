import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { getLab, type LabCerts } from '../lab/certs';
import { requireRedisTls, startRedis, stopAll, type RedisServer } from '../lab/servers';
import { buildChain, parseCertificates } from '../../src/core/certs';
import { fetchPresentedChain } from '../../src/core/tls/inspectionHandshake';

describe('certs: presented chains from a real redis-server', function () {
  this.timeout(60_000);
  let lab: LabCerts;
  const servers: RedisServer[] = [];
  before(async () => {
    await requireRedisTls();
    lab = await getLab();
  });
  after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await stopAll();
  });

  it('reads leaf + intermediate exactly as sent (no root appended) and verifies it against the configured root', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.server });
    servers.push(srv);
    const probe = await fetchPresentedChain({ host: srv.host, port: srv.port, servername: 'localhost' });
    assert.deepEqual(
      probe.presented.map((c) => c.commonNames[0]),
      ['localhost', 'Lab Intermediate CA'],
    );
    assert.match(probe.protocol ?? '', /^TLSv1\.[23]$/);
    const report = await buildChain({ presented: probe.presented, anchors: parseCertificates(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(report.trusted, true, report.verdict);
    assert.deepEqual(
      report.links.map((l) => l.source),
      ['presented', 'presented', 'configured CA'],
    );
  });

  it('never resumes a session: a probe (rejectUnauthorized:false) leaves nothing a later handshake could reuse', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.server });
    servers.push(srv);
    for (const protocol of ['TLSv1.2', 'TLSv1.3'] as const) {
      const first = await fetchPresentedChain({
        host: srv.host,
        port: srv.port,
        servername: 'localhost',
        minVersion: protocol,
        maxVersion: protocol,
      });
      const second = await fetchPresentedChain({
        host: srv.host,
        port: srv.port,
        servername: 'localhost',
        minVersion: protocol,
        maxVersion: protocol,
      });
      assert.equal(first.protocol, protocol);
      assert.equal(first.sessionReused, false);
      assert.equal(second.sessionReused, false);
    }
  });

  it('a server that omits its intermediate: UNKNOWN_ISSUER, explained', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.serverLeafOnly, caFile: lab.rootOnly.certPath });
    servers.push(srv);
    const probe = await fetchPresentedChain({ host: srv.host, port: srv.port, servername: 'localhost' });
    assert.equal(probe.presented.length, 1);
    const report = await buildChain({ presented: probe.presented, anchors: parseCertificates(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(report.trusted, false);
    assert.equal(report.code, 'UNKNOWN_ISSUER');
    assert.match(report.verdict, /omits its intermediate/);
  });

  it('an expired server certificate: CERT_EXPIRED on the leaf link only', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.expiredServer });
    servers.push(srv);
    const probe = await fetchPresentedChain({ host: srv.host, port: srv.port, servername: 'localhost' });
    const report = await buildChain({ presented: probe.presented, anchors: parseCertificates(lab.caBundle.cert), hostname: 'localhost' });
    assert.equal(report.code, 'CERT_EXPIRED');
    assert.deepEqual(
      report.links.map((l) => l.verdict),
      ['error', 'ok', 'ok'],
    );
  });

  for (const protocols of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`an mTLS server (${protocols}) shows its chain to the inspection, which presents no client certificate`, async () => {
      const srv = await startRedis({ kind: 'mtls', certs: lab.server, protocols });
      servers.push(srv);
      const probe = await fetchPresentedChain({ host: srv.host, port: srv.port, servername: 'localhost' });
      assert.equal(probe.presented[0].commonNames[0], 'localhost');
    });
  }

  it('a refused port is reported as such', async () => {
    await assert.rejects(fetchPresentedChain({ host: '127.0.0.1', port: 1, timeoutMs: 3000 }), /refused/);
  });
});
