import 'reflect-metadata';
import * as assert from 'node:assert/strict';
import { getLab, type LabCerts } from '../lab/certs';
import { analyzeCertificateFile } from '../../src/core/certs/analyze';

/** The lab client certificate with its SubjectPublicKeyInfo algorithm changed to an unknown OID (1.2.840.113549.1.1.99). */
function certWithUnreadablePublicKey(lab: LabCerts): string {
  const der = Buffer.from(lab.client.cert.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  const rsaEncryption = Buffer.from('06092a864886f70d010101', 'hex');
  const at = der.indexOf(rsaEncryption);
  assert.ok(at > 0, 'the lab client key is RSA');
  der[at + rsaEncryption.length - 1] = 0x63;
  return `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;
}

describe('hostile: certificate file analysis never throws', function () {
  this.timeout(20_000);
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });

  it("a certificate with an unreadable public key plus a private key: a finding on the certificate's lines, the key block still listed", () => {
    const cert = certWithUnreadablePublicKey(lab);
    const text = cert + lab.client.key;
    const a = analyzeCertificateFile(text);
    const certBlock = a.blocks.find((b) => b.kind === 'certificate');
    const keyBlock = a.blocks.find((b) => b.kind === 'key');
    assert.ok(certBlock && keyBlock, JSON.stringify(a.blocks.map((b) => b.kind)));
    assert.equal(certBlock.startLine, 0);
    assert.ok(
      certBlock.findings.every((f) => f.id === 'analysis-failed' && f.severity === 'error'),
      JSON.stringify(certBlock.findings),
    );
    const failed = certBlock.findings.find((f) => /public key of this certificate/.test(f.title));
    assert.ok(failed, JSON.stringify(certBlock.findings));
    assert.match(failed.detail, /decode error/);
    assert.match(failed.title, new RegExp(`lines ${keyBlock.startLine + 1}-${keyBlock.endLine + 1}`));
  });

  it('analysis of arbitrary bytes returns (possibly empty) findings instead of throwing', () => {
    for (const input of [
      '',
      '-----BEGIN CERTIFICATE-----\n',
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      Buffer.from([0x30, 0x82, 0xff, 0xff]),
    ]) {
      assert.doesNotThrow(() => analyzeCertificateFile(input));
    }
  });
});
