/**
 * The connection options live in core/endpoint/options.ts (below client, tls and diagnosis, which all
 * read them); this path keeps the extension's and profiles' imports working.
 */
export type { TlsVersion, VerifyMode, TlsSettings, ConnectionOptions } from '../endpoint/options';
