/**
 * The one table of TLS failure codes (Node's `err.code`: OpenSSL verify codes and ERR_SSL_* reasons),
 * grouped into families. The classifier picks the diagnosis by family; the connection picks the probe
 * that makes a handshake failure precise by family. Add a code here and both follow.
 */
export type TlsErrorFamily =
  /** The server's chain or name failed verification: a diagnostic handshake can name the certificate. */
  | 'server-chain'
  /** A certificate in the chain uses a key or digest below OpenSSL's security level. */
  | 'weak-certificate'
  /** No TLS version both sides allow. */
  | 'version'
  /** Non-TLS bytes answered the ClientHello (a plaintext port, an HTTP server...). */
  | 'not-tls'
  /** The server refused the client certificate with an alert. */
  | 'client-cert-rejected';

/** What to ask the server to refine a failure of this family. */
export type TlsProbe = 'chain' | 'versions' | 'plaintext' | 'none';

const TABLE: Readonly<Record<TlsErrorFamily, { probe: TlsProbe; codes: readonly string[] }>> = {
  'server-chain': {
    probe: 'chain',
    codes: [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
      'CERT_NOT_YET_VALID',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'UNABLE_TO_GET_ISSUER_CERT',
      'INVALID_PURPOSE',
      'UNSPECIFIED',
      'CERT_SIGNATURE_FAILURE',
      'CERT_UNTRUSTED',
      'CERT_REJECTED',
    ],
  },
  'weak-certificate': {
    probe: 'chain',
    codes: [
      'EE_KEY_TOO_SMALL',
      'CA_KEY_TOO_SMALL',
      'CA_MD_TOO_WEAK',
      'ERR_SSL_EE_KEY_TOO_SMALL',
      'ERR_SSL_CA_KEY_TOO_SMALL',
      'ERR_SSL_CA_MD_TOO_WEAK',
    ],
  },
  version: {
    probe: 'versions',
    codes: [
      'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
      'ERR_SSL_UNSUPPORTED_PROTOCOL',
      'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
      'ERR_SSL_WRONG_SSL_VERSION',
      'ERR_SSL_TLSV1_ALERT_INAPPROPRIATE_FALLBACK',
      'ERR_SSL_VERSION_TOO_LOW',
      'ERR_SSL_VERSION_TOO_HIGH',
    ],
  },
  'not-tls': {
    probe: 'plaintext',
    codes: ['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_RECORD_LENGTH_MISMATCH'],
  },
  'client-cert-rejected': {
    probe: 'none',
    codes: [
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
      'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
      'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
      'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
      'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
      'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
    ],
  },
};

const BY_CODE: ReadonlyMap<string, TlsErrorFamily> = new Map(
  (Object.keys(TABLE) as TlsErrorFamily[]).flatMap((family) => TABLE[family].codes.map((code) => [code, family] as const)),
);

/** The family of a TLS error code, or undefined for codes outside the table (TCP errors, key errors...). */
export function tlsErrorFamily(code: string | undefined): TlsErrorFamily | undefined {
  return code === undefined ? undefined : BY_CODE.get(code);
}

/** The probe that refines a failure with this code ('none' outside the table). */
export function probeFor(code: string | undefined): TlsProbe {
  const family = tlsErrorFamily(code);
  return family ? TABLE[family].probe : 'none';
}

/** The codes of one family (for tests and documentation). */
export function codesOf(family: TlsErrorFamily): readonly string[] {
  return TABLE[family].codes;
}
