/**
 * A self-signed client certificate made up on the spot, for the client-certificate probe only: a
 * server that verifies client certificates (`tls-auth-clients yes|optional`) refuses it, one that
 * asks for none ignores it. It identifies nobody and is never stored.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { toPem } from '../certs';

let made: Promise<{ cert: string; key: string }> | undefined;

export function throwawayClientIdentity(): Promise<{ cert: string; key: string }> {
  made ??= (async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: 'CN=redis-tls audit probe (throwaway)',
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 86_400_000),
        keys,
        signingAlgorithm: alg,
        extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
      },
      webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
    );
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { cert: cert.toString('pem'), key: toPem(Buffer.from(pkcs8), 'PRIVATE KEY') };
  })();
  return made;
}
