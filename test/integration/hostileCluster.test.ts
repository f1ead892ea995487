import * as assert from 'node:assert/strict';
import { getLab, type LabCerts } from '../lab/certs';
import type { TlsPeer } from '../lab/servers';
import { array, bulk, fakeServer } from './fakeRedis';
import { RedisConnection } from '../../src/core/client/connection';
import { ClusterRouter } from '../../src/core/client/cluster';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';

/**
 * A fake one-master cluster node (all slots) that answers GET with a MOVED/ASK redirect to a second
 * peer the topology never names. The router must re-read the topology, then refuse: the second peer
 * never sees a connection, let alone AUTH.
 */
describe('hostile: cluster redirects only lead to nodes of the topology', function () {
  this.timeout(30_000);
  let lab: LabCerts;
  const peers: TlsPeer[] = [];
  const routers: ClusterRouter[] = [];
  const conns: RedisConnection[] = [];
  before(async () => {
    lab = await getLab();
  });
  afterEach(async () => {
    await Promise.allSettled(routers.splice(0).map((r) => r.close()));
    for (const c of conns.splice(0)) c.destroy();
  });
  after(async () => {
    await Promise.allSettled(peers.map((p) => p.stop()));
  });

  for (const kind of ['MOVED', 'ASK'] as const) {
    for (const verify of ['full', 'insecure'] as const) {
      it(`hostile: ${kind} to a node the topology does not name is refused after one refresh (verify ${verify}); no AUTH reaches it`, async () => {
        const evilLog: string[][] = [];
        const evil = await fakeServer(() => '+OK\r\n', evilLog);
        peers.push(evil);
        let evilConnections = 0;
        evil.server.on('secureConnection', () => {
          evilConnections++;
        });
        const log: string[][] = [];
        let nodePort = 0;
        const node = await fakeServer((a) => {
          const cmd = a
            .map((x) => x.toUpperCase())
            .slice(0, 2)
            .join(' ');
          if (cmd === 'CLUSTER SHARDS') return '-ERR unknown subcommand\r\n';
          if (cmd === 'CLUSTER SLOTS')
            return array([array([':0\r\n', ':16383\r\n', array([bulk('127.0.0.1'), `:${nodePort}\r\n`, bulk('a'.repeat(40))])])]);
          if (a[0] === 'AUTH') return '+OK\r\n';
          if (a[0] === 'GET') return `-${kind} 866 127.0.0.1:${evil.port}\r\n`;
          return '+OK\r\n';
        }, log);
        peers.push(node);
        nodePort = node.port;
        const options: ConnectionOptions = {
          host: '127.0.0.1',
          port: node.port,
          password: 'cluster-secret',
          tls:
            verify === 'full' ? { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' } : { enabled: true, verify: 'insecure' },
        };
        const seed = await RedisConnection.open(options);
        conns.push(seed);
        const router = await ClusterRouter.open(seed, options);
        routers.push(router);
        const before = router.refreshes;
        await assert.rejects(router.send(['GET', 'k']), (e: unknown) => {
          assert.ok(isDiagnosedError(e), String(e));
          assert.equal(e.problem.code, 'PROTOCOL_ERROR');
          assert.match(e.problem.detail, new RegExp(`redirected a command to 127\\.0\\.0\\.1:${evil.port}, a node its topology`));
          return true;
        });
        assert.ok(router.refreshes > before, 'the topology was re-read before deciding');
        assert.equal(evilConnections, 0, 'no connection to the unnamed node');
        assert.deepEqual(evilLog, []);
      });
    }
  }

  it('hostile: a redirect to a node of the topology is still followed (ASK to the same master)', async () => {
    const log: string[][] = [];
    let nodePort = 0;
    let asked = false;
    const node = await fakeServer((a) => {
      const cmd = a
        .map((x) => x.toUpperCase())
        .slice(0, 2)
        .join(' ');
      if (cmd === 'CLUSTER SHARDS') return '-ERR unknown subcommand\r\n';
      if (cmd === 'CLUSTER SLOTS')
        return array([array([':0\r\n', ':16383\r\n', array([bulk('127.0.0.1'), `:${nodePort}\r\n`, bulk('b'.repeat(40))])])]);
      if (a[0] === 'ASKING') {
        asked = true;
        return '+OK\r\n';
      }
      if (a[0] === 'GET') return asked ? bulk('value') : `-ASK 866 127.0.0.1:${nodePort}\r\n`;
      return '+OK\r\n';
    }, log);
    peers.push(node);
    nodePort = node.port;
    const options: ConnectionOptions = {
      host: '127.0.0.1',
      port: node.port,
      tls: { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' },
    };
    const seed = await RedisConnection.open(options);
    conns.push(seed);
    const router = await ClusterRouter.open(seed, options);
    routers.push(router);
    assert.equal(String(await router.send(['GET', 'k'])), 'value');
  });
});
