// Key names an attacker can store (issue #9), shared by the unit, integration and host tests.
import { RedisConnection } from '../../src/core/client/connection';
import type { LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';

/** Names an attacker can store as keys: a shell line after a non-ASCII byte, OSC 52 (clipboard write), bidi, invisible characters. */
export const HOSTILE_NAMES: readonly Buffer[] = [
  Buffer.from('é\nrm -rf ~\n'),
  Buffer.from('é\x1b]52;c;cm0gLXJmIH4K\x07'),
  Buffer.from('\x1b]52;c;cm0gLXJmIH4K\x07'),
  Buffer.from('naïve\r'),
  Buffer.from('日本\x00'),
  Buffer.from('invoice\u202Efdp.exe'),
  Buffer.from('user\u2066:1\u2069'),
  Buffer.from('zero\u200Bwidth'),
  Buffer.from('soft\u00ADhyphen'),
  Buffer.from('word\u2060joiner'),
  Buffer.from('c1\u009B31m'),
  Buffer.from('bom\uFEFF'),
  Buffer.from([0xc3, 0xa9, 0xff, 0x0a]),
];

/** ASCII/C1 controls, bidi, zero-width and invisible characters: nothing of this may remain in shown text. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

/** A lab TLS redis-server holding exactly HOSTILE_NAMES (as strings of value "x"). */
export async function startHostileNamesServer(lab: LabCerts): Promise<RedisServer> {
  const srv = await startRedis({ kind: 'tls' });
  const direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
  try {
    for (const name of HOSTILE_NAMES) await direct.send(['SET', name, 'x']);
  } finally {
    await direct.close();
  }
  return srv;
}
