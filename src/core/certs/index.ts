/** Certificate intelligence: parsing (PEM bundles, DER, PKCS#12), findings, chain verdicts. */
export * from './pem';
export * from './certificate';
export * from './names';
export * from './findings';
export * from './chain';
export * from './analyze';
export { readPfx, validatePfx, type PfxContents, type PfxValidation } from './pkcs12';
export { fetchPresentedChain, ProbeError, type ProbeOptions, type ProbeResult } from './probe';
