import * as assert from 'node:assert/strict';
import { CATALOGUE, makeProblem } from '../../src/core/diagnosis/catalogue';
import { classifyError, classifyReplyError, type FailureContext } from '../../src/core/tls/classify';
import { DIAGNOSIS_CODES, type DiagnosisCode, type Problem } from '../../src/core/diagnosis/problem';
import type { ConnectionOptions } from '../../src/core/endpoint/options';

type Cert = NonNullable<FailureContext['chain']>[number];

const options: ConnectionOptions = { host: 'db.example', port: 6380, tls: { enabled: true } };
const err = (code: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error('message text is not read'), { code, ...extra });

/** A certificate summary whose every shown field is a distinctive value the detail must carry. */
function cert(fields: Partial<Cert> & { subject: string; issuer: string }): Cert {
  return {
    serial: '0a1b',
    notBefore: '2020-01-02T03:04:05.000Z',
    notAfter: '2099-12-31T23:59:59.000Z',
    subjectAltNames: [],
    sha256: 'AA:BB:CC:DD:SHA256',
    sha1: 'EE:FF:SHA1',
    publicKey: { algorithm: 'ec', size: 256, curve: 'prime256v1' },
    signatureAlgorithm: 'sha256WithRSAEncryption',
    isCA: false,
    selfIssued: false,
    keyUsage: [],
    extendedKeyUsage: ['serverAuth'],
    ...fields,
  };
}

const leaf = cert({ subject: 'CN=leaf.lab.example', issuer: 'CN=Lab Intermediate CA' });
const intermediate = cert({ subject: 'CN=Lab Intermediate CA', issuer: 'CN=Lab Root CA', isCA: true });
const root = cert({ subject: 'CN=Lab Root CA', issuer: 'CN=Lab Root CA', isCA: true, selfIssued: true, sha256: '11:22:33:ROOT' });

/** Asserts the problem's code, its catalogue title/fix/field, and that the detail names every value. */
function expectProblem(p: Problem | undefined, code: DiagnosisCode, values: readonly string[], titleOverride?: string): Problem {
  assert.ok(p, `no problem for ${code}`);
  assert.equal(p.code, code);
  assert.equal(p.title, titleOverride ?? CATALOGUE[code].title, `${code} title`);
  for (const v of values) assert.ok(p.detail.includes(v), `${code}: detail "${p.detail}" lacks "${v}"`);
  return p;
}

describe('diagnosis catalogue and classifier (no network)', () => {
  it('makeProblem carries the code, the catalogue title/fix/field and the given detail and facts', () => {
    for (const c of DIAGNOSIS_CODES) {
      const p = makeProblem(c, `detail of ${c}`, { facts: { marker: c } });
      assert.equal(p.code, c);
      assert.equal(p.title, CATALOGUE[c].title);
      assert.equal(p.fix, CATALOGUE[c].fix);
      assert.equal(p.detail, `detail of ${c}`);
      assert.equal(p.field, CATALOGUE[c].field);
      assert.deepEqual(p.facts, { marker: c });
    }
    const overridden = makeProblem('KEY_PASSPHRASE', 'd', { title: 'T override', fix: 'F override', field: 'key' });
    assert.deepEqual([overridden.title, overridden.fix, overridden.field], ['T override', 'F override', 'key']);
  });

  it('each code has its own title and fix, and the fix names what to change', () => {
    const titles = new Set(DIAGNOSIS_CODES.map((c) => CATALOGUE[c].title));
    const fixes = new Set(DIAGNOSIS_CODES.map((c) => CATALOGUE[c].fix));
    assert.equal(titles.size, DIAGNOSIS_CODES.length, 'two codes share a title');
    assert.equal(fixes.size, DIAGNOSIS_CODES.length, 'two codes share a fix');
    const fixMentions: Partial<Record<DiagnosisCode, RegExp>> = {
      CONNECTION_REFUSED: /host and port/,
      HOST_NOT_FOUND: /DNS/,
      NOT_TLS: /TLS off|tls-port/,
      TLS_REQUIRED: /TLS on/,
      HOSTNAME_MISMATCH: /server name \(SNI\)|subjectAltName/,
      CERT_EXPIRED: /Renew/,
      SELF_SIGNED: /CA file|fingerprint/,
      UNTRUSTED_ROOT: /root CA/,
      UNKNOWN_ISSUER: /intermediate/,
      CA_BUNDLE_INCOMPLETE: /root/,
      WRONG_PURPOSE: /serverAuth/,
      WEAK_CERTIFICATE: /SHA-256|2048/,
      TLS_VERSION_MISMATCH: /TLS 1\.2\/1\.3|tls-protocols/,
      CLIENT_CERT_REQUIRED: /client certificate/,
      CLIENT_CERT_UNTRUSTED: /tls-ca-cert-file/,
      CLIENT_CERT_REJECTED: /clientAuth/,
      KEY_MISMATCH: /key file/,
      FILE_NOT_CERTIFICATE: /BEGIN CERTIFICATE/,
      KEY_PASSPHRASE: /passphrase/,
      AUTH_REQUIRED: /password/,
      AUTH_FAILED: /password/,
      NO_PERMISSION: /ACL SETUSER/,
    };
    for (const [c, re] of Object.entries(fixMentions)) assert.match(CATALOGUE[c as DiagnosisCode].fix, re, c);
  });

  it('classifies by err.code', () => {
    const table: Array<[string, string]> = [
      ['ECONNREFUSED', 'CONNECTION_REFUSED'],
      ['ENOTFOUND', 'HOST_NOT_FOUND'],
      ['ETIMEDOUT', 'TIMEOUT'],
      ['CERT_HAS_EXPIRED', 'CERT_EXPIRED'],
      ['CERT_NOT_YET_VALID', 'CERT_NOT_YET_VALID'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'UNTRUSTED_ROOT'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNKNOWN_ISSUER'],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNKNOWN_ISSUER'],
      ['UNABLE_TO_GET_ISSUER_CERT', 'CA_BUNDLE_INCOMPLETE'],
      ['INVALID_PURPOSE', 'WRONG_PURPOSE'],
      ['CA_MD_TOO_WEAK', 'WEAK_CERTIFICATE'],
      ['EE_KEY_TOO_SMALL', 'WEAK_CERTIFICATE'],
      ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS_VERSION_MISMATCH'],
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'CLIENT_CERT_REQUIRED'],
      ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'CLIENT_CERT_UNTRUSTED'],
      ['ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', 'CLIENT_CERT_REJECTED'],
      ['ERR_OSSL_X509_KEY_VALUES_MISMATCH', 'KEY_MISMATCH'],
      ['ERR_OSSL_BAD_DECRYPT', 'KEY_PASSPHRASE'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'NOT_TLS'],
    ];
    for (const [code, expected] of table) assert.equal(classifyError(err(code), { options }).code, expected, code);
  });

  it('network failures name the endpoint or host and the error code', () => {
    const ctx = { options: { ...options, host: 'cache-7.internal.example', port: 16379 } };
    expectProblem(classifyError(err('ECONNREFUSED'), ctx), 'CONNECTION_REFUSED', ['cache-7.internal.example:16379', 'ECONNREFUSED']);
    expectProblem(classifyError(err('EAI_AGAIN'), ctx), 'HOST_NOT_FOUND', ['"cache-7.internal.example"', 'EAI_AGAIN']);
    expectProblem(classifyError(err('EHOSTUNREACH'), ctx), 'TIMEOUT', ['cache-7.internal.example:16379', 'EHOSTUNREACH']);
    const v6 = { options: { ...options, host: 'fd00::7', port: 6390 } };
    expectProblem(classifyError(err('ECONNREFUSED'), v6), 'CONNECTION_REFUSED', ['[fd00::7]:6390']);
    const refused = classifyError(err('ECONNREFUSED'), ctx);
    assert.equal(refused.facts?.errorCode, 'ECONNREFUSED');
    assert.equal(refused.field, 'port');
  });

  it('plaintext vs TLS mismatches name the endpoint', () => {
    const plain = { ...options, host: 'plain.example', port: 6400, tls: { enabled: false } };
    expectProblem(classifyError(err('ECONNRESET'), { options: plain, tlsAnswered: true }), 'TLS_REQUIRED', [
      'plain.example:6400',
      'ECONNRESET',
    ]);
    const p = expectProblem(
      classifyError(err('ECONNRESET'), { options: { ...options, host: 'tls.example', port: 6401 }, plaintextRedis: true }),
      'NOT_TLS',
      ['tls.example:6401', 'plaintext PING'],
    );
    assert.equal(p.field, 'tls');
    expectProblem(classifyError(err('ERR_SSL_WRONG_VERSION_NUMBER'), { options: { ...options, port: 6402 } }), 'NOT_TLS', [
      'db.example:6402',
    ]);
  });

  it('hostname mismatch names both sides', () => {
    const p = classifyError(
      err('ERR_TLS_CERT_ALTNAME_INVALID', { host: 'db.example', cert: { subjectaltname: 'DNS:other.example, IP Address:10.0.0.1' } }),
      { options },
    );
    expectProblem(p, 'HOSTNAME_MISMATCH', ['DNS:other.example', 'IP Address:10.0.0.1', '"db.example"']);
    assert.deepEqual(p.facts?.certNames, ['DNS:other.example', 'IP Address:10.0.0.1']);
    assert.equal(p.facts?.checkedName, 'db.example');
    const ip = classifyError(err('ERR_TLS_CERT_ALTNAME_INVALID', { host: '10.9.8.7', cert: { subject: { CN: 'legacy.example' } } }), {
      options,
    });
    expectProblem(ip, 'HOSTNAME_MISMATCH', ['"10.9.8.7"', 'CN=legacy.example', 'IP SAN']);
    const fromChain = classifyError(err('ERR_TLS_CERT_ALTNAME_INVALID'), {
      options: { ...options, tls: { enabled: true, servername: 'sni.example' } },
      chain: [cert({ ...leaf, subjectAltNames: ['DNS:a.example', 'DNS:b.example'] })],
    });
    expectProblem(fromChain, 'HOSTNAME_MISMATCH', ['DNS:a.example, DNS:b.example', '"sni.example"']);
  });

  it('expiry and not-yet-valid name the certificate and its dates', () => {
    const expired = cert({ subject: 'CN=old.lab.example', issuer: 'CN=Lab Intermediate CA', notAfter: '2001-02-03T04:05:06.000Z' });
    const p = expectProblem(classifyError(err('CERT_HAS_EXPIRED'), { options, chain: [expired, intermediate, root] }), 'CERT_EXPIRED', [
      'The server certificate',
      '"CN=old.lab.example"',
      '"CN=Lab Intermediate CA"',
      '2001-02-03T04:05:06.000Z',
      `${new Date().getUTCFullYear()}-`,
    ]);
    assert.equal(p.facts?.notAfter, '2001-02-03T04:05:06.000Z');
    const caExpired = cert({ ...intermediate, notAfter: '2002-03-04T05:06:07.000Z' });
    expectProblem(classifyError(err('CERT_HAS_EXPIRED'), { options, chain: [leaf, caExpired, root] }), 'CERT_EXPIRED', [
      'A certificate in the chain',
      '"CN=Lab Intermediate CA"',
      '2002-03-04T05:06:07.000Z',
    ]);
    const early = cert({ subject: 'CN=future.lab.example', issuer: 'CN=Lab Root CA', notBefore: '2999-05-06T07:08:09.000Z' });
    const q = expectProblem(classifyError(err('CERT_NOT_YET_VALID'), { options, chain: [early] }), 'CERT_NOT_YET_VALID', [
      '"CN=future.lab.example"',
      '2999-05-06T07:08:09.000Z',
      `${new Date().getUTCFullYear()}-`,
    ]);
    assert.equal(q.facts?.notBefore, '2999-05-06T07:08:09.000Z');
  });

  it('trust failures name the certificate, its fingerprint and the missing issuer', () => {
    const self = cert({ subject: 'CN=selfie.example', issuer: 'CN=selfie.example', selfIssued: true, sha256: '5E:1F:5E:1F' });
    expectProblem(classifyError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), { options, chain: [self] }), 'SELF_SIGNED', [
      '"CN=selfie.example"',
      '5E:1F:5E:1F',
      'system store',
    ]);
    expectProblem(
      classifyError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), { options: { ...options, tls: { enabled: true, ca: ['pem'] } }, chain: [self] }),
      'SELF_SIGNED',
      ['of this connection'],
    );
    expectProblem(classifyError(err('SELF_SIGNED_CERT_IN_CHAIN'), { options, chain: [leaf, intermediate, root] }), 'UNTRUSTED_ROOT', [
      '"CN=Lab Root CA"',
      '11:22:33:ROOT',
    ]);
    const unknown = expectProblem(classifyError(err('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { options, chain: [leaf] }), 'UNKNOWN_ISSUER', [
      '"CN=Lab Intermediate CA"',
      '"CN=leaf.lab.example"',
      'only its own certificate',
      'intermediate',
    ]);
    assert.equal(unknown.facts?.missingIssuer, 'CN=Lab Intermediate CA');
    expectProblem(classifyError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { options, chain: [leaf, intermediate] }), 'UNKNOWN_ISSUER', [
      '"CN=Lab Root CA"',
      '2 certificates',
    ]);
    expectProblem(classifyError(err('UNABLE_TO_GET_ISSUER_CERT'), { options, chain: [leaf, intermediate] }), 'CA_BUNDLE_INCOMPLETE', [
      '"CN=Lab Intermediate CA"',
      '"CN=Lab Root CA"',
    ]);
    expectProblem(classifyError(err('CERT_SIGNATURE_FAILURE'), { options }), 'UNTRUSTED_ROOT', ['CERT_SIGNATURE_FAILURE']);
  });

  it('purpose and strength failures name the usages, algorithms and key sizes', () => {
    const clientOnly = cert({
      subject: 'CN=client-only.example',
      issuer: 'CN=Lab Root CA',
      extendedKeyUsage: ['clientAuth', 'emailProtection'],
    });
    expectProblem(classifyError(err('INVALID_PURPOSE'), { options, chain: [clientOnly] }), 'WRONG_PURPOSE', [
      '"CN=client-only.example"',
      'clientAuth, emailProtection',
      'serverAuth',
    ]);
    const weak = cert({
      subject: 'CN=weak.example',
      issuer: 'CN=Lab Root CA',
      signatureAlgorithm: 'sha1WithRSAEncryption',
      publicKey: { algorithm: 'rsa', size: 1024 },
    });
    expectProblem(
      classifyError(err('CA_MD_TOO_WEAK', { reason: 'ca md too weak' }), { options, chain: [leaf, weak] }),
      'WEAK_CERTIFICATE',
      ['"CN=weak.example"', 'sha1WithRSAEncryption', '1024-bit RSA', '"ca md too weak"'],
    );
    expectProblem(
      classifyError(err('UNSPECIFIED', { reason: 'CA signature digest algorithm too weak' }), { options }),
      'WEAK_CERTIFICATE',
      ['CA signature digest algorithm too weak'],
    );
    assert.equal(classifyError(err('UNSPECIFIED'), { options }).code, 'PROTOCOL_ERROR');
  });

  it('version mismatch names both sides', () => {
    const p = classifyError(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION'), {
      options: { ...options, tls: { enabled: true, minVersion: 'TLSv1.3' } },
      serverVersions: ['TLSv1.2'],
    });
    expectProblem(p, 'TLS_VERSION_MISMATCH', ['TLSv1.3', 'accepts TLSv1.2', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);
    assert.deepEqual(p.facts?.serverVersions, ['TLSv1.2']);
    const range = classifyError(err('ERR_SSL_UNSUPPORTED_PROTOCOL'), {
      options: { ...options, tls: { enabled: true, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } },
      serverVersions: [],
    });
    expectProblem(range, 'TLS_VERSION_MISMATCH', ['allows TLSv1.2', 'accepted none']);
  });

  it('client certificate failures: alert 40 means "certificate required" only when none was offered', () => {
    const ctx = { options: { ...options, host: 'mtls.example', port: 7000 } };
    expectProblem(classifyError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), { ...ctx, clientCertGiven: false }), 'CLIENT_CERT_REQUIRED', [
      'mtls.example:7000',
      'no client certificate',
    ]);
    expectProblem(classifyError(err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'), { ...ctx, clientCertGiven: true }), 'CLIENT_CERT_REJECTED', [
      'mtls.example:7000',
      'after the client certificate was offered',
    ]);
    expectProblem(classifyError(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), ctx), 'CLIENT_CERT_REQUIRED', [
      'mtls.example:7000',
      'none is configured',
    ]);
    expectProblem(classifyError(err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), ctx), 'CLIENT_CERT_UNTRUSTED', ['mtls.example:7000', 'unknown_ca']);
    expectProblem(
      classifyError(err('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED'), { ...ctx, clientCertGiven: true }),
      'CLIENT_CERT_REJECTED',
      ['mtls.example:7000', 'sslv3_alert_certificate_expired'],
    );
    expectProblem(
      classifyError(err('ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'), { ...ctx, clientCertGiven: false }),
      'CLIENT_CERT_REQUIRED',
      ['mtls.example:7000', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN'],
    );
  });

  it('key failures say whether a passphrase was given', () => {
    expectProblem(classifyError(err('ERR_OSSL_X509_KEY_VALUES_MISMATCH'), { options }), 'KEY_MISMATCH', [
      'public key in the client certificate',
    ]);
    expectProblem(classifyError(err('ERR_OSSL_BAD_DECRYPT'), { options }), 'KEY_PASSPHRASE', ['no passphrase was given']);
    expectProblem(
      classifyError(err('ERR_OSSL_BAD_DECRYPT'), { options: { ...options, tls: { enabled: true, passphrase: 'x' } } }),
      'KEY_PASSPHRASE',
      ['with the passphrase given'],
    );
    const pfx = { ...options, tls: { enabled: true, pfx: Buffer.from('p12') } };
    const legacy = expectProblem(
      classifyError(err('ERR_CRYPTO_UNSUPPORTED_OPERATION'), { options: pfx }),
      'KEY_PASSPHRASE',
      ['RC2 or 3DES'],
      'The PKCS#12 file uses legacy encryption',
    );
    assert.match(legacy.fix, /openssl pkcs12 -legacy/);
    assert.equal(legacy.field, 'key');
    const mac = Object.assign(new Error('mac verify failure'), {});
    expectProblem(classifyError(mac, { options: pfx }), 'KEY_PASSPHRASE', ['PKCS#12', 'none was given']);
  });

  it('resets and unknown failures name the endpoint, the stage and the code', () => {
    const ctx = { options: { ...options, host: 'reset.example', port: 6500 } };
    expectProblem(
      classifyError(err('ECONNRESET'), { ...ctx, tcpConnected: true }),
      'PROTOCOL_ERROR',
      ['reset.example:6500', 'during the TLS handshake', 'ECONNRESET'],
      'The server closed the connection',
    );
    expectProblem(
      classifyError(err('EPIPE'), { ...ctx, secureConnected: true }),
      'PROTOCOL_ERROR',
      ['after the TLS handshake', 'EPIPE'],
      'The server closed the connection',
    );
    expectProblem(
      classifyError(err('EWHATEVER'), ctx),
      'PROTOCOL_ERROR',
      ['reset.example:6500', 'EWHATEVER'],
      'Unexpected connection failure',
    );
  });

  it('RESP errors by their code word, naming the user, the command and the reply', () => {
    const ctx = { options: { ...options, username: 'reporting-bot' } };
    expectProblem(classifyReplyError('NOAUTH Authentication required.', 'PING', { options }), 'AUTH_REQUIRED', [
      'PING',
      '"NOAUTH Authentication required."',
    ]);
    const wrong = expectProblem(
      classifyReplyError('WRONGPASS invalid username-password pair or user is disabled.', 'AUTH', ctx),
      'AUTH_FAILED',
      ['"reporting-bot"', 'WRONGPASS invalid username-password pair'],
    );
    assert.equal(wrong.facts?.username, 'reporting-bot');
    expectProblem(classifyReplyError('WRONGPASS x', 'AUTH', { options }), 'AUTH_FAILED', ['"default"']);
    const noperm = expectProblem(
      classifyReplyError("NOPERM this user has no permissions to run the 'set' command", 'SET', ctx),
      'NO_PERMISSION',
      ['"reporting-bot"', 'SET', "'set' command"],
    );
    assert.equal(noperm.facts?.command, 'SET');
    expectProblem(classifyReplyError('ERR invalid password', 'AUTH', { options }), 'AUTH_FAILED', ['"ERR invalid password"']);
    assert.equal(classifyReplyError('WRONGTYPE Operation against a key', 'GET', { options }), undefined);
    const long = classifyReplyError(`NOPERM ${'x'.repeat(500)}\nsecond line`, 'GET', { options });
    assert.ok(long && !long.detail.includes('second line') && long.detail.length < 300);
  });
});
