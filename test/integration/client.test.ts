import * as assert from 'node:assert/strict';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import { RedisClient } from '../../src/core/client/client';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { TlsCache } from '../../src/core/tls/context';
import { ReplyError } from '../../src/core/resp/replyTypes';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';
import { closeAfterEach } from './closeAfterEach';

describe('RedisConnection over verified TLS (lab)', function () {
  this.timeout(20000);
  let lab: LabCerts;
  let srv: RedisServer;
  let srv13: RedisServer;
  const closing = closeAfterEach();
  const opts = (over: Partial<ConnectionOptions> = {}, port = srv.port): ConnectionOptions => ({
    host: 'localhost',
    port,
    tls: { enabled: true, ca: [lab.rootCa.cert] },
    ...over,
  });

  before(async () => {
    lab = await getLab();
    [srv, srv13] = await Promise.all([startRedis({ kind: 'tls' }), startRedis({ kind: 'tls13' })]);
  });
  after(async () => {
    await Promise.allSettled([srv?.stop(), srv13?.stop()]);
  });

  it('verifies chain and name, reports the handshake and the presented chain', async () => {
    const conn = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
    try {
      const r = conn.report;
      assert.equal(r.authorized, true);
      assert.equal(r.verification, 'chain');
      assert.equal(r.servername, 'localhost');
      assert.match(r.protocol ?? '', /^TLSv1\.[23]$/);
      assert.ok(r.cipher);
      assert.equal(r.sessionReused, false);
      assert.ok(r.chain.length >= 2, 'leaf + intermediate at least');
      const leaf = r.chain[0];
      assert.ok(leaf.subjectAltNames.includes('DNS:localhost'));
      assert.match(leaf.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.equal(leaf.publicKey.algorithm, 'rsa');
      assert.equal(leaf.publicKey.size, 2048);
      assert.ok(leaf.extendedKeyUsage.includes('serverAuth'));
      assert.equal(leaf.isCA, false);
      assert.equal(r.chain[1].isCA, true);
      assert.match(leaf.signatureAlgorithm, /sha256/i);
      assert.ok(leaf.keyUsage.includes('digitalSignature'), leaf.keyUsage.join());
      assert.ok(r.chain[1].keyUsage.includes('keyCertSign'));
      assert.ok(typeof r.timings.firstReplyMs === 'number');
      const pong = await conn.send(['PING']);
      assert.deepEqual(pong, Buffer.from('PONG'));
    } finally {
      await conn.close();
    }
    assert.equal(conn.closed, true);
  });

  it('verifies an IP literal against the IP SAN without sending SNI', async () => {
    const conn = closing(await RedisConnection.open(opts({ host: '127.0.0.1' }), { tlsCache: new TlsCache() }));
    assert.equal(conn.report.authorized, true);
    assert.equal(conn.report.servername, null);
    await conn.close();
  });

  it('pipelines binary-safe commands in FIFO order, with nested errors and nil', async () => {
    const conn = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
    try {
      const key = Buffer.from([0x6b, 0x00, 0xff, 0x0d, 0x0a]);
      const value = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0d, 0x0a]);
      const sends = [];
      for (let i = 0; i < 500; i++) sends.push(conn.send(['SET', `k:${i}`, i]));
      sends.push(conn.send(['SET', key, value]));
      const all = await Promise.all(sends);
      assert.equal(all.length, 501);
      assert.deepEqual(await conn.send(['GET', key]), value);
      const gets = await Promise.all([0, 250, 499].map((i) => conn.send(['GET', `k:${i}`])));
      assert.deepEqual(
        gets.map((b) => (b as Buffer).toString()),
        ['0', '250', '499'],
      );
      assert.equal(await conn.send(['GET', 'missing:key']), null);
      assert.equal(await conn.send(['INCR', 'counter:x']), 1);
      await assert.rejects(conn.send(['LPUSH', 'k:1', 'x']), (e: unknown) => e instanceof ReplyError && /^WRONGTYPE/.test(e.message));
      await conn.send(['MULTI']);
      await conn.send(['INCR', 'k:1']);
      await conn.send(['LPUSH', 'k:1', 'x']);
      const exec = await conn.send(['EXEC']);
      assert.ok(Array.isArray(exec));
      assert.equal(exec[0], 2);
      assert.ok(exec[1] instanceof ReplyError);
    } finally {
      await conn.close();
    }
  });

  it('cancels a command by AbortSignal and keeps later replies in step', async () => {
    const conn = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
    try {
      const ac = new AbortController();
      const blocked = conn.send(['BLPOP', 'never:pushed', '0.3'], { signal: ac.signal });
      ac.abort();
      await assert.rejects(blocked, (e: unknown) => (e as Error).name === 'AbortError');
      assert.deepEqual(await conn.send(['ECHO', 'after']), Buffer.from('after'));
      const pre = new AbortController();
      pre.abort();
      await assert.rejects(conn.send(['PING'], { signal: pre.signal }));
    } finally {
      await conn.close();
    }
  });

  it('times out a command that gets no reply and closes the connection', async () => {
    const conn = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
    await assert.rejects(
      conn.send(['BLPOP', 'never:pushed', '0'], { timeoutMs: 200 }),
      (e: unknown) => isDiagnosedError(e) && e.problem.code === 'TIMEOUT',
    );
    assert.equal(conn.closed, true);
    await assert.rejects(conn.send(['PING']));
  });

  it('selects a database and sets the client name', async () => {
    const conn = closing(await RedisConnection.open(opts({ db: 3, clientName: 'lab-test' }), { tlsCache: new TlsCache() }));
    try {
      assert.deepEqual(await conn.send(['CLIENT', 'GETNAME']), Buffer.from('lab-test'));
      const info = (await conn.send(['CLIENT', 'INFO'])) as Buffer;
      assert.match(info.toString(), /db=3/);
    } finally {
      await conn.close();
    }
  });

  it('resumes TLS 1.3 sessions of verified connections of the same profile', async () => {
    const cache = new TlsCache();
    const o = opts({}, srv13.port);
    const first = closing(await RedisConnection.open(o, { tlsCache: cache }));
    assert.equal(first.report.protocol, 'TLSv1.3');
    assert.equal(first.report.sessionReused, false);
    await first.send(['PING']);
    await first.close();
    assert.equal(cache.sessionCount, 1);
    const second = closing(await RedisConnection.open(o, { tlsCache: cache }));
    assert.equal(second.report.sessionReused, true);
    assert.equal(second.report.authorized, true);
    await second.close();
  });

  it('insecure mode connects without any CA but reports authorized: false and caches nothing', async () => {
    const cache = new TlsCache();
    const conn = closing(
      await RedisConnection.open(opts({ host: 'localhost', tls: { enabled: true, verify: 'insecure' } }), { tlsCache: cache }),
    );
    assert.equal(conn.report.authorized, false);
    assert.equal(conn.report.verification, 'none');
    await conn.send(['PING']);
    await conn.close();
    assert.equal(cache.sessionCount, 0);
  });

  it('pin mode accepts the pinned leaf and rejects another', async () => {
    const probe = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
    const pin = probe.report.chain[0].sha256;
    await probe.close();
    const ok = closing(
      await RedisConnection.open(opts({ tls: { enabled: true, verify: 'pin', pinSha256: pin.replace(/:/g, '').toLowerCase() } }), {
        tlsCache: new TlsCache(),
      }),
    );
    assert.equal(ok.report.authorized, true);
    assert.equal(ok.report.verification, 'pin');
    await ok.close();
    const bad = 'AA:'.repeat(31) + 'AA';
    await assert.rejects(
      RedisConnection.open(opts({ tls: { enabled: true, verify: 'pin', pinSha256: bad } }), { tlsCache: new TlsCache() }).then(closing),
      (e: unknown) => isDiagnosedError(e) && e.problem.field === 'pin' && e.problem.detail.includes(pin),
    );
  });

  it('pin mode resumes its own (pin-verified) TLS 1.3 sessions', async () => {
    const probe = closing(await RedisConnection.open(opts({}, srv13.port), { tlsCache: new TlsCache() }));
    const pin = probe.report.chain[0].sha256;
    await probe.close();
    const cache = new TlsCache();
    const o = opts({ tls: { enabled: true, verify: 'pin', pinSha256: pin } }, srv13.port);
    const first = closing(await RedisConnection.open(o, { tlsCache: cache }));
    await first.send(['PING']);
    await first.close();
    assert.equal(cache.sessionCount, 1);
    const second = closing(await RedisConnection.open(o, { tlsCache: cache }));
    assert.equal(second.report.sessionReused, true);
    assert.equal(second.report.authorized, true);
    assert.equal(second.report.verification, 'pin');
    await second.close();
  });

  it('RedisClient reconnects after the server drops the connection', async () => {
    const client = closing(new RedisClient(opts(), { tlsCache: new TlsCache() }));
    try {
      assert.deepEqual(await client.send(['PING']), Buffer.from('PONG'));
      const id = await client.send(['CLIENT', 'ID']);
      const killer = closing(await RedisConnection.open(opts(), { tlsCache: new TlsCache() }));
      await killer.send(['CLIENT', 'KILL', 'ID', id as number]);
      await killer.close();
      // The next command runs on a fresh connection.
      let reply: unknown;
      for (let i = 0; i < 3; i++) {
        try {
          reply = await client.send(['PING']);
          break;
        } catch {
          /* the dead connection's error surfaces once */
        }
      }
      assert.deepEqual(reply, Buffer.from('PONG'));
      assert.notEqual(await client.send(['CLIENT', 'ID']), id);
    } finally {
      await client.close();
    }
  });

  it('RedisClient retries transient failures with backoff, but not certificate problems', async () => {
    const { freePort } = await import('../lab/servers');
    const port = await freePort();
    const refused = closing(
      new RedisClient(
        { host: '127.0.0.1', port, tls: { enabled: true, ca: [lab.rootCa.cert] } },
        { maxAttempts: 3, backoffMs: 20, tlsCache: new TlsCache() },
      ),
    );
    await assert.rejects(refused.send(['PING']), (e: unknown) => isDiagnosedError(e) && e.problem.code === 'CONNECTION_REFUSED');
    assert.equal(refused.attempts, 3);
    await refused.close();
    const untrusted = closing(
      new RedisClient(
        { host: 'localhost', port: srv.port, tls: { enabled: true } },
        { maxAttempts: 5, backoffMs: 2000, tlsCache: new TlsCache() },
      ),
    );
    await assert.rejects(untrusted.send(['PING']), (e: unknown) => isDiagnosedError(e) && e.problem.code === 'UNKNOWN_ISSUER');
    assert.equal(untrusted.attempts, 1, 'a certificate problem is not retried');
    assert.equal(untrusted.connects, 0);
    await untrusted.close();
  });
});
