// A read-only ACL user (`~* +@read -@dangerous`) is the safe way to browse production: it must be able
// to connect (CLIENT SETNAME is refused to it), see its database's key count without INFO, and scan.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { displayBytes } from '../../src/core/keys/bytes';
import { Database, describeServer } from '../../src/core/keys/database';
import { ScanPager } from '../../src/core/keys/scanPager';
import { runDoctor } from '../../src/core/client/doctor';
import { TlsCache } from '../../src/core/tls/context';
import { getLab, type LabCerts } from '../lab/certs';
import { ACL_USERS, startRedis, type RedisServer } from '../lab/servers';

describe('read-only ACL user over TLS (lab)', function () {
  this.timeout(30_000);
  let lab: LabCerts;
  let srv: RedisServer;

  before(async () => {
    lab = await getLab();
    srv = await startRedis({ kind: 'acl' });
    const admin = await RedisConnection.open({
      host: 'localhost',
      port: srv.port,
      username: 'alice',
      password: 'alice-pass',
      tls: { enabled: true, ca: [lab.rootCa.cert] },
    });
    try {
      await admin.send(['MSET', 'ro:a', '1', 'ro:b', '2', 'ro:c', '3']);
    } finally {
      await admin.close();
    }
  });

  after(async () => {
    await srv?.stop();
  });

  const reader = ACL_USERS.find((u) => u.user === 'reader')!;
  const readerOptions = () => ({
    host: 'localhost',
    port: srv.port,
    username: reader.user,
    password: reader.password,
    clientName: 'redis-tls-explorer',
    tls: { enabled: true, ca: [lab.rootCa.cert] },
  });

  it('connects although CLIENT SETNAME is refused, and still may not write', async () => {
    const conn = await RedisConnection.open(readerOptions(), { tlsCache: new TlsCache() });
    try {
      assert.equal(conn.report.authorized, true);
      await assert.rejects(conn.send(['SET', 'ro:x', '1']), (e: unknown) =>
        /NO_PERMISSION|NOPERM/.test(String((e as { problem?: { code: string } }).problem?.code ?? e)),
      );
    } finally {
      await conn.close();
    }
  });

  it('the doctor reports success for the read-only user', async () => {
    const result = await runDoctor(readerOptions(), { tlsCache: new TlsCache() });
    assert.equal(result.ok, true, JSON.stringify(result.problem));
    assert.equal(result.tls?.authorized, true);
  });

  it('describes its database with DBSIZE when INFO is refused, and scans every key', async () => {
    const conn = await RedisConnection.open(readerOptions(), { tlsCache: new TlsCache() });
    try {
      const shape = await describeServer(conn, 0);
      assert.deepEqual(
        shape.databases.map((d) => [d.index, d.keys]),
        [[0, 3]],
      );
      const keys: string[] = [];
      await new ScanPager(new Database(conn, 0, 0), {}, 100).loadAll((page) => keys.push(...page.map((k) => displayBytes(k))));
      assert.deepEqual(keys.sort(), ['ro:a', 'ro:b', 'ro:c']);
    } finally {
      await conn.close();
    }
  });
});
