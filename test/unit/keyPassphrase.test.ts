// A wrong passphrase does not always fail with BAD_DECRYPT: about 1 time in 256 the CBC padding of the
// garbage is valid and parsing then fails with another code. Both must read as KEY_PASSPHRASE.
import * as assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';
import { precheckClientIdentity } from '../../src/core/tls/context';

describe('client key passphrase check', () => {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'right' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  function codeFor(passphrase: string): string {
    try {
      createPrivateKey({ key: privateKey, passphrase });
      return 'OPENED';
    } catch (e) {
      return String((e as { code?: unknown }).code ?? '');
    }
  }

  function problemCode(passphrase: string | undefined): string {
    try {
      precheckClientIdentity({
        host: 'h',
        port: 1,
        tls: { enabled: true, key: privateKey, ...(passphrase === undefined ? {} : { passphrase }) },
      });
      return 'NONE';
    } catch (e) {
      assert.ok(isDiagnosedError(e), String(e));
      assert.ok(!JSON.stringify(e.problem).includes(passphrase ?? '\u0000'), 'the passphrase is never echoed');
      return e.problem.code;
    }
  }

  it('missing and wrong (BAD_DECRYPT) passphrases are KEY_PASSPHRASE', () => {
    assert.equal(problemCode(undefined), 'KEY_PASSPHRASE');
    assert.equal(problemCode('Wr0ng-Secret-xyz'), 'KEY_PASSPHRASE');
  });

  it('a wrong passphrase whose garbage passes the padding check is KEY_PASSPHRASE too', function () {
    // The search derives a key (PBKDF2) per candidate, ~256 on average: seconds on a busy machine.
    this.timeout(120_000);
    let odd: string | undefined;
    for (let i = 0; i < 20000 && odd === undefined; i++) {
      const candidate = `Wr0ng-Secret-${i}`;
      const code = codeFor(candidate);
      if (code !== 'OPENED' && !/DECRYPT/.test(code)) odd = candidate;
    }
    assert.ok(odd !== undefined, 'found a wrong passphrase that fails with a code other than BAD_DECRYPT');
    assert.equal(problemCode(odd), 'KEY_PASSPHRASE');
  });
});
