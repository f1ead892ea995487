/**
 * TLS test lab: certificate set generated with the `openssl` CLI, once per process.
 *
 *   const lab = await getLab();
 *
 * Files land in `<repo>/.lab/<pid>-<time>/` (gitignored; run dirs older than a day are removed).
 * Every entry carries absolute paths AND the PEM text. Keys are PKCS#8 PEM unless noted.
 *
 * Authorities (CaEntry: certPath, keyPath, cert, key)
 *   rootCa            self-signed root "Lab Root CA" (EC P-256)
 *   intermediateCa    "Lab Intermediate CA", signed by rootCa, pathlen:0; signs every lab leaf below
 *   otherRoot         unrelated self-signed root "Other Root CA" (the "unknown CA")
 *
 * CA files (PemFile: certPath, cert)
 *   caBundle          intermediate + root   (what a Redis server / client normally trusts)
 *   rootOnly          root only             (pair with serverLeafOnly => server omits its intermediate)
 *   intermediateOnly  intermediate only     (client ca without root => UNABLE_TO_GET_ISSUER_CERT)
 *   multiCaBundle     rootCa + otherRoot    (multi-CA bundle)
 *
 * Leaves (LeafEntry: certPath = the leaf alone, keyPath, cert, key, chainPath/chain = leaf + issuers sent)
 *   server                 RSA-2048, SAN DNS:localhost + IP:127.0.0.1, EKU serverAuth+clientAuth
 *   serverLeafOnly         same cert as `server`, chainPath = leaf only. Must be served with caFile = rootOnly
 *                          (startRedis does that by default) so OpenSSL cannot complete the chain
 *                          => UNABLE_TO_VERIFY_LEAF_SIGNATURE
 *   expiredServer          validity ended yesterday                         => CERT_HAS_EXPIRED
 *   notYetValidServer      validity starts tomorrow                         => CERT_NOT_YET_VALID
 *   expiringSoonServer     valid, expires in 5 days (warnings)
 *   wrongHostServer        SAN DNS:wrong.example only                       => ERR_TLS_CERT_ALTNAME_INVALID
 *   noSanServer            CN=localhost, no subjectAltName: Node accepts it for servername localhost
 *                          (CN fallback), ERR_TLS_CERT_ALTNAME_INVALID for host 127.0.0.1
 *   selfSignedServer       self-signed leaf, SAN localhost/127.0.0.1        => DEPTH_ZERO_SELF_SIGNED_CERT
 *   unknownCaServer        signed directly by otherRoot (server caFile must not contain otherRoot); chainPath = leaf only
 *                          (=> UNABLE_TO_VERIFY_LEAF_SIGNATURE), chainWithRootPath = leaf + otherRoot
 *                          (=> SELF_SIGNED_CERT_IN_CHAIN)
 *   serverWrongEku         EKU clientAuth only                              => INVALID_PURPOSE
 *   sha1Server             signed with SHA-1 (Redis/Debian OpenSSL may refuse to load it; use startTlsPeer)
 *   rsa1024Server          RSA-1024 key (Debian OpenSSL refuses it in redis-server; use startTlsPeer)
 *   client                 RSA-2048, CN "lab-client", EKU clientAuth, signed by intermediate
 *   otherClient            CN "other-client", signed by otherRoot           => ERR_SSL_TLSV1_ALERT_UNKNOWN_CA
 *   clientWrongEku         CN "lab-client-serverauth", EKU serverAuth only  => ..._UNSUPPORTED_CERTIFICATE
 *   clientEncrypted        the `client` cert, keyPath = PKCS#8 AES-256-CBC encrypted with lab.passphrase
 *   clientEncryptedPkcs1   the `client` cert, keyPath = PKCS#1 ("BEGIN RSA PRIVATE KEY", Proc-Type
 *                          ENCRYPTED, AES-256-CBC) with lab.passphrase
 *   clientMismatchedKey    the `client` cert with an unrelated key          => ERR_OSSL_X509_KEY_VALUES_MISMATCH
 *
 * PKCS#12 (PfxEntry: pfxPath, pfx Buffer, password)
 *   clientPfx         client key + cert + intermediate, AES-256 (OpenSSL 3 default), password lab.pfxPassword;
 *                     loads with tls.createSecureContext({ pfx, passphrase })
 *   clientPfxLegacy   same with `-legacy` (RC2/3DES); Node without the legacy provider cannot load it
 *
 * Secrets: lab.passphrase (encrypted keys), lab.pfxPassword (PKCS#12). Directory: lab.dir.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface PemFile {
  /** absolute path of the PEM file */
  certPath: string;
  /** PEM text (one or more certificates) */
  cert: string;
}

export interface CaEntry extends PemFile {
  keyPath: string;
  key: string;
}

export interface LeafEntry extends CaEntry {
  /** what a server should send: leaf + issuing chain (excluding the root) */
  chainPath: string;
  chain: string;
}

export interface UnknownCaLeafEntry extends LeafEntry {
  /** leaf + otherRoot (server also sends an untrusted root) */
  chainWithRootPath: string;
  chainWithRoot: string;
}

export interface PfxEntry {
  pfxPath: string;
  pfx: Buffer;
  password: string;
}

export interface LabCerts {
  dir: string;
  passphrase: string;
  pfxPassword: string;

  rootCa: CaEntry;
  intermediateCa: CaEntry;
  otherRoot: CaEntry;

  caBundle: PemFile;
  rootOnly: PemFile;
  intermediateOnly: PemFile;
  multiCaBundle: PemFile;

  server: LeafEntry;
  serverLeafOnly: LeafEntry;
  expiredServer: LeafEntry;
  notYetValidServer: LeafEntry;
  expiringSoonServer: LeafEntry;
  wrongHostServer: LeafEntry;
  noSanServer: LeafEntry;
  selfSignedServer: LeafEntry;
  unknownCaServer: UnknownCaLeafEntry;
  serverWrongEku: LeafEntry;
  sha1Server: LeafEntry;
  rsa1024Server: LeafEntry;

  client: LeafEntry;
  otherClient: LeafEntry;
  clientWrongEku: LeafEntry;
  clientEncrypted: LeafEntry;
  clientEncryptedPkcs1: LeafEntry;
  clientMismatchedKey: LeafEntry;

  clientPfx: PfxEntry;
  clientPfxLegacy: PfxEntry;
}

const OPENSSL = '/usr/bin/openssl';
const DAY_MS = 24 * 60 * 60 * 1000;

/** repo root: this file compiles to out/test/lab/certs.js, sources live in test/lab */
function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (path.basename(dir) === 'out') return path.dirname(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(__dirname, '..', '..');
}

function run(args: string[], env?: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`openssl ${args[0]} failed: ${stderr.trim() || err.message}`));
        return;
      }
      resolve(stdout);
    });
  });
}

/** UTCTime YYMMDDHHMMSSZ as `openssl ca -startdate/-enddate` expect */
function asn1Time(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

type KeyType = 'ec' | 'rsa2048' | 'rsa1024';

class Generator {
  private seq = 0;
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  async key(name: string, type: KeyType): Promise<string> {
    const out = this.file(`${name}.key`);
    const args =
      type === 'ec'
        ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]
        : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${type === 'rsa2048' ? 2048 : 1024}`, '-out', out];
    await run(args);
    return out;
  }

  /** self-signed certificate (root CA or self-signed leaf) */
  async selfSigned(name: string, keyPath: string, cn: string, exts: string[]): Promise<string> {
    const out = this.file(`${name}.crt`);
    const args = ['req', '-new', '-x509', '-key', keyPath, '-subj', `/CN=${cn}`, '-days', '3650', '-sha256', '-out', out];
    for (const e of exts) args.push('-addext', e);
    await run(args);
    return out;
  }

  /**
   * Issue a certificate with `openssl ca` and its own throw-away database, which allows arbitrary
   * validity dates (OpenSSL 3.0 `x509`/`req` have no -not_before).
   */
  async issue(opts: {
    name: string;
    keyPath: string;
    cn: string;
    caCert: string;
    caKey: string;
    ext: string;
    notBefore: Date;
    notAfter: Date;
    md?: string;
  }): Promise<string> {
    const id = `${opts.name}-${++this.seq}`;
    const caDir = this.file(`.ca-${id}`);
    await fs.mkdir(caDir, { recursive: true });
    const csr = path.join(caDir, 'req.csr');
    await run(['req', '-new', '-key', opts.keyPath, '-subj', `/CN=${opts.cn}`, '-out', csr]);
    const serialBytes = randomBytes(16);
    serialBytes[0] = (serialBytes[0] & 0x7f) | 0x10; // positive, 16 significant bytes
    const serial = serialBytes.toString('hex');
    await fs.writeFile(path.join(caDir, 'index.txt'), '');
    await fs.writeFile(path.join(caDir, 'serial'), `${serial}\n`);
    const config = [
      '[ ca ]',
      'default_ca = lab',
      '[ lab ]',
      `dir = ${caDir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'serial = $dir/serial',
      `default_md = ${opts.md ?? 'sha256'}`,
      'policy = pol',
      'unique_subject = no',
      'copy_extensions = none',
      'email_in_dn = no',
      '[ pol ]',
      'commonName = supplied',
      '[ ext ]',
      opts.ext,
      '',
    ].join('\n');
    const cfg = path.join(caDir, 'ca.cnf');
    await fs.writeFile(cfg, config);
    const out = this.file(`${opts.name}.crt`);
    await run([
      'ca',
      '-batch',
      '-notext',
      '-config',
      cfg,
      '-extensions',
      'ext',
      '-cert',
      opts.caCert,
      '-keyfile',
      opts.caKey,
      '-in',
      csr,
      '-out',
      out,
      '-startdate',
      asn1Time(opts.notBefore),
      '-enddate',
      asn1Time(opts.notAfter),
      '-md',
      opts.md ?? 'sha256',
    ]);
    await fs.rm(caDir, { recursive: true, force: true });
    return out;
  }

  async write(name: string, content: string | Buffer): Promise<string> {
    const out = this.file(name);
    await fs.writeFile(out, content);
    return out;
  }
}

const read = (p: string): Promise<string> => fs.readFile(p, 'utf8');

async function caEntry(certPath: string, keyPath: string): Promise<CaEntry> {
  return { certPath, keyPath, cert: await read(certPath), key: await read(keyPath) };
}

async function pemFile(g: Generator, name: string, parts: string[]): Promise<PemFile> {
  const text = parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  return { certPath: await g.write(name, text), cert: text };
}

const INTERMEDIATE_EXT = [
  'basicConstraints = critical, CA:TRUE, pathlen:0',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
].join('\n');
function leafExt(eku: string, san: string | undefined, extra = ''): string {
  return [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    `extendedKeyUsage = ${eku}`,
    san ? `subjectAltName = ${san}` : '',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    extra,
  ]
    .filter((l) => l !== '')
    .join('\n');
}
const SAN_LOCAL = 'DNS:localhost, IP:127.0.0.1';

async function generate(): Promise<LabCerts> {
  const base = path.join(repoRoot(), '.lab');
  await fs.mkdir(base, { recursive: true });
  await pruneOld(base);
  const dir = path.join(base, `${process.pid}-${Date.now()}`);
  await fs.mkdir(dir, { recursive: true });
  const g = new Generator(dir);
  const passphrase = `lab-pass-${randomBytes(6).toString('hex')}`;
  const pfxPassword = `lab-pfx-${randomBytes(6).toString('hex')}`;
  const now = Date.now();
  const past = new Date(now - DAY_MS);
  const longValid = new Date(now + 825 * DAY_MS);

  // keys, all in parallel
  const keyNames: Array<[string, KeyType]> = [
    ['root', 'ec'],
    ['intermediate', 'ec'],
    ['other-root', 'ec'],
    ['server', 'rsa2048'],
    ['client', 'rsa2048'],
    ['rsa1024-server', 'rsa1024'],
    ['expired-server', 'ec'],
    ['not-yet-valid-server', 'ec'],
    ['expiring-soon-server', 'ec'],
    ['wrong-host-server', 'ec'],
    ['no-san-server', 'ec'],
    ['self-signed-server', 'ec'],
    ['unknown-ca-server', 'ec'],
    ['wrong-eku-server', 'ec'],
    ['sha1-server', 'ec'],
    ['other-client', 'ec'],
    ['wrong-eku-client', 'ec'],
    ['mismatched', 'rsa2048'],
  ];
  const keyPaths = new Map<string, string>();
  await Promise.all(keyNames.map(async ([n, t]) => keyPaths.set(n, await g.key(n, t))));
  const k = (n: string): string => {
    const p = keyPaths.get(n);
    if (!p) throw new Error(`lab: no key ${n}`);
    return p;
  };

  const [rootCrt, otherRootCrt, selfSignedCrt] = await Promise.all([
    g.selfSigned('root', k('root'), 'Lab Root CA', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']),
    g.selfSigned('other-root', k('other-root'), 'Other Root CA', [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    g.selfSigned('self-signed-server', k('self-signed-server'), 'localhost', [
      'basicConstraints=critical,CA:FALSE',
      'extendedKeyUsage=serverAuth,clientAuth',
      `subjectAltName=${SAN_LOCAL}`,
    ]),
  ]);
  const intermediateCrt = await g.issue({
    name: 'intermediate',
    keyPath: k('intermediate'),
    cn: 'Lab Intermediate CA',
    caCert: rootCrt,
    caKey: k('root'),
    ext: INTERMEDIATE_EXT,
    notBefore: past,
    notAfter: new Date(now + 3650 * DAY_MS),
  });

  const inter = { caCert: intermediateCrt, caKey: k('intermediate') };
  const other = { caCert: otherRootCrt, caKey: k('other-root') };
  const valid = { notBefore: past, notAfter: longValid };
  const SERVER_EKU = 'serverAuth, clientAuth';
  const [
    serverCrt,
    clientCrt,
    rsa1024Crt,
    expiredCrt,
    notYetCrt,
    soonCrt,
    wrongHostCrt,
    noSanCrt,
    unknownCaCrt,
    wrongEkuServerCrt,
    sha1Crt,
    otherClientCrt,
    wrongEkuClientCrt,
  ] = await Promise.all([
    g.issue({ name: 'server', keyPath: k('server'), cn: 'localhost', ...inter, ...valid, ext: leafExt(SERVER_EKU, SAN_LOCAL) }),
    g.issue({ name: 'client', keyPath: k('client'), cn: 'lab-client', ...inter, ...valid, ext: leafExt('clientAuth', undefined) }),
    g.issue({
      name: 'rsa1024-server',
      keyPath: k('rsa1024-server'),
      cn: 'localhost',
      ...inter,
      ...valid,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
    }),
    g.issue({
      name: 'expired-server',
      keyPath: k('expired-server'),
      cn: 'localhost',
      ...inter,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
      notBefore: new Date(now - 60 * DAY_MS),
      notAfter: new Date(now - DAY_MS),
    }),
    g.issue({
      name: 'not-yet-valid-server',
      keyPath: k('not-yet-valid-server'),
      cn: 'localhost',
      ...inter,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
      notBefore: new Date(now + DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
    }),
    g.issue({
      name: 'expiring-soon-server',
      keyPath: k('expiring-soon-server'),
      cn: 'localhost',
      ...inter,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
      notBefore: new Date(now - 30 * DAY_MS),
      notAfter: new Date(now + 5 * DAY_MS),
    }),
    g.issue({
      name: 'wrong-host-server',
      keyPath: k('wrong-host-server'),
      cn: 'wrong.example',
      ...inter,
      ...valid,
      ext: leafExt(SERVER_EKU, 'DNS:wrong.example'),
    }),
    g.issue({
      name: 'no-san-server',
      keyPath: k('no-san-server'),
      cn: 'localhost',
      ...inter,
      ...valid,
      ext: leafExt(SERVER_EKU, undefined),
    }),
    g.issue({
      name: 'unknown-ca-server',
      keyPath: k('unknown-ca-server'),
      cn: 'localhost',
      ...other,
      ...valid,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
    }),
    g.issue({
      name: 'wrong-eku-server',
      keyPath: k('wrong-eku-server'),
      cn: 'localhost',
      ...inter,
      ...valid,
      ext: leafExt('clientAuth', SAN_LOCAL),
    }),
    g.issue({
      name: 'sha1-server',
      keyPath: k('sha1-server'),
      cn: 'localhost',
      ...inter,
      ...valid,
      ext: leafExt(SERVER_EKU, SAN_LOCAL),
      md: 'sha1',
    }),
    g.issue({
      name: 'other-client',
      keyPath: k('other-client'),
      cn: 'other-client',
      ...other,
      ...valid,
      ext: leafExt('clientAuth', undefined),
    }),
    g.issue({
      name: 'wrong-eku-client',
      keyPath: k('wrong-eku-client'),
      cn: 'lab-client-serverauth',
      ...inter,
      ...valid,
      ext: leafExt('serverAuth', undefined),
    }),
  ]);

  const env = { LAB_PASS: passphrase, LAB_PFX_PASS: pfxPassword };
  const clientKeyPkcs8Enc = g.file('client.pkcs8-enc.key');
  const clientKeyPkcs1Enc = g.file('client.pkcs1-enc.key');
  const pfxPath = g.file('client.p12');
  const pfxLegacyPath = g.file('client.legacy.p12');
  await Promise.all([
    run(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', k('client'), '-out', clientKeyPkcs8Enc, '-passout', 'env:LAB_PASS'], env),
    run(['rsa', '-in', k('client'), '-aes256', '-traditional', '-out', clientKeyPkcs1Enc, '-passout', 'env:LAB_PASS'], env),
    run(
      [
        'pkcs12',
        '-export',
        '-inkey',
        k('client'),
        '-in',
        clientCrt,
        '-certfile',
        intermediateCrt,
        '-name',
        'lab-client',
        '-out',
        pfxPath,
        '-passout',
        'env:LAB_PFX_PASS',
      ],
      env,
    ),
    run(
      [
        'pkcs12',
        '-export',
        '-legacy',
        '-inkey',
        k('client'),
        '-in',
        clientCrt,
        '-certfile',
        intermediateCrt,
        '-name',
        'lab-client',
        '-out',
        pfxLegacyPath,
        '-passout',
        'env:LAB_PFX_PASS',
      ],
      env,
    ),
  ]);

  const rootCa = await caEntry(rootCrt, k('root'));
  const intermediateCa = await caEntry(intermediateCrt, k('intermediate'));
  const otherRoot = await caEntry(otherRootCrt, k('other-root'));

  async function leaf(name: string, certPath: string, keyPath: string, issuers: string[]): Promise<LeafEntry> {
    const cert = await read(certPath);
    const key = await read(keyPath);
    const chainText = [cert, ...issuers].map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
    const chainPath = issuers.length === 0 ? certPath : await g.write(`${name}.chain.pem`, chainText);
    return { certPath, keyPath, cert, key, chainPath, chain: chainText };
  }
  const I = [intermediateCa.cert];

  const [
    server,
    serverLeafOnly,
    expiredServer,
    notYetValidServer,
    expiringSoonServer,
    wrongHostServer,
    noSanServer,
    selfSignedServer,
    unknownCaLeaf,
    serverWrongEku,
    sha1Server,
    rsa1024Server,
    client,
    otherClient,
    clientWrongEku,
    clientEncrypted,
    clientEncryptedPkcs1,
    clientMismatchedKey,
  ] = await Promise.all([
    leaf('server', serverCrt, k('server'), I),
    leaf('server-leaf-only', serverCrt, k('server'), []),
    leaf('expired-server', expiredCrt, k('expired-server'), I),
    leaf('not-yet-valid-server', notYetCrt, k('not-yet-valid-server'), I),
    leaf('expiring-soon-server', soonCrt, k('expiring-soon-server'), I),
    leaf('wrong-host-server', wrongHostCrt, k('wrong-host-server'), I),
    leaf('no-san-server', noSanCrt, k('no-san-server'), I),
    leaf('self-signed-server', selfSignedCrt, k('self-signed-server'), []),
    leaf('unknown-ca-server', unknownCaCrt, k('unknown-ca-server'), []),
    leaf('wrong-eku-server', wrongEkuServerCrt, k('wrong-eku-server'), I),
    leaf('sha1-server', sha1Crt, k('sha1-server'), I),
    leaf('rsa1024-server', rsa1024Crt, k('rsa1024-server'), I),
    leaf('client', clientCrt, k('client'), I),
    leaf('other-client', otherClientCrt, k('other-client'), []),
    leaf('wrong-eku-client', wrongEkuClientCrt, k('wrong-eku-client'), I),
    leaf('client-encrypted', clientCrt, clientKeyPkcs8Enc, I),
    leaf('client-encrypted-pkcs1', clientCrt, clientKeyPkcs1Enc, I),
    leaf('client-mismatched', clientCrt, k('mismatched'), I),
  ]);
  const withRoot = [unknownCaLeaf.cert, otherRoot.cert].map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  const unknownCaServer: UnknownCaLeafEntry = {
    ...unknownCaLeaf,
    chainWithRootPath: await g.write('unknown-ca-server.with-root.pem', withRoot),
    chainWithRoot: withRoot,
  };

  return {
    dir,
    passphrase,
    pfxPassword,
    rootCa,
    intermediateCa,
    otherRoot,
    caBundle: await pemFile(g, 'ca-bundle.pem', [intermediateCa.cert, rootCa.cert]),
    rootOnly: await pemFile(g, 'root-only.pem', [rootCa.cert]),
    intermediateOnly: await pemFile(g, 'intermediate-only.pem', [intermediateCa.cert]),
    multiCaBundle: await pemFile(g, 'multi-ca-bundle.pem', [rootCa.cert, otherRoot.cert]),
    server,
    serverLeafOnly,
    expiredServer,
    notYetValidServer,
    expiringSoonServer,
    wrongHostServer,
    noSanServer,
    selfSignedServer,
    unknownCaServer,
    serverWrongEku,
    sha1Server,
    rsa1024Server,
    client,
    otherClient,
    clientWrongEku,
    clientEncrypted,
    clientEncryptedPkcs1,
    clientMismatchedKey,
    clientPfx: { pfxPath, pfx: await fs.readFile(pfxPath), password: pfxPassword },
    clientPfxLegacy: { pfxPath: pfxLegacyPath, pfx: await fs.readFile(pfxLegacyPath), password: pfxPassword },
  };
}

/** best effort: remove lab run directories older than a day */
async function pruneOld(base: string): Promise<void> {
  try {
    const entries = await fs.readdir(base, { withFileTypes: true });
    const limit = Date.now() - DAY_MS;
    await Promise.all(
      entries
        .filter((e) => e.isDirectory())
        .map(async (e) => {
          const p = path.join(base, e.name);
          const st = await fs.stat(p);
          if (st.mtimeMs < limit) await fs.rm(p, { recursive: true, force: true });
        }),
    );
  } catch {
    // pruning is optional
  }
}

let labPromise: Promise<LabCerts> | undefined;

/** The lab certificate set, generated once per process. */
export function getLab(): Promise<LabCerts> {
  if (!labPromise) {
    labPromise = generate();
    labPromise.catch(() => {
      labPromise = undefined;
    });
  }
  return labPromise;
}

export interface NodeCertOptions {
  /** file name stem, unique within the lab directory */
  name: string;
  cn: string;
  /** subjectAltName value, e.g. 'DNS:node-1.cluster.lab' (no IP: the cluster tests need certs that do not name the announced IP) */
  san: string;
  /** 'otherRoot': signed directly by the unrelated "Other Root CA" (chain = the leaf alone): a client trusting the lab root rejects it */
  issuer?: 'intermediate' | 'otherRoot';
}

/**
 * A server certificate for a cluster or Sentinel node, signed by the lab intermediate (or otherRoot), with EKU
 * serverAuth + clientAuth (nodes are TLS clients of each other on the cluster bus and for replication).
 * `chainPath` = leaf + intermediate.
 */
export async function issueNodeCert(opts: NodeCertOptions): Promise<LeafEntry> {
  const lab = await getLab();
  const g = new Generator(lab.dir);
  const keyPath = await g.key(opts.name, 'ec');
  const now = Date.now();
  const certPath = await g.issue({
    name: opts.name,
    keyPath,
    cn: opts.cn,
    caCert: opts.issuer === 'otherRoot' ? lab.otherRoot.certPath : lab.intermediateCa.certPath,
    caKey: opts.issuer === 'otherRoot' ? lab.otherRoot.keyPath : lab.intermediateCa.keyPath,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    ext: leafExt('serverAuth, clientAuth', opts.san),
  });
  const cert = await read(certPath);
  const chain = (opts.issuer === 'otherRoot' ? [cert] : [cert, lab.intermediateCa.cert])
    .map((p) => (p.endsWith('\n') ? p : `${p}\n`))
    .join('');
  return { certPath, keyPath, cert, key: await read(keyPath), chainPath: await g.write(`${opts.name}.chain.pem`, chain), chain };
}
