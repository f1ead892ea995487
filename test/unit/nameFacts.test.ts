// The connection's name check reads a certificate's names with @peculiar/asn1-x509 (nameFacts.ts);
// the certificate panel reads them with @peculiar/x509 (certificate.ts). Both must see the same names
// and refuse the same certificates, or the panel could accept a name the connection refuses.
import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import { issueNodeCert } from '../lab/certs';
import { parseCertificates } from '../../src/core/certs/certificate';
import { nameFacts } from '../../src/core/certs/nameFacts';
import { checkServerIdentity, matchName } from '../../src/core/certs/names';

const der = (pem: string): Buffer => new crypto.X509Certificate(pem).raw;
const readable = (names: readonly { type: string; value: string }[]): string[] =>
  names.filter((n) => n.type !== 'other').map((n) => `${n.type}:${n.value}`);

describe('certificate names: the connection and the panel read the same names', function () {
  this.timeout(30_000);

  const cases: Array<{ name: string; cn: string; san: string }> = [
    { name: 'nf-mixed', cn: 'node.example.com', san: 'DNS:*.example.com, DNS:b.example.com, IP:127.0.0.1, IP:::1, IP:fe80::1:2' },
    { name: 'nf-others', cn: 'Zoë ünïcode', san: 'email:ops@example.com, URI:https://example.com/x, RID:1.2.3.4, DNS:localhost' },
    { name: 'nf-plain', cn: 'only.example', san: 'DNS:only.example' },
  ];

  for (const c of cases) {
    it(`${c.name}: the same DNS, IP, email and URI names and CNs as @peculiar/x509, and the same verdicts`, async () => {
      const leaf = await issueNodeCert(c);
      const cert = parseCertificates(leaf.cert)[0]!;
      const facts = nameFacts(der(leaf.cert));
      assert.deepEqual(readable(facts.sans), readable(cert.sans));
      assert.deepEqual(facts.commonNames, cert.commonNames);
      assert.equal(facts.sans.length, cert.sans.length);
      for (const host of [
        'a.example.com',
        'b.example.com',
        'x.y.example.com',
        '127.0.0.1',
        '::1',
        'fe80::1:2',
        'localhost',
        'only.example',
      ])
        assert.deepEqual(matchName(facts, host), matchName(cert, host), host);
    });
  }

  it('an entry @peculiar/x509 leaves out (an otherName it does not know) is left out by the name check too', async () => {
    const leaf = await issueNodeCert({ name: 'nf-othername', cn: 'localhost', san: 'DNS:localhost, otherName:1.2.3.4;UTF8:surprise' });
    const cert = parseCertificates(leaf.cert)[0]!;
    assert.deepEqual(cert.sans, [{ type: 'dns', value: 'localhost' }]);
    assert.deepEqual(nameFacts(der(leaf.cert)).sans, cert.sans);
    const peer = new crypto.X509Certificate(leaf.cert);
    const detailed = { raw: peer.raw, subject: { CN: 'localhost' }, subjectaltname: peer.subjectAltName } as unknown as Parameters<
      typeof checkServerIdentity
    >[1];
    assert.equal(checkServerIdentity('localhost', detailed), undefined);
    assert.match(checkServerIdentity('other.example', detailed)?.message ?? '', /not covered by the certificate's names: localhost/);
  });

  it('a certificate that does not parse is refused by the name check, with that reason', () => {
    // Node would take its CN (it has no DNS SAN), so the check reads the certificate itself.
    const peer = { raw: Buffer.from('3003020101', 'hex'), subject: { CN: 'localhost' }, subjectaltname: '' } as unknown as Parameters<
      typeof checkServerIdentity
    >[1];
    assert.match(checkServerIdentity('localhost', peer)?.message ?? '', /cannot be parsed/);
  });

  it("a name Node's check accepts by a SAN does not load the ASN.1 reader (the CLI's start-up)", () => {
    const names = require.resolve('../../src/core/certs/names');
    const probe = `
      const { checkServerIdentity } = require(${JSON.stringify(names)});
      const ok = [
        checkServerIdentity('localhost', { raw: Buffer.alloc(0), subject: {}, subjectaltname: 'DNS:localhost' }),
        checkServerIdentity('127.0.0.1', { raw: Buffer.alloc(0), subject: {}, subjectaltname: 'IP Address:127.0.0.1' }),
      ].every((e) => e === undefined);
      const loaded = Object.keys(require.cache).some((k) => /asn1-schema|nameFacts/.test(k));
      process.stdout.write(JSON.stringify({ ok, loaded }));`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(r.stdout), { ok: true, loaded: false }, r.stderr);
  });
});
