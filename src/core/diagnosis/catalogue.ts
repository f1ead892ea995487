import type { DiagnosisCode, Problem, ProblemField } from './problem';

/** What each code means for a person, and the usual way out. Details come from the failure itself. */
export interface CatalogueEntry {
  title: string;
  fix: string;
  field?: ProblemField;
}

export const CATALOGUE: Readonly<Record<DiagnosisCode, CatalogueEntry>> = {
  CONNECTION_REFUSED: {
    title: 'Connection refused',
    fix: 'Check the host and port, that redis-server is running and listening on that address (bind, protected-mode), and that no firewall is in the way.',
    field: 'port',
  },
  HOST_NOT_FOUND: {
    title: 'Host name not found',
    fix: 'Check the spelling of the host, your DNS or VPN, or use the IP address with the certificate name as the server name (SNI).',
    field: 'host',
  },
  TIMEOUT: {
    title: 'Timed out',
    fix: 'Check that the port is right and reachable (firewall, security group, VPN); raise the timeout for slow links.',
    field: 'port',
  },
  NOT_TLS: {
    title: 'The server does not speak TLS on this port',
    fix: 'Turn TLS off for this connection, or use the port where the server listens for TLS (tls-port).',
    field: 'tls',
  },
  TLS_REQUIRED: {
    title: 'The server requires TLS on this port',
    fix: 'Turn TLS on for this connection (rediss:// or --tls) and give the CA that signed the server certificate.',
    field: 'tls',
  },
  HOSTNAME_MISMATCH: {
    title: 'The certificate is not valid for this host name',
    fix: 'Connect with a name the certificate lists, or set the server name (SNI) to one of them; otherwise reissue the certificate with this name in its subjectAltName.',
    field: 'servername',
  },
  CERT_EXPIRED: {
    title: 'The server certificate has expired',
    fix: 'Renew the server certificate (or the expired CA certificate) and reload it on the server; check the clocks on both machines.',
    field: 'ca',
  },
  CERT_NOT_YET_VALID: {
    title: 'The server certificate is not valid yet',
    fix: 'Check the clock of this machine and of the server; wait until the certificate starts being valid, or reissue it.',
    field: 'ca',
  },
  SELF_SIGNED: {
    title: 'The server certificate is self-signed',
    fix: 'Trust this certificate explicitly: add it as the CA file (or pin its SHA-256 fingerprint), or give the server a certificate issued by a CA you trust.',
    field: 'ca',
  },
  UNTRUSTED_ROOT: {
    title: 'The certificate chain ends in a root that is not trusted',
    fix: 'Add the root CA certificate that the server uses to the CA file of this connection (or to the system trust store).',
    field: 'ca',
  },
  UNKNOWN_ISSUER: {
    title: 'The issuer of the server certificate is unknown',
    fix: 'Add the CA that issued the server certificate to the CA file; if the server uses an intermediate CA, configure the server to send it (full chain) or add the intermediate and its root to the CA file.',
    field: 'ca',
  },
  CA_BUNDLE_INCOMPLETE: {
    title: 'The CA file is missing the root certificate',
    fix: 'Put the whole chain up to the root in the CA file (intermediate AND root), or use the system trust store as well.',
    field: 'ca',
  },
  WRONG_PURPOSE: {
    title: 'The certificate is not allowed for TLS servers',
    fix: 'Reissue the server certificate with extendedKeyUsage serverAuth (and keyUsage digitalSignature/keyEncipherment).',
    field: 'ca',
  },
  WEAK_CERTIFICATE: {
    title: 'The certificate uses a key or signature that is too weak',
    fix: 'Reissue the certificate with a SHA-256 (or better) signature and an RSA key of at least 2048 bits or an EC key.',
    field: 'ca',
  },
  TLS_VERSION_MISMATCH: {
    title: 'No TLS version in common with the server',
    fix: 'Allow a TLS version the server supports (minimum/maximum TLS version), or enable TLS 1.2/1.3 on the server (tls-protocols).',
    field: 'tlsVersion',
  },
  CLIENT_CERT_REQUIRED: {
    title: 'The server requires a client certificate',
    fix: 'Give this connection a client certificate and its key (mutual TLS), issued by the CA the server trusts (tls-ca-cert-file).',
    field: 'cert',
  },
  CLIENT_CERT_UNTRUSTED: {
    title: 'The server does not trust the client certificate',
    fix: "Use a client certificate issued by the CA in the server's tls-ca-cert-file, or add your client CA to it.",
    field: 'cert',
  },
  CLIENT_CERT_REJECTED: {
    title: 'The server rejected the client certificate',
    fix: 'Reissue the client certificate with extendedKeyUsage clientAuth, a valid date range and a strong key.',
    field: 'cert',
  },
  KEY_MISMATCH: {
    title: 'The private key does not belong to the client certificate',
    fix: 'Pick the key file that was generated together with this certificate.',
    field: 'key',
  },
  FILE_UNREADABLE: {
    title: 'A certificate, key or CA file cannot be read',
    fix: 'Restore the file or its read permission, or point the connection at where the file is now.',
  },
  FILE_NOT_CERTIFICATE: {
    title: 'A CA or certificate file holds no certificate',
    fix: 'Choose the PEM file with the "BEGIN CERTIFICATE" block: for the CA, the authority that signed the server certificate; for the client, the certificate rather than its key.',
    field: 'ca',
  },
  KEY_PASSPHRASE: {
    title: 'The private key is encrypted and the passphrase is missing or wrong',
    fix: 'Enter the passphrase of the key (REDIS_TLS_KEY_PASSPHRASE for the CLI), or decrypt the key file.',
    field: 'passphrase',
  },
  AUTH_REQUIRED: {
    title: 'The server requires a password',
    fix: 'Set the password (and the ACL user name, if any) for this connection (REDISCLI_AUTH for the CLI).',
    field: 'password',
  },
  AUTH_FAILED: {
    title: 'User name or password rejected',
    fix: 'Check the ACL user name and the password; an ACL user may also be disabled.',
    field: 'password',
  },
  NO_PERMISSION: {
    title: 'The user lacks permission for a command',
    fix: 'Grant the user the command (ACL SETUSER ... +command) or connect as a user that has it.',
    field: 'username',
  },
  PROTOCOL_ERROR: {
    title: 'The server broke the Redis protocol',
    fix: 'Check that the port belongs to a Redis server (not a proxy or another service); the connection was closed to protect this process.',
  },
};

/** Builds a Problem from its code and the facts of this failure. */
export function makeProblem(
  code: DiagnosisCode,
  detail: string,
  extra?: { facts?: Record<string, unknown>; field?: ProblemField; title?: string; fix?: string },
): Problem {
  const entry = CATALOGUE[code];
  const field = extra?.field ?? entry.field;
  return {
    code,
    title: extra?.title ?? entry.title,
    detail,
    fix: extra?.fix ?? entry.fix,
    ...(field ? { field } : {}),
    ...(extra?.facts ? { facts: extra.facts } : {}),
  };
}
