// The Add/Edit flow's checks (core/profiles/flowChecks.ts) and the secret kinds a profile uses
// (core/profiles/secretKinds.ts): plain Node, real files from the lab.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { applyAnswers } from '../../src/core/profiles/answers';
import { emptyProfile } from '../../src/core/profiles/draft';
import {
  checkDraft,
  passphraseOpensKey,
  passwordOpensPfx,
  readAnswerFiles,
  splitHostPort,
  validateLocalPath,
} from '../../src/core/profiles/flowChecks';
import { SECRET_KINDS, usedSecretKinds } from '../../src/core/profiles/secretKinds';
import { getLab, type LabCerts } from '../lab/certs';

describe('profiles: flow checks', () => {
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });

  it('splits host:port and [v6]:port; an invalid port is left out', () => {
    assert.deepEqual(splitHostPort(' redis.example.com:6380 '), { host: 'redis.example.com', port: 6380 });
    assert.deepEqual(splitHostPort('[::1]:6379'), { host: '::1', port: 6379 });
    assert.deepEqual(splitHostPort('redis.example.com:99999'), { host: 'redis.example.com', port: undefined });
    assert.deepEqual(splitHostPort('localhost'), { host: 'localhost' });
  });

  it('a typed path must be absolute and exist; a directory only where allowed', () => {
    assert.equal(validateLocalPath('certs/ca.pem', false), 'Enter an absolute path.');
    assert.equal(validateLocalPath('/no/such/file.pem', false), 'No such file.');
    assert.equal(validateLocalPath(os.tmpdir(), false), 'This is a directory.');
    assert.equal(validateLocalPath(os.tmpdir(), true), undefined);
    assert.equal(validateLocalPath(lab.rootCa.certPath, false), undefined);
  });

  it('passphrases and PKCS#12 passwords: only the right one opens', () => {
    assert.equal(passphraseOpensKey(lab.clientEncrypted.key, lab.passphrase), true);
    assert.equal(passphraseOpensKey(lab.clientEncrypted.key, 'wrong'), false);
    assert.equal(passwordOpensPfx(lab.clientPfx.pfx, lab.clientPfx.password), true);
    assert.equal(passwordOpensPfx(lab.clientPfx.pfx, 'wrong'), false);
  });

  it('unreadable linked files are FILE_UNREADABLE of their field (path and errno); a file that is no CA is a CA problem', async () => {
    const read = await readAnswerFiles({ caPath: '/no/such/ca.pem', certPath: lab.client.certPath, keyPath: '/no/such/key.pem' });
    assert.deepEqual(
      read.problems.map((p) => [p.code, p.field, p.facts]),
      [
        ['FILE_UNREADABLE', 'ca', { path: '/no/such/ca.pem', errno: 'ENOENT' }],
        ['FILE_UNREADABLE', 'key', { path: '/no/such/key.pem', errno: 'ENOENT' }],
      ],
    );
    assert.match(read.problems[1]!.detail, /client key file \/no\/such\/key\.pem cannot be read: ENOENT/);
    const pfx = await readAnswerFiles({ pfxPath: '/' });
    assert.deepEqual(
      pfx.problems.map((p) => [p.code, p.field, p.facts]),
      [['FILE_UNREADABLE', 'cert', { path: '/', errno: 'EISDIR' }]],
    );
    assert.ok(read.files.cert);
    const answers = { host: 'localhost', tls: true, caPath: lab.client.keyPath };
    const files = (await readAnswerFiles(answers)).files;
    const check = checkDraft(applyAnswers(answers, undefined, files), files, 30);
    assert.deepEqual(
      check.errors.map((p) => [p.code, p.field, p.title]),
      [['FILE_NOT_CERTIFICATE', 'ca', 'The CA file holds no certificate']],
    );
  });

  it('the secret kinds a profile uses follow its fields', () => {
    assert.deepEqual([...usedSecretKinds(emptyProfile({ tls: false, hasPassword: true }))], ['password']);
    const pfx = emptyProfile({ tls: true, client: { kind: 'pfx', path: '/x.p12' } });
    assert.deepEqual([...usedSecretKinds(pfx)].sort(), ['pfx', 'pfxPassword']);
    const imported = emptyProfile({ tls: true, ca: { kind: 'imported', alsoSystem: false }, client: { kind: 'imported' } });
    assert.deepEqual([...usedSecretKinds(imported)].sort(), ['caPem', 'certPem', 'keyPem', 'passphrase']);
    for (const kind of usedSecretKinds(imported)) assert.ok(SECRET_KINDS.includes(kind));
  });
});
