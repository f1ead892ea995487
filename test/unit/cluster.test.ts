// Cluster helpers without a server: slot hashing (spec vectors), topology parsing (CLUSTER SLOTS /
// SHARDS replies as RESP2 decodes them), untrusted addresses, redirects, per-node verification names.
import * as assert from 'node:assert/strict';
import {
  commandKey,
  crc16,
  keySlot,
  nodeOptions,
  parseClusterShards,
  parseClusterSlots,
  parseRedirect,
  sanitizeMasters,
} from '../../src/core/client/cluster';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { ReplyError } from '../../src/core/resp/replyTypes';

const b = (s: string): Buffer => Buffer.from(s);

describe('cluster helpers', () => {
  it('CRC16/XMODEM and key slots follow the Redis Cluster spec, hashtags included', () => {
    assert.equal(crc16(b('123456789')), 0x31c3); // the spec's check value
    assert.equal(keySlot('foo'), 12182);
    assert.equal(keySlot('{user1000}.following'), keySlot('{user1000}.followers'));
    assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
    assert.equal(keySlot('foo{}{bar}'), crc16(b('foo{}{bar}')) & 16383, 'empty first hashtag: the whole key is hashed');
    assert.notEqual(keySlot('foo{}{bar}'), keySlot('bar'));
    assert.equal(keySlot('foo{{bar}}zap'), keySlot('{bar'));
    assert.equal(keySlot('foo{bar}{zap}'), keySlot('bar'));
    assert.ok(keySlot(Buffer.from([0xff, 0xfe])) < 16384);
  });

  it('parses CLUSTER SLOTS into masters (the port reported is the TLS one with tls-cluster) and drops untrusted addresses', () => {
    const reply = [
      [0, 5460, [b('10.0.0.1'), 6380, b('id1')], [b('10.0.0.4'), 6380, b('r1')]],
      [5461, 10922, [b(''), 6381, b('id2')]],
      [10923, 12000, [b('10.0.0.3'), 6382, b('id3')]],
      [12001, 16383, [b('10.0.0.3'), 6382, b('id3')]],
      [0, 1, [b('evil host\r\nX'), 6379, b('id4')]],
      [2, 3, [b('10.0.0.9'), 70000, b('id5')]],
      [16380, 20000, [b('10.0.0.8'), 6383, b('id6')]],
    ];
    const masters = sanitizeMasters(parseClusterSlots(reply, 'seed.example'));
    assert.deepEqual(
      masters.map((m) => [m.host, m.port, m.id, m.slots]),
      [
        ['10.0.0.1', 6380, 'id1', [[0, 5460]]],
        ['seed.example', 6381, 'id2', [[5461, 10922]]],
        [
          '10.0.0.3',
          6382,
          'id3',
          [
            [10923, 12000],
            [12001, 16383],
          ],
        ],
      ],
    );
  });

  it('parses CLUSTER SHARDS and takes tls-port for TLS profiles', () => {
    const node = (id: string, ip: string, port: number, tlsPort: number, role: string): unknown[] => [
      b('id'),
      b(id),
      b('port'),
      port,
      b('tls-port'),
      tlsPort,
      b('ip'),
      b(ip),
      b('endpoint'),
      b(ip),
      b('role'),
      b(role),
      b('health'),
      b('online'),
    ];
    const reply = [
      [
        b('slots'),
        [0, 100, 200, 16383],
        b('nodes'),
        [node('m1', '10.1.0.1', 6379, 6380, 'master'), node('r1', '10.1.0.2', 6379, 6380, 'replica')],
      ],
    ];
    assert.deepEqual(parseClusterShards(reply, true, 'x'), [
      {
        id: 'm1',
        host: '10.1.0.1',
        port: 6380,
        slots: [
          [0, 100],
          [200, 16383],
        ],
      },
    ]);
    assert.equal(parseClusterShards(reply, false, 'x')[0]?.port, 6379);
  });

  it('recognizes MOVED / ASK redirects and finds the key of a command', () => {
    assert.deepEqual(parseRedirect(new ReplyError('MOVED 3999 127.0.0.1:6381')), {
      kind: 'MOVED',
      slot: 3999,
      host: '127.0.0.1',
      port: 6381,
    });
    assert.deepEqual(parseRedirect(new ReplyError('ASK 1 [::1]:7000')), { kind: 'ASK', slot: 1, host: '::1', port: 7000 });
    assert.equal(parseRedirect(new ReplyError('ERR nope')), undefined);
    assert.equal(commandKey(['GET', 'k']), 'k');
    assert.equal(commandKey(['MEMORY', 'USAGE', 'k']), 'k');
    assert.equal(commandKey(['SCAN', '0']), undefined);
  });

  it('per-node options: connect to the announced IP, verify the configured name (or the explicit map); the rest unchanged', () => {
    const base: ConnectionOptions = {
      host: 'cache.example.com',
      port: 6380,
      db: 3,
      password: 'p',
      tls: { enabled: true, ca: ['CA'], verify: 'full' },
    };
    const o = nodeOptions(base, '10.0.0.7', 6390);
    assert.deepEqual(
      [o.host, o.port, o.tls.servername, o.tls.verify, o.tls.ca, o.password, o.db],
      ['10.0.0.7', 6390, 'cache.example.com', 'full', ['CA'], 'p', 0],
    );
    const named = nodeOptions({ ...base, tls: { ...base.tls, servername: 'cfg.example' } }, '10.0.0.7', 6390);
    assert.equal(named.tls.servername, 'cfg.example');
    const mapped = nodeOptions(base, '10.0.0.7', 6390, { '10.0.0.7:6390': 'node7.example' });
    assert.equal(mapped.tls.servername, 'node7.example');
    // An IP name equal to the node address: no SNI (RFC 6066); Node verifies the IP against the host.
    assert.equal(nodeOptions({ ...base, host: '10.0.0.7' }, '10.0.0.7', 6390).tls.servername, undefined);
  });
});
