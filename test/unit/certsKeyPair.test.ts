// The one key-pair check shared by the connection pre-check, the profile pre-flight, the PKCS#12
// reader and the failure classifier: each case gives one diagnosis code, whoever asks.
import * as assert from 'node:assert/strict';
import { createSecureContext } from 'node:tls';
import { getLab, type LabCerts } from '../lab/certs';
import { checkKeyPair, checkPfx, identityErrorProblem, type KeyPairResult } from '../../src/core/certs/keyPair';
import { validatePfx } from '../../src/core/certs/pkcs12';
import { classifyError } from '../../src/core/tls/classify';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';
import { preflight } from '../../src/core/profiles/checks';
import { precheckClientIdentity } from '../../src/core/tls/context';

function code(r: KeyPairResult): string {
  return r.ok ? 'OK' : r.problem.code;
}

function precheckCode(tls: { cert?: string; key?: string; passphrase?: string }): string {
  try {
    precheckClientIdentity({ host: 'h', port: 1, tls: { enabled: true, ...tls } });
    return 'OK';
  } catch (e) {
    assert.ok(isDiagnosedError(e), String(e));
    return e.problem.code;
  }
}

function noSecret(r: KeyPairResult, secret: string): void {
  if (!r.ok) assert.ok(!JSON.stringify(r.problem).includes(secret), 'the passphrase is never echoed');
}

describe('certs: the key-pair check', () => {
  let lab: LabCerts;
  before(async function () {
    this.timeout(120_000);
    lab = await getLab();
  });

  it('a good pair is OK for every caller', () => {
    assert.equal(code(checkKeyPair({ cert: lab.client.cert, key: lab.client.key })), 'OK');
    assert.equal(precheckCode({ cert: lab.client.cert, key: lab.client.key }), 'OK');
    assert.deepEqual(preflight({ cert: lab.client.cert, key: lab.client.key, warningDays: 0 }).errors, []);
  });

  it('a key of another certificate is KEY_MISMATCH for every caller, with the same words', () => {
    const r = checkKeyPair({ cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key });
    assert.ok(!r.ok && r.failure === 'mismatch');
    assert.equal(r.problem.code, 'KEY_MISMATCH');
    assert.equal(r.problem.field, 'key');
    assert.equal(precheckCode({ cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key }), 'KEY_MISMATCH');
    assert.deepEqual(preflight({ cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key }).errors, [r.problem]);
  });

  it('an encrypted key: the right passphrase opens it, a wrong or missing one is KEY_PASSPHRASE', () => {
    for (const entry of [lab.clientEncrypted, lab.clientEncryptedPkcs1]) {
      const right = checkKeyPair({ cert: entry.cert, key: entry.key, passphrase: lab.passphrase });
      assert.ok(right.ok && right.keyEncrypted);
      const wrong = checkKeyPair({ cert: entry.cert, key: entry.key, passphrase: 'Wr0ng-Secret' });
      assert.ok(!wrong.ok && wrong.failure === 'passphrase' && wrong.problem.field === 'passphrase');
      assert.equal(wrong.problem.code, 'KEY_PASSPHRASE');
      noSecret(wrong, 'Wr0ng-Secret');
      const missing = checkKeyPair({ cert: entry.cert, key: entry.key });
      assert.equal(code(missing), 'KEY_PASSPHRASE');
      assert.match(missing.ok ? '' : missing.problem.detail, /no passphrase/);
      assert.equal(precheckCode({ cert: entry.cert, key: entry.key, passphrase: 'Wr0ng-Secret' }), 'KEY_PASSPHRASE');
      assert.deepEqual(preflight({ cert: entry.cert, key: entry.key, passphrase: 'Wr0ng-Secret' }).errors, [wrong.problem]);
    }
  });

  it('a connection needs both halves; the pre-flight checks the half it has', () => {
    const certOnly = checkKeyPair({ cert: lab.client.cert }, { requireBoth: true });
    assert.ok(!certOnly.ok && certOnly.failure === 'cert-without-key' && certOnly.problem.code === 'KEY_MISMATCH');
    const keyOnly = checkKeyPair({ key: lab.client.key }, { requireBoth: true });
    assert.ok(!keyOnly.ok && keyOnly.failure === 'key-without-cert' && keyOnly.problem.field === 'cert');
    assert.equal(code(checkKeyPair({ key: lab.client.key })), 'OK');
    const unreadable = checkKeyPair({ cert: lab.client.cert, key: 'not a key' });
    assert.ok(!unreadable.ok && unreadable.failure === 'unreadable-key' && unreadable.problem.code === 'KEY_MISMATCH');
  });

  it('PKCS#12: the right password opens it, a wrong one is KEY_PASSPHRASE, a legacy file says so', () => {
    assert.equal(code(checkPfx(lab.clientPfx.pfx, lab.clientPfx.password)), 'OK');
    const wrong = checkPfx(lab.clientPfx.pfx, 'not-the-password');
    assert.ok(
      !wrong.ok && wrong.failure === 'pfx-password' && wrong.problem.code === 'KEY_PASSPHRASE' && wrong.problem.field === 'passphrase',
    );
    noSecret(wrong, 'not-the-password');
    const legacy = checkPfx(lab.clientPfxLegacy.pfx, lab.clientPfxLegacy.password);
    assert.ok(!legacy.ok && legacy.failure === 'pfx-legacy' && /legacy/.test(legacy.problem.title));
    const junk = checkPfx(Buffer.from(lab.client.cert), 'x');
    assert.ok(!junk.ok && junk.failure === 'pfx-unreadable' && junk.problem.code === 'CLIENT_CERT_REJECTED');
    // The same answers from the pre-flight, the PKCS#12 reader and the classifier.
    assert.deepEqual(preflight({ pfx: lab.clientPfx.pfx, pfxPassword: 'not-the-password' }).errors, [wrong.problem]);
    assert.deepEqual(validatePfx(lab.clientPfx.pfx, 'not-the-password'), {
      ok: false,
      reason: 'password',
      message: `${wrong.problem.title}: ${wrong.problem.detail}`,
    });
    let thrown: unknown;
    try {
      createSecureContext({ pfx: lab.clientPfx.pfx, passphrase: 'not-the-password' });
    } catch (e) {
      thrown = e;
    }
    const tls = { enabled: true, pfx: lab.clientPfx.pfx, passphrase: 'not-the-password' };
    assert.deepEqual(identityErrorProblem(thrown, tls)?.problem, wrong.problem);
    assert.equal(classifyError(thrown, { options: { host: 'h', port: 1, tls } }).title, wrong.problem.title);
  });
});
