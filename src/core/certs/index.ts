/**
 * Certificate intelligence: parsing (PEM bundles, DER, PKCS#12), findings, chain verdicts, the key-pair
 * check. No sockets here and no import from core/tls (tls imports certs, never the reverse); the
 * inspection-only handshake that reads a server's chain is core/tls/inspectionHandshake.ts.
 */
export * from './pem';
export * from './certificate';
export * from './names';
export * from './findings';
export * from './chain';
export * from './analyze';
export * from './summary';
export { checkKeyPair, checkPfx, type KeyPairFailure, type KeyPairResult } from './keyPair';
export { readPfx, validatePfx, type PfxContents, type PfxValidation } from './pkcs12';
export { readPfxOffThread, PfxReadError, PFX_TIME_LIMIT_MS } from './pfxOffThread';
