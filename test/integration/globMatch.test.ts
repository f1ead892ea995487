// The tree places a key the user just created or renamed into a filtered database without scanning
// again, so its glob matcher must decide exactly as the server's SCAN MATCH does: checked here
// against a real redis-server over TLS on a table of keys and patterns (bytes, classes, escapes).
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { globMatches } from '../../src/core/keys/bytes';
import { asArray, asBuffer } from '../../src/core/keys/replyNarrowing';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';

const KEYS: Buffer[] = [
  'user:1',
  'user:42',
  'user:abc',
  'users',
  'user:',
  'order:1:items',
  'a*b',
  'a?b',
  'a[b',
  'a]b',
  'a\\b',
  'a-b',
  'x',
  '',
  'hello',
  'hallo',
  'hxllo',
  'héllo',
].map((k) => Buffer.from(k, 'utf8'));
KEYS.push(Buffer.from([0xff, 0x00, 0x41]), Buffer.from([0x80]));

const PATTERNS: Array<string | Buffer> = [
  '*',
  'user:*',
  'user:?',
  'user:??',
  '*:*:*',
  'h?llo',
  'h[ae]llo',
  'h[^e]llo',
  'h[a-e]llo',
  'h[e-a]llo',
  'a\\*b',
  'a\\?b',
  'a\\[b',
  'a[\\]]b',
  'a[]b',
  'a\\\\b',
  'a[-]b',
  'a[',
  'user:[0-9]*',
  '**user**',
  '*1',
  '?',
  'h*o',
  Buffer.from([0xff, 0x2a]),
  Buffer.from([0x5b, 0x80, 0x2d, 0xff, 0x5d]),
];

describe('glob matching as SCAN MATCH decides it (lab)', function () {
  this.timeout(30_000);
  let srv: RedisServer;
  let conn: RedisConnection;

  before(async () => {
    const lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    conn = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    for (const k of KEYS) if (k.length > 0) await conn.send(['SET', k, '1']);
  });

  after(async () => {
    try {
      await conn?.close();
    } finally {
      await srv?.stop();
    }
  });

  it('globMatches agrees with the server on every key of a table of patterns', async () => {
    const stored = KEYS.filter((k) => k.length > 0);
    for (const pattern of PATTERNS) {
      const server = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = asArray(await conn.send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', 1000]));
        cursor = asBuffer(next).toString();
        for (const k of asArray(keys)) server.add(asBuffer(k).toString('hex'));
      } while (cursor !== '0');
      const ours = new Set(stored.filter((k) => globMatches(pattern, k)).map((k) => k.toString('hex')));
      assert.deepEqual([...ours].sort(), [...server].sort(), `pattern ${JSON.stringify(pattern.toString())}`);
    }
  });
});
