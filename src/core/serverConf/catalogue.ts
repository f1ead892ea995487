/**
 * The `tls-*` directives of redis.conf, Redis 6.0 through 7.4, in our own words from Redis's
 * documentation (redis.conf comments and the TLS page): what each means, its default, its values.
 * One home for these facts: hovers, completion and the rules all read them from here.
 */

export type ConfValueKind = 'port' | 'file' | 'dir' | 'yesno' | 'enum' | 'text' | 'number' | 'secret';

export interface TlsDirectiveInfo {
  name: string;
  /** First Redis version that knows the directive. */
  since: '6.0' | '6.2' | '7.0';
  kind: ConfValueKind;
  /** The default as redis-server applies it, in words. */
  defaultText: string;
  /** One paragraph: what it does and what goes wrong with it. */
  meaning: string;
  /** Completion values (enum and yes/no kinds, or suggestions). */
  values?: string[];
  /** What a certificate file directive holds, for the file checks. */
  fileRole?: 'server-cert' | 'server-key' | 'client-cert' | 'client-key' | 'ca' | 'dh';
}

export const TLS_DIRECTIVES: readonly TlsDirectiveInfo[] = [
  {
    name: 'tls-port',
    since: '6.0',
    kind: 'port',
    defaultText: '0 (no TLS listener)',
    values: ['6380', '6379'],
    meaning:
      'The port redis-server accepts TLS connections on. TLS is off unless this is set: certificates alone do not turn it on. The plaintext `port` stays open next to it unless it is set to 0.',
  },
  {
    name: 'tls-cert-file',
    since: '6.0',
    kind: 'file',
    fileRole: 'server-cert',
    defaultText: 'none (required when tls-port, tls-replication or tls-cluster is used)',
    meaning:
      'The X.509 certificate (PEM) the server presents to clients, and also to other nodes as a client for replication and the cluster bus unless tls-client-cert-file is set. Put the intermediates after the leaf so clients receive the whole chain.',
  },
  {
    name: 'tls-key-file',
    since: '6.0',
    kind: 'file',
    fileRole: 'server-key',
    defaultText: 'none (required with tls-cert-file)',
    meaning:
      'The private key (PEM) of tls-cert-file. It must be the key of that certificate; if it is encrypted, tls-key-file-pass gives the passphrase.',
  },
  {
    name: 'tls-key-file-pass',
    since: '6.2',
    kind: 'secret',
    defaultText: 'none (the key must not be encrypted)',
    meaning: 'The passphrase of an encrypted tls-key-file. Stored in clear text in this file: protect the file like the key itself.',
  },
  {
    name: 'tls-client-cert-file',
    since: '6.2',
    kind: 'file',
    fileRole: 'client-cert',
    defaultText: 'none (tls-cert-file is used as the client certificate)',
    meaning:
      'A separate certificate that redis-server presents when it is the client: replicas connecting to their master and cluster-bus connections. It needs the clientAuth extended key usage.',
  },
  {
    name: 'tls-client-key-file',
    since: '6.2',
    kind: 'file',
    fileRole: 'client-key',
    defaultText: 'none (tls-key-file is used)',
    meaning: 'The private key of tls-client-cert-file.',
  },
  {
    name: 'tls-client-key-file-pass',
    since: '6.2',
    kind: 'secret',
    defaultText: 'none',
    meaning: 'The passphrase of an encrypted tls-client-key-file.',
  },
  {
    name: 'tls-dh-params-file',
    since: '6.0',
    kind: 'file',
    fileRole: 'dh',
    defaultText: 'none (OpenSSL 3 picks DH parameters itself; older builds then disable DHE suites)',
    meaning: 'Diffie-Hellman parameters (PEM) for the DHE cipher suites.',
  },
  {
    name: 'tls-ca-cert-file',
    since: '6.0',
    kind: 'file',
    fileRole: 'ca',
    defaultText: 'none',
    meaning:
      'The CA certificates (PEM bundle) used to verify client certificates and, for replication and the cluster bus, the certificates of other nodes. OpenSSL also completes the chain the server sends from it. Required (or tls-ca-cert-dir) when tls-auth-clients is not `no` or tls-replication/tls-cluster is on.',
  },
  {
    name: 'tls-ca-cert-dir',
    since: '6.0',
    kind: 'dir',
    defaultText: 'none',
    meaning: "A directory of CA certificates in OpenSSL's hashed format (c_rehash), as an alternative or addition to tls-ca-cert-file.",
  },
  {
    name: 'tls-auth-clients',
    since: '6.0',
    kind: 'enum',
    defaultText: 'yes',
    values: ['yes', 'no', 'optional'],
    meaning:
      'Whether clients must present a certificate signed by a CA of tls-ca-cert-file: `yes` (mutual TLS, the default), `optional` (a certificate is verified if sent), `no` (no client certificate; authenticate with a password/ACL).',
  },
  {
    name: 'tls-replication',
    since: '6.0',
    kind: 'yesno',
    defaultText: 'no',
    values: ['yes', 'no'],
    meaning:
      'A replica connects to its master over TLS. With `no`, replication traffic (all your data) crosses the network in clear text even when clients use TLS; the master must then keep a plaintext `port` open.',
  },
  {
    name: 'tls-cluster',
    since: '6.0',
    kind: 'yesno',
    defaultText: 'no',
    values: ['yes', 'no'],
    meaning:
      'The cluster bus between nodes uses TLS, and CLUSTER SLOTS/SHARDS announce the TLS ports. With `no` the bus (gossip, failover) is in clear text.',
  },
  {
    name: 'tls-protocols',
    since: '6.0',
    kind: 'text',
    defaultText: '"TLSv1.2 TLSv1.3" (TLSv1.3 where OpenSSL has it)',
    values: ['"TLSv1.2 TLSv1.3"', 'TLSv1.3', 'TLSv1.2'],
    meaning:
      'The protocol versions accepted, separated by spaces (quote the list). TLSv1 and TLSv1.1 are deprecated (RFC 8996) and should never be enabled.',
  },
  {
    name: 'tls-ciphers',
    since: '6.0',
    kind: 'text',
    defaultText: "OpenSSL's default list (DEFAULT)",
    values: ['"DEFAULT:!MEDIUM"', '"ECDHE+AESGCM:ECDHE+CHACHA20"'],
    meaning:
      'The OpenSSL cipher list for TLS 1.2 and below. Anything that re-enables RC4, DES/3DES, NULL, EXPORT, anonymous or MD5 suites, or lowers @SECLEVEL, weakens every connection.',
  },
  {
    name: 'tls-ciphersuites',
    since: '6.0',
    kind: 'text',
    defaultText: "OpenSSL's default TLS 1.3 suites",
    values: ['"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"'],
    meaning: 'The TLS 1.3 cipher suites, colon-separated.',
  },
  {
    name: 'tls-prefer-server-ciphers',
    since: '6.0',
    kind: 'yesno',
    defaultText: 'no',
    values: ['yes', 'no'],
    meaning: "The server's cipher order wins over the client's when choosing a suite.",
  },
  {
    name: 'tls-session-caching',
    since: '6.0',
    kind: 'yesno',
    defaultText: 'yes',
    values: ['yes', 'no'],
    meaning:
      "The server-side TLS session cache for resumption: a client that reconnects skips the full handshake. `no` turns the cache off (OpenSSL's stateless session tickets, on by default, still let clients resume).",
  },
  {
    name: 'tls-session-cache-size',
    since: '6.0',
    kind: 'number',
    defaultText: '20480 sessions',
    values: ['20480'],
    meaning: 'How many sessions the server keeps for resumption (0: unlimited).',
  },
  {
    name: 'tls-session-cache-timeout',
    since: '6.0',
    kind: 'number',
    defaultText: '300 seconds',
    values: ['300'],
    meaning: 'How long a cached session can be resumed, in seconds.',
  },
];

const BY_NAME = new Map(TLS_DIRECTIVES.map((d) => [d.name, d]));

export function tlsDirective(name: string): TlsDirectiveInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Non-TLS directives the rules read. */
export const RELATED_DIRECTIVES: Readonly<Record<string, string>> = {
  port: 'The plaintext TCP port (default 6379). Set `port 0` to serve TLS only.',
  include:
    'Reads another configuration file at this point; a relative path is resolved against the working directory redis-server was started in.',
  dir: 'The working directory: redis-server changes into it while reading the configuration, so relative tls-*-file paths are resolved against it.',
  replicaof: 'Makes this server a replica of the given master (replication uses TLS only with tls-replication yes).',
  slaveof: 'The old name of replicaof.',
  'cluster-enabled': 'Cluster mode (the cluster bus uses TLS only with tls-cluster yes).',
};

/** The known tls-* name closest to a misspelt one (edit distance at most 3), for a quick fix. */
export function closestTlsDirective(name: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const d of TLS_DIRECTIVES) {
    const dist = editDistance(name.toLowerCase(), d.name);
    if (dist <= 3 && (!best || dist < best.d)) best = { name: d.name, d: dist };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** Markdown for a hover on a tls-* directive (our text only). */
export function directiveHoverMarkdown(info: TlsDirectiveInfo): string {
  const values =
    info.kind === 'enum' || info.kind === 'yesno' ? `\n\nValues: ${(info.values ?? []).map((v) => `\`${v}\``).join(', ')}` : '';
  return `**${info.name}** (Redis ${info.since}+)\n\n${info.meaning}\n\nDefault: ${info.defaultText}${values}`;
}
