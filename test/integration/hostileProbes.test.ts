import * as assert from 'node:assert/strict';
import type * as tls from 'node:tls';
import { getLab, type LabCerts } from '../lab/certs';
import { startTlsPeer, type TlsPeer } from '../lab/servers';
import { diagnosticHandshake } from '../../src/core/tls/probes';
import { fetchPresentedChain, type ProbeOptions } from '../../src/core/tls/inspectionHandshake';

/**
 * The diagnostic and inspection handshakes run with verification off: they must never present the
 * profile's client certificate. A TLS peer that asks for one (without requiring it) records what it got.
 */
describe('hostile: unverified handshakes never present the client certificate', function () {
  this.timeout(20_000);
  let lab: LabCerts;
  let peer: TlsPeer;
  const presented: boolean[] = [];

  before(async () => {
    lab = await getLab();
    peer = await startTlsPeer({
      // TLS 1.2: the client's Certificate message arrives before the server's Finished, so the server
      // has seen it (and fires secureConnection) by the time the client calls the handshake complete.
      maxVersion: 'TLSv1.2',
      requestCert: true,
      rejectUnauthorized: false,
      ca: [lab.rootCa.cert],
      onSecureSocket: (s: tls.TLSSocket) => {
        s.on('error', () => undefined);
        presented.push(Object.keys(s.getPeerCertificate()).length > 0);
        s.end();
      },
    });
  });
  after(async () => {
    await peer?.stop();
  });

  it('hostile: the peer does record a client certificate when one is presented (control)', async () => {
    presented.length = 0;
    const tlsMod = await import('node:tls');
    await new Promise<void>((resolve, reject) => {
      const s = tlsMod.connect(
        { host: 'localhost', port: peer.port, ca: [lab.rootCa.cert], cert: lab.client.cert, key: lab.client.key },
        () => {
          s.destroy();
          resolve();
        },
      );
      s.once('error', reject);
    });
    await waitFor(() => presented.length === 1);
    assert.deepEqual(presented, [true]);
  });

  it("hostile: diagnosticHandshake (doctor and failure probes) does not present the profile's client certificate", async () => {
    presented.length = 0;
    const d = await diagnosticHandshake(
      { host: 'localhost', port: peer.port, tls: { enabled: true, ca: [lab.rootCa.cert], cert: lab.client.cert, key: lab.client.key } },
      5000,
    );
    assert.equal(d.ok, true, d.errorCode);
    await waitFor(() => presented.length === 1);
    assert.deepEqual(presented, [false]);
  });

  it('hostile: the inspection handshake does not present a client certificate, even when handed one', async () => {
    presented.length = 0;
    const withIdentity = {
      host: 'localhost',
      port: peer.port,
      servername: 'localhost',
      cert: lab.client.cert,
      key: lab.client.key,
    } as ProbeOptions;
    const probe = await fetchPresentedChain(withIdentity);
    assert.equal(probe.presented[0].commonNames[0], 'localhost');
    await waitFor(() => presented.length === 1);
    assert.deepEqual(presented, [false]);
  });
});

/** Waits for a condition the peer's event sets (no fixed sleep). */
async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
