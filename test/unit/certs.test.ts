import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { getLab, type LabCerts } from '../lab/certs';
import {
  analyzeCertificateFile,
  buildChain,
  certificateFindings,
  dnsNameMatches,
  matchName,
  parseCertificates,
  readPfx,
  splitPem,
  type Certificate,
  type FindingId,
} from '../../src/core/certs';

function one(pem: string): Certificate {
  const certs = parseCertificates(pem);
  assert.equal(certs.length, 1);
  return certs[0];
}

function ids(cert: Certificate, purpose: 'server' | 'client' | 'any' = 'any'): FindingId[] {
  return certificateFindings(cert, { purpose }).map((f) => f.id);
}

describe('certs: parsing', function () {
  this.timeout(60_000);
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });

  it('splits a PEM bundle into every certificate with its lines', () => {
    const certs = parseCertificates(lab.caBundle.cert);
    assert.equal(certs.length, 2);
    assert.match(certs[0].subject, /Lab Intermediate CA/);
    assert.match(certs[1].subject, /Lab Root CA/);
    assert.ok(certs[1].lines && certs[0].lines && certs[1].lines.start > certs[0].lines.end);
    const blocks = splitPem(`garbage\r\n${lab.server.cert}\nBag Attributes: x\n${lab.server.key}`);
    assert.deepEqual(
      blocks.map((b) => b.label),
      ['CERTIFICATE', 'PRIVATE KEY'],
    );
  });

  it('reads DER', () => {
    const der = one(lab.server.cert).der;
    const [cert] = parseCertificates(der);
    assert.equal(cert.sha256, one(lab.server.cert).sha256);
  });

  it('summarises the lab server certificate', () => {
    const s = one(lab.server.cert).summary();
    assert.deepEqual(s.sans, [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ]);
    assert.equal(s.keyType, 'RSA');
    assert.equal(s.keyBits, 2048);
    assert.match(s.signatureAlgorithm, /SHA-256/);
    assert.match(s.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(s.sha1, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    assert.deepEqual(s.extendedKeyUsage.sort(), ['clientAuth', 'serverAuth']);
    assert.equal(s.isCA, false);
    assert.ok(s.extensions.some((e) => e.name === 'Subject Alternative Name' && e.value.includes('localhost')));
    const inter = one(lab.intermediateCa.cert).summary();
    assert.equal(inter.isCA, true);
    assert.equal(inter.pathLength, 0);
    assert.equal(one(lab.rootCa.cert).summary().keyType, 'EC');
  });

  it('reads the certificates of an AES PKCS#12 and validates it', () => {
    const p = readPfx(lab.clientPfx.pfx, lab.clientPfx.password);
    assert.deepEqual(p.validation, { ok: true });
    assert.equal(p.hasPrivateKey, true);
    const subjects = p.certificates.map((c) => c.commonNames[0]).sort();
    assert.deepEqual(subjects, ['Lab Intermediate CA', 'lab-client']);
  });

  it('reports a wrong PKCS#12 password without echoing it', () => {
    const p = readPfx(lab.clientPfx.pfx, 'not-the-password');
    assert.equal(p.validation.ok, false);
    if (!p.validation.ok) {
      assert.equal(p.validation.reason, 'password');
      assert.ok(!p.validation.message.includes('not-the-password'));
    }
  });

  it('reads a PKCS#12 whose certificates are encrypted with SHA-1/3DES PBE (Java/Windows exports)', async () => {
    const out = path.join(lab.dir, `certs-unit-3des-${process.pid}.p12`);
    await promisify(execFile)(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-inkey',
        lab.client.keyPath,
        '-in',
        lab.client.certPath,
        '-certfile',
        lab.intermediateCa.certPath,
        '-certpbe',
        'PBE-SHA1-3DES',
        '-keypbe',
        'PBE-SHA1-3DES',
        '-macalg',
        'sha1',
        '-out',
        out,
        '-passout',
        'env:P12_PASS',
      ],
      { env: { ...process.env, P12_PASS: 'tri-DES pass' } },
    );
    const p = readPfx(await fs.readFile(out), 'tri-DES pass');
    assert.deepEqual(p.validation, { ok: true });
    assert.deepEqual(p.unsupported, []);
    assert.deepEqual(p.certificates.map((c) => c.commonNames[0]).sort(), ['Lab Intermediate CA', 'lab-client']);
    await fs.rm(out, { force: true });
  });

  it('explains a legacy (RC2) PKCS#12 instead of failing silently', () => {
    const p = readPfx(lab.clientPfxLegacy.pfx, lab.clientPfxLegacy.password);
    assert.equal(p.validation.ok, false);
    assert.ok(
      p.unsupported.some((u) => /RC2|TripleDES/.test(u)),
      p.unsupported.join(),
    );
  });
});

describe('certs: findings on the lab certificates', function () {
  this.timeout(60_000);
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });

  it('finds nothing wrong with the good server certificate', () => {
    assert.deepEqual(ids(one(lab.server.cert), 'server'), []);
  });
  it('expired, not yet valid, expiring soon', () => {
    assert.deepEqual(ids(one(lab.expiredServer.cert)), ['expired']);
    assert.deepEqual(ids(one(lab.notYetValidServer.cert)), ['not-yet-valid']);
    assert.deepEqual(ids(one(lab.expiringSoonServer.cert)), ['expiring']);
    const f = certificateFindings(one(lab.expiringSoonServer.cert))[0];
    assert.match(f.detail, /expires in (4|5) days/);
    assert.deepEqual(certificateFindings(one(lab.expiringSoonServer.cert), { warnDays: 2 }), []);
  });
  it('SHA-1 signature and RSA-1024 are weak', () => {
    const sha1 = certificateFindings(one(lab.sha1Server.cert));
    assert.deepEqual(
      sha1.map((f) => [f.id, f.code]),
      [['sha1-signature', 'WEAK_CERTIFICATE']],
    );
    assert.deepEqual(ids(one(lab.rsa1024Server.cert)), ['weak-rsa']);
  });
  it('no SAN', () => {
    assert.deepEqual(ids(one(lab.noSanServer.cert)), ['no-san']);
  });
  it('EKU missing for the intended purpose', () => {
    assert.deepEqual(ids(one(lab.serverWrongEku.cert), 'server'), ['missing-server-eku']);
    assert.deepEqual(ids(one(lab.clientWrongEku.cert), 'client'), ['missing-client-eku']);
    assert.deepEqual(ids(one(lab.client.cert), 'client'), []);
    assert.deepEqual(ids(one(lab.client.cert), 'server'), ['missing-server-eku']);
  });
  it('self-signed leaf', () => {
    const f = certificateFindings(one(lab.selfSignedServer.cert));
    assert.deepEqual(
      f.map((x) => [x.id, x.code]),
      [['self-signed-leaf', 'SELF_SIGNED']],
    );
  });
  it('key does not match certificate; encrypted keys (PKCS#8 and PKCS#1)', () => {
    const mismatch = analyzeCertificateFile(`${lab.clientMismatchedKey.cert}${lab.clientMismatchedKey.key}`);
    assert.deepEqual(
      mismatch.blocks.map((b) => [b.kind, b.findings.map((f) => f.id)]),
      [
        ['certificate', []],
        ['key', ['key-mismatch']],
      ],
    );
    const good = analyzeCertificateFile(`${lab.client.cert}${lab.client.key}`);
    assert.deepEqual(
      good.blocks.flatMap((b) => b.findings),
      [],
    );
    for (const entry of [lab.clientEncrypted, lab.clientEncryptedPkcs1]) {
      const a = analyzeCertificateFile(entry.key);
      assert.deepEqual(
        a.blocks.map((b) => b.findings.map((f) => [f.id, f.code])),
        [[['encrypted-key', 'KEY_PASSPHRASE']]],
      );
    }
  });
  it('gives each block its line range', () => {
    const text = `# bundle\n${lab.expiredServer.cert}${lab.intermediateCa.cert}`;
    const a = analyzeCertificateFile(text);
    assert.equal(a.blocks.length, 2);
    assert.equal(a.blocks[0].startLine, 1);
    assert.ok(a.blocks[1].startLine === a.blocks[0].endLine + 1);
    assert.deepEqual(
      a.blocks[0].findings.map((f) => f.id),
      ['expired'],
    );
  });
  it('reports a corrupted block instead of throwing', () => {
    const a = analyzeCertificateFile('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    assert.deepEqual(
      a.blocks.map((b) => b.findings.map((f) => f.id)),
      [['unreadable']],
    );
  });
});

describe('certs: host name matching', () => {
  it('applies wildcard rules like Node', () => {
    assert.equal(dnsNameMatches('a.example.com', '*.example.com'), true);
    assert.equal(dnsNameMatches('A.Example.COM.', '*.example.com'), true);
    assert.equal(dnsNameMatches('a.b.example.com', '*.example.com'), false);
    assert.equal(dnsNameMatches('example.com', '*.example.com'), false);
    assert.equal(dnsNameMatches('example.com', '*.com'), false);
    assert.equal(dnsNameMatches('redis.example.com', 'redis.example.com'), true);
    assert.equal(dnsNameMatches('xn--a.example.com', 'xn--*.example.com'), false);
  });
});

describe('certs: chain verdicts', function () {
  this.timeout(60_000);
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });
  const certs = (...pems: string[]): Certificate[] => pems.flatMap((p) => parseCertificates(p));

  it('good chain: leaf + intermediate presented, root configured', async () => {
    const r = await buildChain({ presented: certs(lab.server.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(r.trusted, true, r.verdict);
    assert.deepEqual(
      r.links.map((l) => [l.role, l.verdict, l.source]),
      [
        ['leaf', 'ok', 'presented'],
        ['intermediate', 'ok', 'presented'],
        ['root', 'ok', 'configured CA'],
      ],
    );
    assert.match(r.links[0].explanation, /Signature verifies with the public key of its issuer "Lab Intermediate CA"/);
    assert.match(r.links[1].explanation, /Path length limit 0; 0 intermediate/);
    assert.equal(r.code, undefined);
    const byIp = await buildChain({ presented: certs(lab.server.chain), anchors: certs(lab.rootOnly.cert), hostname: '127.0.0.1' });
    assert.equal(byIp.trusted, true);
    assert.equal(byIp.nameMatch?.matchedBy, 'IP:127.0.0.1');
  });

  it('incomplete: the server omits its intermediate', async () => {
    const r = await buildChain({ presented: certs(lab.serverLeafOnly.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(r.trusted, false);
    assert.equal(r.complete, false);
    assert.equal(r.code, 'UNKNOWN_ISSUER');
    assert.equal(r.links.length, 1);
    assert.match(r.links[0].explanation, /Issuer ".*Lab Intermediate CA.*" was not found.*omits its intermediate/);
  });

  it('incomplete: the CA file holds the intermediate but not the root', async () => {
    const r = await buildChain({ presented: certs(lab.server.chain), anchors: certs(lab.intermediateOnly.cert), hostname: 'localhost' });
    assert.equal(r.trusted, false);
    assert.equal(r.code, 'CA_BUNDLE_INCOMPLETE');
  });

  it('unknown CA: leaf only, and leaf + untrusted root', async () => {
    const leafOnly = await buildChain({
      presented: certs(lab.unknownCaServer.chain),
      anchors: certs(lab.caBundle.cert),
      hostname: 'localhost',
    });
    assert.equal(leafOnly.trusted, false);
    assert.equal(leafOnly.code, 'UNKNOWN_ISSUER');
    const withRoot = await buildChain({
      presented: certs(lab.unknownCaServer.chainWithRoot),
      anchors: certs(lab.caBundle.cert),
      hostname: 'localhost',
    });
    assert.equal(withRoot.trusted, false);
    assert.equal(withRoot.code, 'UNTRUSTED_ROOT');
    assert.deepEqual(
      withRoot.links.map((l) => [l.role, l.verdict]),
      [
        ['leaf', 'ok'],
        ['root', 'error'],
      ],
    );
    const trustedViaMulti = await buildChain({
      presented: certs(lab.unknownCaServer.chain),
      anchors: certs(lab.multiCaBundle.cert),
      hostname: 'localhost',
    });
    assert.equal(trustedViaMulti.trusted, true, trustedViaMulti.verdict);
  });

  it('expired chain', async () => {
    const r = await buildChain({ presented: certs(lab.expiredServer.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(r.trusted, false);
    assert.equal(r.code, 'CERT_EXPIRED');
    assert.deepEqual(
      r.links.map((l) => l.verdict),
      ['error', 'ok', 'ok'],
    );
    assert.match(r.links[0].explanation, /Expired: expired .* ago/);
  });

  it('host name mismatch lists the names on the certificate', async () => {
    const r = await buildChain({ presented: certs(lab.wrongHostServer.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(r.code, 'HOSTNAME_MISMATCH');
    assert.deepEqual(r.nameMatch?.certNames, ['wrong.example']);
  });

  it('self-signed leaf: untrusted, then trusted when configured as the CA', async () => {
    const r = await buildChain({ presented: certs(lab.selfSignedServer.cert), anchors: certs(lab.caBundle.cert), hostname: 'localhost' });
    assert.equal(r.code, 'SELF_SIGNED');
    const t = await buildChain({
      presented: certs(lab.selfSignedServer.cert),
      anchors: certs(lab.selfSignedServer.cert),
      hostname: 'localhost',
    });
    assert.equal(t.trusted, true, t.verdict);
  });

  it('wrong purpose and weak signature', async () => {
    const eku = await buildChain({ presented: certs(lab.serverWrongEku.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(eku.code, 'WRONG_PURPOSE');
    const sha1 = await buildChain({ presented: certs(lab.sha1Server.chain), anchors: certs(lab.rootOnly.cert), hostname: 'localhost' });
    assert.equal(sha1.code, 'WEAK_CERTIFICATE');
    const client = await buildChain({ presented: certs(lab.client.chain), anchors: certs(lab.rootOnly.cert), purpose: 'client' });
    assert.equal(client.trusted, true, client.verdict);
  });

  it('falls back to the system store when no CA is configured', async () => {
    const r = await buildChain({ presented: certs(lab.server.chain), hostname: 'localhost' });
    assert.equal(r.trusted, false);
    assert.match(r.verdict, /system trust store/);
  });

  it('a CN-only certificate does not match by its CN: the panel judges names as the connection does', async () => {
    const cert = one(lab.noSanServer.cert);
    const m = matchName(cert, 'localhost');
    assert.equal(m.ok, false);
    assert.equal(m.usedCommonName, true);
    assert.match(m.explanation, /no subjectAltName: its CN localhost is not used/);
    const chain = await buildChain({ presented: [cert], hostname: 'localhost' });
    assert.ok(
      chain.links[0]!.checks.some((c) => c.id === 'name' && c.verdict === 'error' && c.code === 'HOSTNAME_MISMATCH'),
      'the panel marks the name check failed',
    );
  });
});
