import * as assert from 'node:assert/strict';
import type * as tls from 'node:tls';
import { getLab, type LabCerts } from '../lab/certs';
import { startTlsPeer, type TlsPeer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { TlsCache } from '../../src/core/tls/context';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';

/**
 * A real TLS server (verified with the lab CA) that answers the connection's first command with
 * +PONG, then behaves badly on the next one. The process must survive with a clear error and the
 * connection must end up closed.
 */
describe('hostile servers over TLS (lab peer)', function () {
  this.timeout(15000);
  let lab: LabCerts;
  const peers: TlsPeer[] = [];

  async function hostile(onSecond: (s: tls.TLSSocket) => void): Promise<ConnectionOptions> {
    const peer = await startTlsPeer({
      onSecureSocket: (s) => {
        let n = 0;
        s.on('error', () => undefined);
        s.on('data', () => {
          n++;
          if (n === 1) s.write('+PONG\r\n');
          else if (n === 2) onSecond(s);
        });
      },
    });
    peers.push(peer);
    return { host: 'localhost', port: peer.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
  }

  async function expectBroken(o: ConnectionOptions, pattern: RegExp, code = 'PROTOCOL_ERROR', sendOpts = {}): Promise<void> {
    const conn = await RedisConnection.open(o, { tlsCache: new TlsCache() });
    try {
      await assert.rejects(conn.send(['GET', 'x'], sendOpts), (e: unknown) => {
        assert.ok(isDiagnosedError(e), String(e));
        assert.equal(e.problem.code, code);
        assert.match(e.problem.detail, pattern);
        return true;
      });
      assert.equal(conn.closed, true, 'the connection is closed');
      await assert.rejects(conn.send(['PING']), 'a closed connection refuses commands');
    } finally {
      conn.destroy();
    }
  }

  before(async () => {
    lab = await getLab();
  });
  after(async () => {
    await Promise.allSettled(peers.map((p) => p.stop()));
  });

  it('malformed RESP', async () => {
    await expectBroken(await hostile((s) => s.write('?garbage\r\n')), /unexpected reply type byte/);
  });

  it('a 2 GB length header is refused at once, not buffered', async () => {
    await expectBroken(await hostile((s) => s.write('$2147483648\r\nxxxx')), /cap/);
  });

  it('a reply larger than maxReplyBytes', async () => {
    const o = await hostile((s) => s.write(`$${1 << 20}\r\n${'x'.repeat(1 << 20)}\r\n`));
    await expectBroken({ ...o, maxReplyBytes: 64 * 1024 }, /65536-byte cap/);
  });

  it('endless nested arrays', async () => {
    const o = await hostile((s) => {
      const chunk = '*1\r\n'.repeat(4096);
      const timer = setInterval(() => {
        if (s.destroyed) clearInterval(timer);
        else s.write(chunk);
      }, 5);
      s.on('close', () => clearInterval(timer));
    });
    await expectBroken(o, /nested deeper|out of range/);
  });

  it('silence: the command times out and the connection closes', async () => {
    await expectBroken(await hostile(() => undefined), /No reply to GET .* within 300 ms/, 'TIMEOUT', { timeoutMs: 300 });
  });

  it('close in the middle of a reply', async () => {
    await expectBroken(
      await hostile((s) => {
        s.write('$10\r\nabc');
        setTimeout(() => s.destroy(), 50);
      }),
      /middle of a reply/,
    );
  });

  it('close with a command unanswered', async () => {
    await expectBroken(await hostile((s) => s.end()), /unanswered/);
  });
});
