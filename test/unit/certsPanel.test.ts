import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { getLab } from '../lab/certs';
import { buildChain, parseCertificates } from '../../src/core/certs';
import { assertNoSecrets, buildPanelModel, parseFromPanel } from '../../src/webviews/certProtocol';
import { findProfileObject, parseJsonWithOffsets, property } from '../../src/diagnostics/jsonLocate';

describe('certs panel: message protocol', () => {
  it('accepts exactly the known messages from the webview', () => {
    assert.deepEqual(parseFromPanel({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromPanel({ type: 'copyPem', position: 2 }), { type: 'copyPem', position: 2 });
    assert.deepEqual(parseFromPanel({ type: 'useCa', position: 0 }), { type: 'useCa', position: 0 });
  });
  it('drops malformed and unknown messages', () => {
    for (const bad of [null, 'ready', [], { type: 'eval', code: 'x' }, { type: 'copyPem' }, { type: 'copyPem', position: -1 },
      { type: 'copyPem', position: 1.5 }, { type: 'copyPem', position: '1' }, { type: 'ready', extra: 1 }, { type: 'useCa', position: 1000 }]) {
      assert.equal(parseFromPanel(bad), undefined, JSON.stringify(bad));
    }
  });
  it('refuses to post anything secret-looking', () => {
    assert.throws(() => assertNoSecrets({ type: 'show', model: { connection: { password: 'x' } } }), /password/);
    assert.throws(() => assertNoSecrets({ a: ['-----BEGIN PRIVATE KEY-----\nAAA'] }), /private key/);
    assert.doesNotThrow(() => assertNoSecrets({ cert: { publicKey: 'RSA 2048 bits', keyUsage: ['digitalSignature'], pem: '-----BEGIN CERTIFICATE-----' } }));
  });
  it('builds a model from a lab chain that carries no secret', async function () {
    this.timeout(60_000);
    const lab = await getLab();
    const report = await buildChain({ presented: parseCertificates(lab.server.chain), anchors: parseCertificates(lab.rootOnly.cert), hostname: 'localhost' });
    const model = buildPanelModel({ title: 't', subject: { kind: 'server', label: 'x' }, trustSource: 'ca', report, canUseCa: true, presentedLabel: 'presented by the server' });
    assert.equal(model.trusted, true);
    assert.deepEqual(model.links.map((l) => l.source), ['presented by the server', 'presented by the server', 'configured CA']);
    assert.match(model.links[0].validity, /^expires in /);
    assertNoSecrets({ type: 'show', model });
    // the model survives structured cloning (what postMessage does)
    assert.deepEqual(structuredClone(model), model);
  });
});

describe('certs diagnostics: JSON locator for redis-tls.json', () => {
  const text = `{
  // team profiles
  "profiles": [
    { "name": "a", "host": "one" },
    {
      "name": "Prod \\"cache\\"",
      "host": "10.0.0.5",
      "caFile": "certs/ca.pem",
      "port": 6380
    }
  ]
}`;
  it('finds the profile object and the offsets of its values', () => {
    const root = parseJsonWithOffsets(text);
    const obj = findProfileObject(root, 'Prod "cache"');
    assert.ok(obj);
    const ca = property(obj, 'caFile');
    assert.ok(ca);
    assert.equal(text.slice(ca.value.start, ca.value.end), '"certs/ca.pem"');
    assert.equal(property(obj, 'port')?.value.value, 6380);
    assert.equal(findProfileObject(root, 'missing'), undefined);
  });
  it('returns undefined for broken JSON instead of throwing', () => {
    assert.equal(parseJsonWithOffsets('{ "profiles": [ { "name": '), undefined);
    assert.equal(parseJsonWithOffsets('['.repeat(500)), undefined);
  });
});
