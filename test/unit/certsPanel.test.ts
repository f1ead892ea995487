import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { getLab } from '../lab/certs';
import { buildChain, parseCertificates } from '../../src/core/certs';
import { summarizeCertificate } from '../../src/core/certs/summary';
import type { HandshakeReport } from '../../src/core/tls/report';
import { assertNoSecrets, auditForPanel, buildPanelModel, parseFromPanel, reportOnlyModel } from '../../src/webviews/certProtocol';
import type { AuditResult } from '../../src/core/audit';
import { findProfileNode, jsonProperty, parseWorkspaceTree } from '../../src/core/profiles/workspaceFile';

describe('certs panel: message protocol', () => {
  it('accepts exactly the known messages from the webview', () => {
    assert.deepEqual(parseFromPanel({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromPanel({ type: 'copyPem', position: 2 }), { type: 'copyPem', position: 2 });
    assert.deepEqual(parseFromPanel({ type: 'useCa', position: 0 }), { type: 'useCa', position: 0 });
  });
  it('drops malformed and unknown messages', () => {
    for (const bad of [
      null,
      'ready',
      [],
      { type: 'eval', code: 'x' },
      { type: 'copyPem' },
      { type: 'copyPem', position: -1 },
      { type: 'copyPem', position: 1.5 },
      { type: 'copyPem', position: '1' },
      { type: 'ready', extra: 1 },
      { type: 'useCa', position: 1000 },
    ]) {
      assert.equal(parseFromPanel(bad), undefined, JSON.stringify(bad));
    }
  });
  it("accepts the panel's request to audit the connection, and nothing more in it", () => {
    assert.deepEqual(parseFromPanel({ type: 'audit' }), { type: 'audit' });
    assert.equal(parseFromPanel({ type: 'audit', profileId: 'other' }), undefined);
  });
  it('an audit goes to the certificate panel without tripping the secret check (the leaf key description is publicKey there)', () => {
    const result: AuditResult = {
      target: { host: 'cache.example', port: 6380, servername: null },
      protocols: { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': true },
      ciphers: {
        'TLSv1.2': [{ name: 'ECDHE-RSA-AES128-GCM-SHA256', weak: false, reasons: [] }],
        'TLSv1.3': 'TLS_AES_256_GCM_SHA384',
        enumerated: true,
      },
      clientCert: 'none',
      resumption: { supported: true, freshMs: 3, resumedMs: 2 },
      chain: {
        presented: 2,
        complete: true,
        trusted: true,
        verdict: 'Trusted',
        trustSource: 'system trust store',
        hostname: { name: 'cache.example', match: true, explanation: 'DNS:cache.example matches' },
        leaf: {
          subject: 'CN=<img src=x>',
          issuer: 'CN=CA',
          notAfter: '2027-01-01',
          daysLeft: 33,
          key: 'RSA 2048 bits',
          keyBits: 2048,
          signatureAlgorithm: 'sha256WithRSAEncryption',
        },
        certificates: [],
      },
      plaintextPort: { port: 6379, open: false },
      cost: { pingTlsMs: 0.1, pingPlaintextMs: null, samples: 10, handshakeFreshMs: 3, handshakeResumedMs: 2 },
      findings: [],
    };
    assert.throws(() => assertNoSecrets({ type: 'audit', audit: { state: 'done', result } }), /key/);
    const shown = auditForPanel(result);
    assert.doesNotThrow(() => assertNoSecrets({ type: 'audit', audit: { state: 'done', result: shown } }));
    assert.equal(shown.chain?.leaf?.publicKey, 'RSA 2048 bits');
    assert.equal(shown.chain?.leaf?.subject, 'CN=<img src=x>', 'server strings are passed as data, rendered with textContent');
    assert.deepEqual(auditForPanel({ ...result, chain: null }).chain, null);
  });
  it('refuses to post anything secret-looking', () => {
    assert.throws(() => assertNoSecrets({ type: 'show', model: { connection: { password: 'x' } } }), /password/);
    assert.throws(() => assertNoSecrets({ a: ['-----BEGIN PRIVATE KEY-----\nAAA'] }), /private key/);
    assert.doesNotThrow(() =>
      assertNoSecrets({ cert: { publicKey: 'RSA 2048 bits', keyUsage: ['digitalSignature'], pem: '-----BEGIN CERTIFICATE-----' } }),
    );
  });
  it('builds a model from a lab chain that carries no secret', async function () {
    this.timeout(60_000);
    const lab = await getLab();
    const report = await buildChain({
      presented: parseCertificates(lab.server.chain),
      anchors: parseCertificates(lab.rootOnly.cert),
      hostname: 'localhost',
    });
    const model = buildPanelModel({
      title: 't',
      subject: { kind: 'server', label: 'x' },
      trustSource: 'ca',
      report,
      canUseCa: true,
      presentedLabel: 'presented by the server',
    });
    assert.equal(model.trusted, true);
    assert.deepEqual(
      model.links.map((l) => l.source),
      ['presented by the server', 'presented by the server', 'configured CA'],
    );
    assert.match(model.links[0].validity, /^expires in /);
    assertNoSecrets({ type: 'show', model });
    // the model survives structured cloning (what postMessage does)
    assert.deepEqual(structuredClone(model), model);
  });
});

describe('certs panel: model from a live connection report alone', () => {
  it('maps the recorded chain (no PEM) and keeps the connection verdict', async function () {
    this.timeout(60_000);
    const lab = await getLab();
    const chain = parseCertificates(lab.server.chain).map((c) => summarizeCertificate(c.der));
    const report: HandshakeReport = {
      host: 'localhost',
      port: 6380,
      tls: true,
      servername: 'localhost',
      verifiedName: 'localhost',
      protocol: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: null,
      authorized: true,
      authorizationError: null,
      verification: 'chain',
      sessionReused: true,
      timings: { tcpConnectMs: 1, tlsHandshakeMs: 2, firstReplyMs: 3 },
      chain,
    };
    const model = reportOnlyModel('prod', 'the CA file', report, 'ECONNREFUSED');
    assert.equal(model.trusted, true);
    assert.deepEqual(
      model.links.map((l) => [l.role, l.cert.commonName, l.cert.pem]),
      [
        ['leaf', 'localhost', ''],
        ['intermediate', 'Lab Intermediate CA', ''],
      ],
    );
    assert.deepEqual(model.links[0].cert.sans, [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    assert.equal(model.connection?.sessionReused, true);
    assert.match(model.notes[0], /could not be read again \(ECONNREFUSED\)/);
    assertNoSecrets({ type: 'show', model });
    const failed = reportOnlyModel('prod', 'x', { ...report, authorized: false, authorizationError: 'CERT_HAS_EXPIRED' }, 'timeout');
    assert.equal(failed.trusted, false);
    assert.match(failed.verdict, /CERT_HAS_EXPIRED/);
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
    const root = parseWorkspaceTree(text);
    const obj = findProfileNode(root, 'Prod "cache"');
    assert.ok(obj);
    const ca = jsonProperty(obj, 'caFile');
    assert.ok(ca);
    assert.equal(text.slice(ca.value.offset, ca.value.offset + ca.value.length), '"certs/ca.pem"');
    assert.equal(jsonProperty(obj, 'port')?.value.value, 6380);
    assert.equal(findProfileNode(root, 'missing'), undefined);
  });
  it('tolerates trailing commas and comments (JSONC)', () => {
    const root = parseWorkspaceTree('{ /* c */ "profiles": [ { "name": "x", "host": "h", }, ], }');
    assert.equal(jsonProperty(findProfileNode(root, 'x')!, 'host')?.value.value, 'h');
  });
  it('returns undefined for broken JSON instead of throwing', () => {
    assert.equal(parseWorkspaceTree('{ "profiles": [ { "name": '), undefined);
    assert.equal(parseWorkspaceTree('['.repeat(500)), undefined);
    assert.equal(parseWorkspaceTree('['.repeat(1_000_000)), undefined);
  });
});
