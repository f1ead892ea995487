import * as assert from 'node:assert/strict';
import { CATALOGUE, makeProblem } from '../../src/core/diagnosis/catalogue';
import { classifyError, classifyReplyError } from '../../src/core/diagnosis/classify';
import { DIAGNOSIS_CODES } from '../../src/core/diagnosis/problem';
import type { ConnectionOptions } from '../../src/core/client/options';

const options: ConnectionOptions = { host: 'db.example', port: 6380, tls: { enabled: true } };
const err = (code: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error('message text is not read'), { code, ...extra });

describe('diagnosis catalogue and classifier (no network)', () => {
  it('has a title and a fix for every code', () => {
    for (const c of DIAGNOSIS_CODES) {
      assert.ok(CATALOGUE[c].title.length > 5 && CATALOGUE[c].fix.length > 10, c);
      const p = makeProblem(c, 'detail');
      assert.equal(p.code, c);
    }
  });

  it('classifies by err.code', () => {
    const table: Array<[string, string]> = [
      ['ECONNREFUSED', 'CONNECTION_REFUSED'], ['ENOTFOUND', 'HOST_NOT_FOUND'], ['ETIMEDOUT', 'TIMEOUT'],
      ['CERT_HAS_EXPIRED', 'CERT_EXPIRED'], ['CERT_NOT_YET_VALID', 'CERT_NOT_YET_VALID'], ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'UNTRUSTED_ROOT'], ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNKNOWN_ISSUER'],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNKNOWN_ISSUER'], ['UNABLE_TO_GET_ISSUER_CERT', 'CA_BUNDLE_INCOMPLETE'],
      ['INVALID_PURPOSE', 'WRONG_PURPOSE'], ['CA_MD_TOO_WEAK', 'WEAK_CERTIFICATE'], ['EE_KEY_TOO_SMALL', 'WEAK_CERTIFICATE'],
      ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS_VERSION_MISMATCH'], ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'CLIENT_CERT_REQUIRED'],
      ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'CLIENT_CERT_UNTRUSTED'], ['ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', 'CLIENT_CERT_REJECTED'],
      ['ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'KEY_MISMATCH'], ['ERR_OSSL_BAD_DECRYPT', 'KEY_PASSPHRASE'], ['ERR_SSL_WRONG_VERSION_NUMBER', 'NOT_TLS'],
    ];
    for (const [code, expected] of table) assert.equal(classifyError(err(code), { options }).code, expected, code);
  });

  it('UNSPECIFIED is weak only when its reason says so', () => {
    assert.equal(classifyError(err('UNSPECIFIED', { reason: 'CA signature digest algorithm too weak' }), { options }).code, 'WEAK_CERTIFICATE');
    assert.equal(classifyError(err('UNSPECIFIED'), { options }).code, 'PROTOCOL_ERROR');
  });

  it('alert 40 means "certificate required" only when no client certificate was offered', () => {
    assert.equal(classifyError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), { options, clientCertGiven: false }).code, 'CLIENT_CERT_REQUIRED');
    assert.equal(classifyError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), { options, clientCertGiven: true }).code, 'CLIENT_CERT_REJECTED');
  });

  it('hostname mismatch names both sides', () => {
    const p = classifyError(err('ERR_TLS_CERT_ALTNAME_INVALID', { host: 'db.example', cert: { subjectaltname: 'DNS:other.example, IP Address:10.0.0.1' } }), { options });
    assert.equal(p.code, 'HOSTNAME_MISMATCH');
    assert.ok(p.detail.includes('DNS:other.example') && p.detail.includes('"db.example"'));
    assert.deepEqual(p.facts?.certNames, ['DNS:other.example', 'IP Address:10.0.0.1']);
  });

  it('version mismatch names both sides', () => {
    const p = classifyError(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), { options: { ...options, tls: { enabled: true, minVersion: 'TLSv1.3' } }, serverVersions: ['TLSv1.2'] });
    assert.match(p.detail, /allows TLSv1\.3 to TLSv1\.3|allows TLSv1\.3;/);
    assert.match(p.detail, /accepts TLSv1\.2/);
  });

  it('RESP errors by their code word', () => {
    assert.equal(classifyReplyError('NOAUTH Authentication required.', 'PING', { options })?.code, 'AUTH_REQUIRED');
    assert.equal(classifyReplyError('WRONGPASS invalid username-password pair or user is disabled.', 'AUTH', { options })?.code, 'AUTH_FAILED');
    assert.equal(classifyReplyError('NOPERM this user has no permissions to run the \'set\' command', 'SET', { options })?.code, 'NO_PERMISSION');
    assert.equal(classifyReplyError('ERR invalid password', 'AUTH', { options })?.code, 'AUTH_FAILED');
    assert.equal(classifyReplyError('WRONGTYPE Operation against a key', 'GET', { options }), undefined);
  });

  it('plaintext client + TLS answer = TLS_REQUIRED', () => {
    assert.equal(classifyError(err('ECONNRESET'), { options: { ...options, tls: { enabled: false } }, tlsAnswered: true }).code, 'TLS_REQUIRED');
  });
});
