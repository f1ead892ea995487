/**
 * A hostile server after HELLO 3 (a fake Redis over real TLS): once the terminal decodes RESP3 itself,
 * the caps still hold — a declared element count that cannot fit, nesting past the cap, and a reply
 * whose pieces are each small but whose whole is over maxReplyBytes each close the connection with a
 * PROTOCOL_ERROR diagnosis instead of buffering; the next command reconnects (and switches to RESP3 again).
 */
import * as assert from 'node:assert/strict';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { getLab } from '../lab/certs';
import type { TlsPeer } from '../lab/servers';
import { fakeServer } from './fakeRedis';
import { TypedRepl, waitUntil } from './replHarness';

const CAP = 100_000;
/** Each string is under the cap; three of them are not. */
const piece = `$40000\r\n${'x'.repeat(40_000)}\r\n`;

const REPLIES: Record<string, string> = {
  HELLO: '%1\r\n+proto\r\n:3\r\n',
  OK: '%1\r\n+fine\r\n#t\r\n',
  COUNT: '~400000000\r\n',
  DEEP: '*1\r\n'.repeat(100),
  WHOLE: `%3\r\n+a\r\n${piece}+b\r\n${piece}+c\r\n${piece}`,
};

describe('terminal: RESP3 from a hostile server stays bounded', function () {
  this.timeout(30_000);
  let peer: TlsPeer;
  let options: ConnectionOptions;
  const log: string[][] = [];
  const open: TypedRepl[] = [];

  before(async () => {
    const lab = await getLab();
    peer = await fakeServer((args) => REPLIES[(args[0] ?? '').toUpperCase()] ?? '-ERR unknown\r\n', log);
    options = { host: 'localhost', port: peer.port, tls: { enabled: true, ca: [lab.rootCa.cert] }, maxReplyBytes: CAP };
  });
  afterEach(() => {
    for (const r of open.splice(0)) r.dispose();
  });
  after(async () => {
    await peer?.stop();
  });

  for (const [command, reason] of [
    ['COUNT', /an aggregate of 400000000 exceeds the 100000 cap/],
    ['DEEP', /nested deeper than 64/],
    ['WHOLE', /a reply larger than the 100000-byte cap/],
  ] as const) {
    it(`${command}: PROTOCOL_ERROR, the connection is closed, the next command reconnects in RESP3`, async () => {
      const r = new TypedRepl(options, 'Hostile');
      open.push(r);
      await r.start();
      assert.match(await r.type('HELLO 3'), /^1# proto => \(integer\) 3$/m);
      const helloes = log.filter((c) => c[0] === 'HELLO').length;
      const out = await r.type(command);
      assert.ok(out.length < 2000, `nothing of the oversized reply was printed (${out.length} characters)`);
      assert.match(out, /PROBLEM PROTOCOL_ERROR/);
      assert.match(out, reason);
      await waitUntil(() => !r.session.connected);
      assert.match(await r.type('OK'), /^1# fine => \(true\)$/m);
      assert.equal(log.filter((c) => c[0] === 'HELLO').length, helloes + 1, 'HELLO 3 again on the new connection');
    });
  }
});
