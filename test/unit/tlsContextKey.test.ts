// One SecureContext per set of TLS settings (secureContextKey), TLS sessions per profile and target
// (tlsProfileKey): a cluster's nodes share the context, never a session.
import * as assert from 'node:assert/strict';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { secureContextKey, tlsProfileKey } from '../../src/core/tls/context';

const ca = [Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')];
const base: ConnectionOptions = { host: 'seed.example.com', port: 6380, tls: { enabled: true, ca, servername: 'clustercfg.example.com' } };

describe('TLS cache keys', () => {
  it('the context key ignores the target (host, port, server name, verify mode, pin); the session key does not', () => {
    const node: ConnectionOptions = { ...base, host: '10.0.1.12', port: 6379, tls: { ...base.tls, servername: 'node-1.example.com' } };
    assert.equal(secureContextKey(node), secureContextKey(base));
    assert.equal(secureContextKey({ ...base, tls: { ...base.tls, verify: 'pin', pinSha256: 'AB:CD' } }), secureContextKey(base));
    assert.notEqual(tlsProfileKey(node), tlsProfileKey(base));
    assert.notEqual(tlsProfileKey({ ...base, tls: { ...base.tls, verify: 'insecure' } }), tlsProfileKey(base));
  });

  it('the context key changes with everything createSecureContext is given', () => {
    const k = secureContextKey(base);
    const variants: Array<Partial<ConnectionOptions['tls']>> = [
      { ca: [Buffer.from('other')] },
      { ca: undefined },
      { useSystemCA: true },
      { cert: 'c', key: 'k' },
      { cert: 'c', key: 'k', passphrase: 'p' },
      { pfx: Buffer.from('pfx') },
      { minVersion: 'TLSv1.3' },
      { maxVersion: 'TLSv1.2' },
    ];
    for (const v of variants) assert.notEqual(secureContextKey({ ...base, tls: { ...base.tls, ...v } }), k, JSON.stringify(v));
  });

  it('a CA list changed in place is hashed again', () => {
    const list = [...ca];
    const o: ConnectionOptions = { ...base, tls: { ...base.tls, ca: list } };
    const before = secureContextKey(o);
    list.push(Buffer.from('another CA'));
    assert.notEqual(secureContextKey(o), before);
    assert.equal(tlsProfileKey(o), tlsProfileKey({ ...o, tls: { ...o.tls, ca: [...list] } }));
  });
});
