// The argument of redisTls.useCaInProfile (certificate panel "Use This CA"): PEM certificates only.
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CaArgumentError, MAX_CA_PEM_CHARS, parseCaArgument } from '../../src/commands/caArgument';
import { getLab, type LabCerts } from '../lab/certs';

describe('Use This CA argument', () => {
  let lab: LabCerts;
  before(async function () {
    this.timeout(120_000); // the lab generates its certificates with openssl on first use
    lab = await getLab();
  });

  it('accepts a CA bundle and keeps only its certificates, re-encoded', () => {
    const text = `comment before\n${lab.caBundle.cert}\n-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n`;
    const ca = parseCaArgument(text);
    assert.equal(ca.count, 2);
    assert.equal((ca.pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 2);
    assert.ok(!ca.pem.includes('comment') && !ca.pem.includes('CRL'));
    assert.equal(new X509Certificate(ca.pem).fingerprint256, new X509Certificate(lab.intermediateCa.cert).fingerprint256);
    assert.match(ca.subject, /Lab Intermediate CA/);
  });

  it('refuses private key material, even next to a certificate, without quoting it', () => {
    for (const key of [lab.server.key, lab.client.key]) {
      assert.throws(
        () => parseCaArgument(lab.rootCa.cert + key),
        (e: unknown) => e instanceof CaArgumentError && /private key/.test(e.message) && !e.message.includes(key.split('\n')[1]),
      );
    }
  });

  it('refuses what is not PEM certificate text', () => {
    for (const bad of [
      undefined,
      42,
      { pem: lab.rootCa.cert },
      Buffer.from(lab.rootCa.cert),
      '',
      'hello',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      'x'.repeat(MAX_CA_PEM_CHARS + 1),
    ]) {
      assert.throws(() => parseCaArgument(bad), CaArgumentError, String(typeof bad));
    }
  });
});
