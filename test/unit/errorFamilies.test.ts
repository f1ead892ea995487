import * as assert from 'node:assert/strict';
import { classifyError } from '../../src/core/tls/classify';
import { codesOf, probeFor, tlsErrorFamily, type TlsErrorFamily } from '../../src/core/tls/errorFamilies';
import type { ConnectionOptions } from '../../src/core/endpoint/options';

const options: ConnectionOptions = { host: 'db.example', port: 6380, tls: { enabled: true } };
const err = (code: string): Error => Object.assign(new Error('message text is not read'), { code });
const FAMILIES: TlsErrorFamily[] = ['server-chain', 'weak-certificate', 'version', 'not-tls', 'client-cert-rejected'];

describe('TLS error families (one table for the classifier and the connection)', () => {
  it('puts every code in exactly one family, and finds it by code', () => {
    const seen = new Map<string, TlsErrorFamily>();
    for (const family of FAMILIES) {
      assert.ok(codesOf(family).length > 0, family);
      for (const code of codesOf(family)) {
        assert.equal(seen.get(code), undefined, `${code} is in ${seen.get(code)} and ${family}`);
        seen.set(code, family);
        assert.equal(tlsErrorFamily(code), family, code);
      }
    }
    assert.equal(tlsErrorFamily('ECONNREFUSED'), undefined);
    assert.equal(tlsErrorFamily(undefined), undefined);
  });

  it('gives the classifier one diagnosis per family (except the chain codes, each diagnosed on its own)', () => {
    const expected: Partial<Record<TlsErrorFamily, string>> = {
      'weak-certificate': 'WEAK_CERTIFICATE',
      version: 'TLS_VERSION_MISMATCH',
      'not-tls': 'NOT_TLS',
      'client-cert-rejected': 'CLIENT_CERT_REJECTED',
    };
    for (const [family, diagnosis] of Object.entries(expected)) {
      for (const code of codesOf(family as TlsErrorFamily)) {
        // A refused certificate_unknown with no certificate offered means one is required.
        assert.equal(classifyError(err(code), { options, clientCertGiven: true }).code, diagnosis, code);
      }
    }
    // UNSPECIFIED carries nothing but its message text: only "too weak" / "too small" names a cause.
    for (const code of codesOf('server-chain').filter((c) => c !== 'UNSPECIFIED')) {
      const p = classifyError(err(code), { options });
      assert.notEqual(p.code, 'PROTOCOL_ERROR', `${code} fell through to the catch-all`);
    }
  });

  it('tells the connection which probe refines a failure', () => {
    assert.equal(probeFor('CERT_HAS_EXPIRED'), 'chain');
    assert.equal(probeFor('CA_MD_TOO_WEAK'), 'chain');
    assert.equal(probeFor('ERR_SSL_VERSION_TOO_LOW'), 'versions');
    assert.equal(probeFor('ERR_SSL_WRONG_VERSION_NUMBER'), 'plaintext');
    assert.equal(probeFor('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), 'none');
    assert.equal(probeFor('ECONNRESET'), 'none');
    assert.equal(probeFor(undefined), 'none');
  });
});
