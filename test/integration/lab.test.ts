import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { getLab, LabCerts } from '../lab/certs';
import { RedisServer, requireRedisTls, startRedis, startTlsPeer, stopAll } from '../lab/servers';

interface Outcome {
  reply?: string;
  code?: string;
  authorized?: boolean;
  protocol?: string | null;
}

/**
 * Connect with plain Node TLS, send inline command line(s), resolve with the one-line replies
 * (one per command line) or the error code.
 */
function probe(port: number, options: tls.ConnectionOptions, command = 'PING\r\n'): Promise<Outcome> {
  const expected = command.split('\r\n').length - 1;
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      socket.write(command);
    });
    let done = false;
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ code: 'TEST_TIMEOUT' }), 5000);
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.split('\r\n').length - 1 >= expected) {
        finish({ reply: buf.trimEnd(), authorized: socket.authorized, protocol: socket.getProtocol() });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ code: err.code ?? 'NO_CODE' }));
    socket.on('close', () => finish({ code: 'CLOSED' }));
  });
}

describe('test lab', function () {
  this.timeout(20000);
  let lab: LabCerts;
  const servers: RedisServer[] = [];
  const start = async (...args: Parameters<typeof startRedis>): Promise<RedisServer> => {
    const s = await startRedis(...args);
    servers.push(s);
    return s;
  };

  before(async () => {
    await requireRedisTls();
    lab = await getLab();
  });

  after(async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await stopAll();
  });

  it('generates PEM text and files for every entry', async () => {
    assert.match(lab.rootCa.cert, /BEGIN CERTIFICATE/);
    assert.match(lab.server.key, /PRIVATE KEY/);
    assert.equal((lab.server.chain.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.equal((lab.caBundle.cert.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.equal((lab.multiCaBundle.cert.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
    assert.match(lab.clientEncrypted.key, /BEGIN ENCRYPTED PRIVATE KEY/);
    assert.match(lab.clientEncryptedPkcs1.key, /Proc-Type: 4,ENCRYPTED/);
    // same process => same lab
    assert.equal(await getLab(), lab);
  });

  it('loads the PKCS#12 identity and the encrypted keys in Node, and detects the mismatched key', () => {
    assert.ok(tls.createSecureContext({ pfx: lab.clientPfx.pfx, passphrase: lab.pfxPassword }));
    assert.ok(tls.createSecureContext({ cert: lab.client.cert, key: lab.clientEncrypted.key, passphrase: lab.passphrase }));
    assert.ok(tls.createSecureContext({ cert: lab.client.cert, key: lab.clientEncryptedPkcs1.key, passphrase: lab.passphrase }));
    assert.throws(() => tls.createSecureContext({ cert: lab.client.cert, key: lab.clientEncrypted.key, passphrase: 'wrong' }), {
      code: 'ERR_OSSL_BAD_DECRYPT',
    });
    assert.throws(() => tls.createSecureContext({ cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key }), {
      code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH',
    });
  });

  it('tls server answers PING over a verified connection', async () => {
    const srv = await start({ kind: 'tls' });
    const r = await probe(srv.port, { ca: lab.rootCa.cert });
    assert.equal(r.code, undefined);
    assert.equal(r.reply, '+PONG');
    assert.equal(r.authorized, true);
  });

  it('mtls server rejects a client without a certificate and accepts lab.client', async () => {
    const srv = await start({ kind: 'mtls' });
    const without = await probe(srv.port, { ca: lab.rootCa.cert });
    assert.equal(without.reply, undefined);
    assert.ok(without.code, 'expected an error without a client certificate');
    const other = await probe(srv.port, { ca: lab.rootCa.cert, cert: lab.otherClient.chain, key: lab.otherClient.key });
    assert.equal(other.reply, undefined);
    assert.equal(other.code, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    const withCert = await probe(srv.port, { ca: lab.rootCa.cert, cert: lab.client.chain, key: lab.client.key });
    assert.equal(withCert.reply, '+PONG');
    const withPfx = await probe(srv.port, { ca: lab.rootCa.cert, pfx: lab.clientPfx.pfx, passphrase: lab.pfxPassword });
    assert.equal(withPfx.reply, '+PONG');
  });

  it('expired server certificate -> CERT_HAS_EXPIRED', async () => {
    const srv = await start({ kind: 'tls', certs: lab.expiredServer });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'CERT_HAS_EXPIRED');
  });

  it('not-yet-valid server certificate -> CERT_NOT_YET_VALID', async () => {
    const srv = await start({ kind: 'tls', certs: lab.notYetValidServer });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'CERT_NOT_YET_VALID');
  });

  it('wrong host name -> ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const srv = await start({ kind: 'tls', certs: lab.wrongHostServer });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('server omitting its intermediate -> UNABLE_TO_VERIFY_LEAF_SIGNATURE', async () => {
    const srv = await start({ kind: 'tls', certs: lab.serverLeafOnly });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // a client that also trusts the intermediate can build the chain itself
    assert.equal((await probe(srv.port, { ca: lab.caBundle.cert })).reply, '+PONG');
  });

  it('self-signed leaf -> DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const srv = await start({ kind: 'tls', certs: lab.selfSignedServer });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('server cert without serverAuth -> INVALID_PURPOSE', async () => {
    const srv = await start({ kind: 'tls', certs: lab.serverWrongEku });
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert })).code, 'INVALID_PURPOSE');
  });

  it('tls13 server refuses a TLS 1.2-only client', async () => {
    const srv = await start({ kind: 'tls13' });
    const r = await probe(srv.port, { ca: lab.rootCa.cert, maxVersion: 'TLSv1.2' });
    assert.equal(r.reply, undefined);
    assert.equal(r.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    const ok = await probe(srv.port, { ca: lab.rootCa.cert });
    assert.equal(ok.protocol, 'TLSv1.3');
  });

  it('acl server: default user needs its password, alice authenticates, reader is read-only', async () => {
    const srv = await start({ kind: 'acl' });
    assert.equal(srv.password, 'lab-default-pass');
    assert.match((await probe(srv.port, { ca: lab.rootCa.cert })).reply ?? '', /^-NOAUTH/);
    assert.equal((await probe(srv.port, { ca: lab.rootCa.cert }, 'AUTH alice alice-pass\r\n')).reply, '+OK');
    assert.match((await probe(srv.port, { ca: lab.rootCa.cert }, 'AUTH alice nope\r\n')).reply ?? '', /^-WRONGPASS/);
    const reader = await probe(srv.port, { ca: lab.rootCa.cert }, 'AUTH reader reader-pass\r\nSET k v\r\n');
    assert.match(reader.reply ?? '', /^\+OK\r\n-NOPERM/);
  });

  it('other broken server kinds fail verification with their documented codes', async () => {
    const goodServer = await start({ kind: 'tls' });
    const good = (): number => goodServer.port;
    const noSan = await start({ kind: 'tls', certs: lab.noSanServer });
    // Node falls back to the CN for DNS names when there is no SAN, never for IP addresses
    assert.equal((await probe(noSan.port, { ca: lab.rootCa.cert })).reply, '+PONG');
    assert.equal((await probe(noSan.port, { ca: lab.rootCa.cert, servername: undefined })).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal((await probe(good(), { ca: lab.rootCa.cert, servername: undefined })).reply, '+PONG');
    // the server's CA file must not hold otherRoot, or OpenSSL completes the chain with it
    const unknown = await start({ kind: 'tls', certs: lab.unknownCaServer, caFile: lab.rootOnly.certPath });
    assert.equal((await probe(unknown.port, { ca: lab.rootCa.cert })).code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // trusting the other root makes the same server fine: the cert itself is sound
    assert.equal((await probe(unknown.port, { ca: lab.multiCaBundle.cert })).reply, '+PONG');
    const withRoot = await start({
      kind: 'tls',
      certs: {
        certPath: lab.unknownCaServer.certPath,
        keyPath: lab.unknownCaServer.keyPath,
        chainPath: lab.unknownCaServer.chainWithRootPath,
      },
      caFile: lab.rootOnly.certPath,
    });
    assert.equal((await probe(withRoot.port, { ca: lab.rootCa.cert })).code, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.equal((await probe(good(), {})).code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    assert.equal((await probe(good(), { ca: lab.intermediateOnly.cert })).code, 'UNABLE_TO_GET_ISSUER_CERT');
    assert.equal((await probe(good(), { ca: lab.caBundle.cert })).reply, '+PONG');
    const soon = await start({ kind: 'tls', certs: lab.expiringSoonServer });
    assert.equal((await probe(soon.port, { ca: lab.rootCa.cert })).reply, '+PONG');
  });

  it('client certificate kinds: wrong EKU is refused, optional mTLS accepts no cert, tls12 speaks TLS 1.2', async () => {
    const mtls = await start({ kind: 'mtls' });
    const wrongEku = await probe(mtls.port, { ca: lab.rootCa.cert, cert: lab.clientWrongEku.chain, key: lab.clientWrongEku.key });
    assert.equal(wrongEku.code, 'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE');
    const optional = await start({ kind: 'mtls-optional' });
    assert.equal((await probe(optional.port, { ca: lab.rootCa.cert })).reply, '+PONG');
    const tls12 = await start({ kind: 'tls12' });
    const r = await probe(tls12.port, { ca: lab.rootCa.cert });
    assert.equal(r.protocol, 'TLSv1.2');
    const plain = await start({ kind: 'plain' });
    assert.equal(plain.tls, false);
  });

  it('startTlsPeer serves certificates redis-server refuses (SHA-1)', async () => {
    const peer = await startTlsPeer({ cert: lab.sha1Server.chain, key: lab.sha1Server.key });
    try {
      const r = await probe(peer.port, { ca: lab.rootCa.cert });
      assert.equal(r.reply, undefined);
      assert.equal(r.code, 'UNSPECIFIED', 'a SHA-1 signed chain must not verify');
    } finally {
      await peer.stop();
    }
    const rsa = await startTlsPeer({ cert: lab.rsa1024Server.chain, key: lab.rsa1024Server.key });
    try {
      assert.equal((await probe(rsa.port, { ca: lab.rootCa.cert })).reply, '+PONG');
    } finally {
      await rsa.stop();
    }
  });
});
