import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { getLab, type LabCerts } from '../lab/certs';
import { freePort, startRedis, startTlsPeer, type RedisServer, type TlsPeer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { TlsCache } from '../../src/core/tls/context';
import { runDoctor } from '../../src/core/client/doctor';
import { DIAGNOSIS_CODES, isDiagnosedError, type DiagnosisCode, type Problem } from '../../src/core/diagnosis/problem';
import { closeAfterEach } from './closeAfterEach';
import { emptyProfile } from '../../src/core/profiles/draft';
import type { Profile } from '../../src/core/profiles/profile';
import { resolveConnectionOptions } from '../../src/core/profiles/resolve';

/**
 * Reproduces every diagnosis code against a real server from the lab (a raw TLS peer or a bare TCP
 * listener where redis-server cannot produce the condition).
 *
 * TIMEOUT vs NOT_TLS: both servers accept TCP and never answer the ClientHello. NOT_TLS is a port
 * that answers a plaintext PING like Redis (checked after handshakeTimeoutMs); TIMEOUT is a port
 * that answers neither, reported when connectTimeoutMs runs out.
 */
describe('diagnosis: every code from a real failure (lab)', function () {
  this.timeout(20000);
  let lab: LabCerts;
  const servers: Array<RedisServer | TlsPeer> = [];
  const silent: net.Server[] = [];
  const seen = new Set<DiagnosisCode>();
  const closing = closeAfterEach();

  const start = async (o: Parameters<typeof startRedis>[0]): Promise<RedisServer> => {
    const s = await startRedis(o);
    servers.push(s);
    return s;
  };
  const tlsOpts = (port: number, t: Partial<ConnectionOptions['tls']> = {}, over: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
    host: 'localhost',
    port,
    tls: { enabled: true, ca: [lab.rootCa.cert], ...t },
    ...over,
  });

  async function expectProblem(o: ConnectionOptions, code: DiagnosisCode, op?: (c: RedisConnection) => Promise<unknown>): Promise<Problem> {
    let problem: Problem | undefined;
    try {
      const conn = await RedisConnection.open(o, { tlsCache: new TlsCache() });
      try {
        if (op) await op(conn);
      } finally {
        conn.destroy();
      }
    } catch (e) {
      assert.ok(isDiagnosedError(e), `expected a DiagnosedError, got ${String(e)}`);
      problem = e.problem;
    }
    assert.ok(problem, `expected ${code}, but it succeeded`);
    assert.equal(problem.code, code, `expected ${code}, got ${problem.code}: ${problem.detail}`);
    assert.ok(problem.title.length > 0 && problem.detail.length > 0 && problem.fix.length > 0);
    for (const secret of [o.password, o.tls.passphrase].filter(Boolean) as string[]) {
      assert.ok(!JSON.stringify(problem).includes(secret), 'no secret in the problem');
    }
    seen.add(code);
    return problem;
  }

  before(async () => {
    lab = await getLab();
  });
  after(async () => {
    for (const s of silent) s.close();
    await Promise.allSettled(servers.map((s) => s.stop()));
  });

  it('CONNECTION_REFUSED: a closed port', async () => {
    const port = await freePort();
    const p = await expectProblem({ host: '127.0.0.1', port, tls: { enabled: true } }, 'CONNECTION_REFUSED');
    assert.ok(p.detail.includes(`127.0.0.1:${port}`));
  });

  it('HOST_NOT_FOUND: nonexistent.invalid', async () => {
    const p = await expectProblem({ host: 'nonexistent.invalid', port: 6380, tls: { enabled: true } }, 'HOST_NOT_FOUND');
    assert.ok(p.detail.includes('nonexistent.invalid'));
  });

  it('TIMEOUT: a port that accepts TCP and never answers anything', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
    });
    silent.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const p = await expectProblem(tlsOpts(port, {}, { host: '127.0.0.1', connectTimeoutMs: 1200, handshakeTimeoutMs: 300 }), 'TIMEOUT');
    assert.match(p.detail, /no TLS handshake completed within 1200 ms/);
  });

  it('NOT_TLS: a TLS client on a plaintext Redis port, found within ~3 s by the plaintext probe', async () => {
    const plain = await start({ kind: 'plain' });
    const t0 = Date.now();
    const p = await expectProblem(tlsOpts(plain.port, {}, { host: '127.0.0.1' }), 'NOT_TLS');
    assert.ok(Date.now() - t0 < 5000);
    assert.match(p.detail, /plaintext PING/);
    assert.equal(p.field, 'tls');
  });

  it('FILE_UNREADABLE: a linked key file that is gone, a CA path that is a directory of nothing readable, a PKCS#12 path that is a directory', async () => {
    const base = emptyProfile({ name: 'x', host: 'localhost', ca: { kind: 'file', path: lab.rootCa.certPath } });
    const cases: Array<[Profile, string, string, string]> = [
      [
        { ...base, client: { kind: 'files', certPath: lab.client.certPath, keyPath: '/nonexistent/client.key', encryptedKey: false } },
        'key',
        '/nonexistent/client.key',
        'ENOENT',
      ],
      [{ ...base, ca: { kind: 'file', path: '/nonexistent/ca.pem', alsoSystem: false } }, 'ca', '/nonexistent/ca.pem', 'ENOENT'],
      [{ ...base, client: { kind: 'pfx', path: '/' } }, 'cert', '/', 'EISDIR'],
    ];
    for (const [profile, field, file, errno] of cases) {
      const e = await resolveConnectionOptions(profile, {}).then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(isDiagnosedError(e), String(e));
      assert.deepEqual([e.problem.code, e.problem.field, e.problem.facts], ['FILE_UNREADABLE', field, { path: file, errno }]);
      assert.ok(e.problem.detail.includes(`${file} cannot be read: ${errno}`), e.problem.detail);
      seen.add('FILE_UNREADABLE');
    }
  });

  it('FILE_NOT_CERTIFICATE: a linked CA file that holds a key, not a certificate (before any connection)', async () => {
    const profile = emptyProfile({ name: 'x', host: 'localhost', ca: { kind: 'file', path: lab.client.keyPath } });
    const e = await resolveConnectionOptions(profile, {}).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(isDiagnosedError(e), String(e));
    assert.deepEqual([e.problem.code, e.problem.field, e.problem.facts], ['FILE_NOT_CERTIFICATE', 'ca', { path: lab.client.keyPath }]);
    assert.equal(e.problem.title, 'The CA file holds no certificate');
    seen.add('FILE_NOT_CERTIFICATE');
  });

  it('TLS_REQUIRED: a plaintext client on a TLS port', async () => {
    const srv = await start({ kind: 'tls' });
    const p = await expectProblem({ host: '127.0.0.1', port: srv.port, tls: { enabled: false } }, 'TLS_REQUIRED');
    assert.equal(p.field, 'tls');
  });

  it('HOSTNAME_MISMATCH: names on the certificate against the name checked (DNS, no-SAN and IP)', async () => {
    const wrong = await start({ kind: 'tls', certs: lab.wrongHostServer });
    const p = await expectProblem(tlsOpts(wrong.port), 'HOSTNAME_MISMATCH');
    assert.ok(p.detail.includes('DNS:wrong.example') && p.detail.includes('"localhost"'), p.detail);
    assert.equal(p.field, 'servername');
    const noSan = await start({ kind: 'tls', certs: lab.noSanServer });
    const q = await expectProblem(tlsOpts(noSan.port), 'HOSTNAME_MISMATCH');
    assert.match(q.detail, /CN=localhost/);
    // The lab server cert names 127.0.0.1 but not 127.0.0.2: the IP is checked against IP SANs.
    const good = await start({ kind: 'tls', extraArgs: ['--bind', '127.0.0.1 127.0.0.2'] });
    const r = await expectProblem(tlsOpts(good.port, {}, { host: '127.0.0.2' }), 'HOSTNAME_MISMATCH');
    assert.ok(r.detail.includes('127.0.0.2'), r.detail);
    // servername is both the SNI and the verified name
    const s = await expectProblem(tlsOpts(good.port, { servername: 'other.example' }, { host: '127.0.0.1' }), 'HOSTNAME_MISMATCH');
    assert.ok(s.detail.includes('other.example'), s.detail);
  });

  it('CERT_EXPIRED and CERT_NOT_YET_VALID name the dates', async () => {
    const [expired, future] = await Promise.all([
      start({ kind: 'tls', certs: lab.expiredServer }),
      start({ kind: 'tls', certs: lab.notYetValidServer }),
    ]);
    const p = await expectProblem(tlsOpts(expired.port), 'CERT_EXPIRED');
    assert.match(p.detail, /expired on \d{4}-\d\d-\d\dT/);
    const q = await expectProblem(tlsOpts(future.port), 'CERT_NOT_YET_VALID');
    assert.match(q.detail, /valid only from \d{4}-/);
  });

  it('SELF_SIGNED: a self-signed leaf, with its fingerprint', async () => {
    const srv = await start({ kind: 'tls', certs: lab.selfSignedServer });
    const p = await expectProblem(tlsOpts(srv.port), 'SELF_SIGNED');
    assert.match(p.detail, /SHA-256 ([0-9A-F]{2}:)+/);
  });

  it('UNTRUSTED_ROOT: the server sends a chain up to a root we do not trust', async () => {
    const srv = await start({
      kind: 'tls',
      serverCert: lab.unknownCaServer.chainWithRootPath,
      serverKey: lab.unknownCaServer.keyPath,
      caFile: lab.otherRoot.certPath,
    });
    const p = await expectProblem(tlsOpts(srv.port), 'UNTRUSTED_ROOT');
    assert.ok(p.detail.includes('root'), p.detail);
  });

  it('UNKNOWN_ISSUER: a leaf-only chain names the missing issuer (server omits its intermediate)', async () => {
    const srv = await start({ kind: 'tls', certs: lab.serverLeafOnly });
    const p = await expectProblem(tlsOpts(srv.port), 'UNKNOWN_ISSUER');
    assert.match(p.detail, /issuer "[^"]+"/);
    assert.match(p.detail, /omitting its intermediate/);
    // No CA given at all: a private CA is unknown to the system store.
    const good = await start({ kind: 'tls' });
    await expectProblem({ host: 'localhost', port: good.port, tls: { enabled: true } }, 'UNKNOWN_ISSUER');
  });

  it('CA_BUNDLE_INCOMPLETE: the CA file holds the intermediate but not the root', async () => {
    const srv = await start({ kind: 'tls' });
    await expectProblem(tlsOpts(srv.port, { ca: [lab.intermediateOnly.cert] }), 'CA_BUNDLE_INCOMPLETE');
  });

  it('WRONG_PURPOSE: a server certificate without serverAuth', async () => {
    const srv = await start({ kind: 'tls', certs: lab.serverWrongEku });
    const p = await expectProblem(tlsOpts(srv.port), 'WRONG_PURPOSE');
    assert.match(p.detail, /clientAuth/);
  });

  it('WEAK_CERTIFICATE: a SHA-1 signed certificate (code UNSPECIFIED, classified by reason)', async () => {
    const peer = await startTlsPeer({ cert: lab.sha1Server.chain, key: lab.sha1Server.key });
    servers.push(peer);
    const p = await expectProblem(tlsOpts(peer.port), 'WEAK_CERTIFICATE');
    assert.match(p.detail, /SHA1/i);
    assert.match(p.detail, /too weak/);
  });

  it('doctor warns of an RSA-1024 leaf that Node accepts but OpenSSL at security level 2 refuses', async () => {
    const peer = await startTlsPeer({ cert: lab.rsa1024Server.chain, key: lab.rsa1024Server.key });
    servers.push(peer);
    const result = await runDoctor(tlsOpts(peer.port), { tlsCache: new TlsCache() });
    assert.equal(result.ok, true);
    const weak = result.warnings.filter((w) => w.startsWith('WEAK_CERTIFICATE'));
    assert.equal(weak.length, 1, result.warnings.join('\n'));
    assert.match(weak[0], /1024-bit RSA/);
  });

  it('TLS_VERSION_MISMATCH: names the versions on each side', async () => {
    const srv = await start({ kind: 'tls12' });
    const p = await expectProblem(tlsOpts(srv.port, { minVersion: 'TLSv1.3' }), 'TLS_VERSION_MISMATCH');
    assert.ok(p.detail.includes('TLSv1.3') && p.detail.includes('accepts TLSv1.2'), p.detail);
  });

  it('CLIENT_CERT_REQUIRED over TLS 1.3 (alert after secureConnect) and TLS 1.2', async () => {
    const [m13, m12] = await Promise.all([start({ kind: 'mtls', protocols: 'TLSv1.3' }), start({ kind: 'mtls', protocols: 'TLSv1.2' })]);
    await expectProblem(tlsOpts(m13.port), 'CLIENT_CERT_REQUIRED');
    await expectProblem(tlsOpts(m12.port), 'CLIENT_CERT_REQUIRED');
  });

  it('CLIENT_CERT_UNTRUSTED and CLIENT_CERT_REJECTED; a good client certificate works', async () => {
    const m = await start({ kind: 'mtls' });
    await expectProblem(tlsOpts(m.port, { cert: lab.otherClient.cert, key: lab.otherClient.key }), 'CLIENT_CERT_UNTRUSTED');
    await expectProblem(tlsOpts(m.port, { cert: lab.clientWrongEku.cert, key: lab.clientWrongEku.key }), 'CLIENT_CERT_REJECTED');
    const ok = closing(
      await RedisConnection.open(tlsOpts(m.port, { cert: lab.client.cert, key: lab.client.key }), { tlsCache: new TlsCache() }),
    );
    assert.deepEqual(await ok.send(['PING']), Buffer.from('PONG'));
    await ok.close();
    const enc = closing(
      await RedisConnection.open(
        tlsOpts(m.port, { cert: lab.clientEncrypted.cert, key: lab.clientEncrypted.key, passphrase: lab.passphrase }),
        { tlsCache: new TlsCache() },
      ),
    );
    await enc.close();
  });

  it('KEY_MISMATCH and KEY_PASSPHRASE are found before connecting', async () => {
    const port = await freePort(); // nothing listens: the checks must fail first
    await expectProblem(tlsOpts(port, { cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key }), 'KEY_MISMATCH');
    const p = await expectProblem(tlsOpts(port, { cert: lab.clientEncrypted.cert, key: lab.clientEncrypted.key }), 'KEY_PASSPHRASE');
    assert.match(p.detail, /no passphrase/);
    const q = await expectProblem(
      tlsOpts(port, { cert: lab.clientEncryptedPkcs1.cert, key: lab.clientEncryptedPkcs1.key, passphrase: 'not-the-passphrase' }),
      'KEY_PASSPHRASE',
    );
    assert.equal(q.field, 'passphrase');
    // PKCS#12: a wrong password fails the MAC (OpenSSL gives no code); a legacy RC2 file is named as such.
    const r = await expectProblem(tlsOpts(port, { pfx: lab.clientPfx.pfx, passphrase: 'not-the-password' }), 'KEY_PASSPHRASE');
    assert.match(r.detail, /PKCS#12/);
    const legacy = await expectProblem(
      tlsOpts(port, { pfx: lab.clientPfxLegacy.pfx, passphrase: lab.clientPfxLegacy.password }),
      'KEY_PASSPHRASE',
    );
    assert.match(legacy.title, /legacy/);
  });

  it('AUTH_REQUIRED, AUTH_FAILED, NO_PERMISSION against an ACL server', async () => {
    const acl = await start({ kind: 'acl' });
    await expectProblem(tlsOpts(acl.port), 'AUTH_REQUIRED');
    const p = await expectProblem(tlsOpts(acl.port, {}, { username: 'alice', password: 'wrong-pass' }), 'AUTH_FAILED');
    assert.ok(p.detail.includes('alice'));
    const q = await expectProblem(tlsOpts(acl.port, {}, { username: 'reader', password: 'reader-pass' }), 'NO_PERMISSION', (c) =>
      c.send(['SET', 'k', 'v']),
    );
    assert.ok(q.detail.includes('reader') && q.detail.includes('SET'), q.detail);
    const ok = closing(
      await RedisConnection.open(tlsOpts(acl.port, {}, { username: 'alice', password: 'alice-pass', db: 2 }), { tlsCache: new TlsCache() }),
    );
    assert.deepEqual(await ok.send(['ACL', 'WHOAMI']), Buffer.from('alice'));
    await ok.close();
  });

  it('PROTOCOL_ERROR: a TLS peer that answers with something that is not RESP', async () => {
    const peer = await startTlsPeer({
      onSecureSocket: (s) => {
        s.on('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
        s.on('error', () => undefined);
      },
    });
    servers.push(peer);
    const p = await expectProblem(tlsOpts(peer.port), 'PROTOCOL_ERROR');
    assert.match(p.detail, /unexpected reply type byte/);
  });

  it('the session-resumption trap: insecure connections cannot poison the verified cache', async () => {
    const wrong = await start({ kind: 'tls13', certs: lab.wrongHostServer });
    // Plain Node shows the trap: a session from an unverified handshake skips the name check.
    const session = await new Promise<Buffer>((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1',
        port: wrong.port,
        servername: 'localhost',
        ca: lab.rootCa.cert,
        rejectUnauthorized: false,
      });
      s.once('session', (sess: Buffer) => {
        resolve(sess);
        s.destroy();
      });
      s.once('secureConnect', () => s.write('PING\r\n'));
      s.once('error', reject);
    });
    const naive = await new Promise<boolean>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: wrong.port, servername: 'localhost', ca: lab.rootCa.cert, session });
      s.once('secureConnect', () => {
        resolve(s.authorized);
        s.destroy();
      });
      s.once('error', () => resolve(false));
      s.setTimeout(3000, () => {
        s.destroy();
        reject(new Error('no handshake'));
      });
    });
    assert.equal(naive, true, 'Node alone reports authorized: true on the resumed unverified session');
    // Ours: one cache shared by an insecure and a verifying connection to the same endpoint.
    const cache = new TlsCache();
    const o = tlsOpts(wrong.port);
    const insecure = closing(await RedisConnection.open({ ...o, tls: { ...o.tls, verify: 'insecure' } }, { tlsCache: cache }));
    await insecure.send(['PING']);
    await insecure.close();
    assert.equal(insecure.report.authorized, false);
    assert.equal(cache.sessionCount, 0, 'no session from an unverified connection');
    await assert.rejects(
      RedisConnection.open(o, { tlsCache: cache }).then(closing),
      (e: unknown) => isDiagnosedError(e) && e.problem.code === 'HOSTNAME_MISMATCH',
    );
    assert.equal(cache.sessionCount, 0);
  });

  it('reproduced every diagnosis code above', function () {
    if (seen.size === 0) this.skip(); // filtered run (--grep)
    assert.deepEqual(
      DIAGNOSIS_CODES.filter((c) => !seen.has(c)),
      [],
    );
  });
});
