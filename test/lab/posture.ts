/**
 * redis-server set-ups that give the posture audit every answer (on top of startRedis's kinds):
 *   tls11      also accepts TLSv1.1 (Debian's OpenSSL 3 does, once tls-ciphers lowers @SECLEVEL to 0)
 *   no-cache   tls-session-caching no
 *   leaf-only  the chain misses its intermediate (lab.serverLeafOnly, CA file = root only)
 *   plain-too  TLS plus a plaintext port next to it (srv.plaintextPort)
 */
import { getLab } from './certs';
import { freePort, startRedis, type RedisServer } from './servers';

export type PostureKind = 'tls11' | 'no-cache' | 'leaf-only' | 'plain-too';

export async function startPostureServer(kind: PostureKind): Promise<RedisServer & { plaintextPort?: number }> {
  switch (kind) {
    case 'tls11':
      return startRedis({ kind: 'tls', protocols: 'TLSv1.1 TLSv1.2 TLSv1.3', extraArgs: ['--tls-ciphers', 'DEFAULT:@SECLEVEL=0'] });
    case 'no-cache':
      return startRedis({ kind: 'tls', extraArgs: ['--tls-session-caching', 'no'] });
    case 'leaf-only':
      return startRedis({ kind: 'tls', certs: (await getLab()).serverLeafOnly });
    case 'plain-too': {
      const plaintextPort = await freePort();
      // `--port` after the kind's `--port 0` wins: redis-server keeps the last value.
      const srv = await startRedis({ kind: 'tls', extraArgs: ['--port', String(plaintextPort)] });
      return Object.assign(srv, { plaintextPort });
    }
  }
}
