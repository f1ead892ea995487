import * as assert from 'node:assert/strict';
import { getLab, type LabCerts } from '../lab/certs';
import type { TlsPeer } from '../lab/servers';
import { array, bulk, fakeServer, type Handler } from './fakeRedis';
import { RedisConnection } from '../../src/core/client/connection';
import { Database } from '../../src/core/keys/database';
import { MAX_PART_FACTOR, MAX_SCAN_CALLS, readValue } from '../../src/core/keys/values';

describe('hostile: value reads stay within their caps when the server ignores COUNT', function () {
  this.timeout(30_000);
  let lab: LabCerts;
  const peers: TlsPeer[] = [];
  const conns: RedisConnection[] = [];
  before(async () => {
    lab = await getLab();
  });
  afterEach(() => {
    for (const c of conns.splice(0)) c.destroy();
  });
  after(async () => {
    await Promise.allSettled(peers.map((p) => p.stop()));
  });

  async function open(handler: Handler, log: string[][]): Promise<Database> {
    const peer = await fakeServer(handler, log);
    peers.push(peer);
    const conn = await RedisConnection.open({ host: 'localhost', port: peer.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    conns.push(conn);
    return new Database(conn, 0, 0);
  }

  const hashPage = (n: number, cursor = '7'): string =>
    array([bulk(cursor), array(Array.from({ length: 2 * n }, (_, i) => bulk(`f${i}`)))]);

  it('hostile: HSCAN answering 5,000 fields per call is cut at twice maxElements (COUNT is a hint), with a note', async () => {
    const log: string[][] = [];
    const db = await open((a) => {
      switch (a[0]) {
        case 'TYPE':
          return '+hash\r\n';
        case 'PTTL':
          return ':-1\r\n';
        case 'HLEN':
          return ':1000000\r\n';
        case 'HSCAN':
          return hashPage(5000);
        default:
          return '-ERR unknown\r\n';
      }
    }, log);
    const part = await readValue(db, Buffer.from('h'), {}, { maxBytes: 1 << 20, maxElements: 100 });
    assert.equal((part.text.match(/^ {2}"/gm) ?? []).length, MAX_PART_FACTOR * 100, 'the hard bound of a part');
    assert.match(part.text, /4,800 beyond the cap were not shown/);
    assert.match(part.text, /ignored COUNT/);
    assert.deepEqual(part.next, { cursor: '7' });
    assert.equal(log.filter((c) => c[0] === 'HSCAN').length, 1);
  });

  it('hostile: SSCAN that never ends and returns empty pages stops after a bounded number of calls', async () => {
    const log: string[][] = [];
    const db = await open((a) => {
      switch (a[0]) {
        case 'TYPE':
          return '+set\r\n';
        case 'PTTL':
          return ':-1\r\n';
        case 'SCARD':
          return ':5\r\n';
        case 'SSCAN':
          return array([bulk('9'), '*0\r\n']);
        default:
          return '-ERR unknown\r\n';
      }
    }, log);
    const part = await readValue(db, Buffer.from('s'), {}, { maxBytes: 1 << 20, maxElements: 10 });
    assert.equal(log.filter((c) => c[0] === 'SSCAN').length, MAX_SCAN_CALLS);
    assert.deepEqual(part.next, { cursor: '9' });
  });

  it('hostile: a value read can be cancelled with an AbortSignal', async () => {
    const log: string[][] = [];
    const controller = new AbortController();
    const db = await open((a) => {
      switch (a[0]) {
        case 'TYPE':
          return '+set\r\n';
        case 'PTTL':
          return ':-1\r\n';
        case 'SCARD':
          return ':5\r\n';
        case 'SSCAN':
          if (log.filter((c) => c[0] === 'SSCAN').length === 3) controller.abort(new Error('cancelled by the user'));
          return array([bulk('9'), '*0\r\n']);
        default:
          return '-ERR unknown\r\n';
      }
    }, log);
    await assert.rejects(
      readValue(db, Buffer.from('s'), {}, { maxBytes: 1 << 20, maxElements: 10 }, controller.signal),
      /cancelled by the user/,
    );
    assert.ok(log.filter((c) => c[0] === 'SSCAN').length <= 4, `${log.length} commands`);
  });

  it('hostile: JSON.GET of a document over the byte cap is refused (JSON.DEBUG MEMORY first)', async () => {
    const log: string[][] = [];
    const db = await open((a) => {
      switch (a[0]) {
        case 'TYPE':
          return '+ReJSON-RL\r\n';
        case 'PTTL':
          return ':-1\r\n';
        case 'JSON.DEBUG':
          return ':50000000\r\n';
        case 'JSON.GET':
          return bulk('{"a":1}');
        default:
          return '-ERR unknown\r\n';
      }
    }, log);
    const part = await readValue(db, Buffer.from('j'), {}, { maxBytes: 1 << 20, maxElements: 100 });
    assert.match(part.text, /takes 50,000,000 bytes .*more than redisTls\.values\.maxBytes/);
    assert.equal(
      log.some((c) => c[0] === 'JSON.GET'),
      false,
      'JSON.GET was not sent',
    );
  });

  it('hostile: LRANGE / ZRANGE answers longer than asked are cut at maxElements', async () => {
    const log: string[][] = [];
    const db = await open((a) => {
      switch (a[0]) {
        case 'TYPE':
          return a[1] === 'l' ? '+list\r\n' : '+zset\r\n';
        case 'PTTL':
          return ':-1\r\n';
        case 'LLEN':
        case 'ZCARD':
          return ':100000\r\n';
        case 'LRANGE':
          return array(Array.from({ length: 3000 }, (_, i) => bulk(`e${i}`)));
        case 'ZRANGE':
          return array(Array.from({ length: 6000 }, (_, i) => bulk(i % 2 ? '1' : `m${i}`)));
        default:
          return '-ERR unknown\r\n';
      }
    }, log);
    const list = await readValue(db, Buffer.from('l'), {}, { maxBytes: 1 << 20, maxElements: 50 });
    assert.equal((list.text.match(/^ {2}"/gm) ?? []).length, 50);
    assert.deepEqual(list.next, { offset: 50 });
    const zset = await readValue(db, Buffer.from('z'), {}, { maxBytes: 1 << 20, maxElements: 50 });
    assert.equal((zset.text.match(/^ {2}"/gm) ?? []).length, 50);
  });
});
