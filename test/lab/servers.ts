/**
 * TLS test lab: real redis-server processes and raw Node TLS peers on free loopback ports.
 *
 *   const srv = await startRedis({ kind: 'tls' });            // srv.host '127.0.0.1', srv.port
 *   const bad = await startRedis({ kind: 'tls', certs: lab.expiredServer });
 *   await srv.stop();                                          // or stopAll() in a root after()
 *
 * Kinds (all TLS kinds listen on TLS only: `--port 0 --tls-port P`):
 *   plain   plaintext Redis, no auth
 *   tls     TLS, server = lab.server (leaf + intermediate), tls-ca-cert-file = lab.caBundle,
 *           tls-auth-clients no
 *           (with certs: lab.serverLeafOnly the default CA file is lab.rootOnly, so the intermediate
 *           is really omitted: OpenSSL completes a leaf-only chain from tls-ca-cert-file)
 *   mtls    as tls, tls-auth-clients yes (client must present a cert from the lab CA, e.g. lab.client)
 *   mtls-optional  as tls, tls-auth-clients optional
 *   tls12   as tls, tls-protocols "TLSv1.2" only
 *   tls13   as tls, tls-protocols "TLSv1.3" only
 *   acl     as tls, plus ACL users (see ACL_USERS): default user needs password `lab-default-pass`
 *           (srv.password), alice/alice-pass full access, reader/reader-pass read-only
 *   acl-plain  plaintext with the same ACL users
 *
 * Options override: certs (any lab leaf entry: its chainPath is served), serverCert/serverKey
 * (explicit paths win over certs), caFile, authClients, protocols, password (requirepass for the
 * default user), keyPassphrase (tls-key-file-pass), extraArgs (appended verbatim).
 *
 * For things Redis cannot do (serve a cert Debian's OpenSSL refuses, custom replies), use
 * startTlsPeer(): a raw Node tls.Server with a caller-supplied onSecureSocket handler.
 *
 * Every process/peer started here is tracked; stopAll() stops them, and they are killed on
 * process exit / SIGINT / SIGTERM. redis-server runs under `setpriv --pdeathsig SIGKILL` when
 * available, so it also dies if the test process is killed hard.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { getLab } from './certs';

export type RedisKind = 'plain' | 'tls' | 'mtls' | 'mtls-optional' | 'tls12' | 'tls13' | 'acl' | 'acl-plain';

export interface ServerCertFiles {
  certPath: string;
  keyPath: string;
  /** when present it is what the server sends (leaf + intermediates) */
  chainPath?: string;
}

export interface StartRedisOptions {
  kind: RedisKind;
  /** lab entry whose chainPath (else certPath) and keyPath the server uses */
  certs?: ServerCertFiles;
  /** explicit tls-cert-file (wins over certs) */
  serverCert?: string;
  /** explicit tls-key-file (wins over certs) */
  serverKey?: string;
  /** tls-ca-cert-file (default lab.caBundle); use lab.rootOnly to make the server omit its intermediate */
  caFile?: string;
  authClients?: 'no' | 'yes' | 'optional';
  /** tls-protocols, e.g. 'TLSv1.2' or 'TLSv1.2 TLSv1.3' */
  protocols?: string;
  /** requirepass for the default user (kinds acl/acl-plain already set lab-default-pass) */
  password?: string;
  /** tls-key-file-pass for an encrypted server key */
  keyPassphrase?: string;
  extraArgs?: string[];
  /** a config file given first on the command line (Sentinel needs one it can rewrite) */
  configFile?: string;
  /** the log line that means ready (default /Ready to accept connections/; Sentinel never prints it) */
  readyPattern?: RegExp;
  /** ms to wait for readiness (default 10000) */
  readyTimeoutMs?: number;
  /** listen on this port (a restart on the same port); default: a free one */
  port?: number;
}

export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  kind: RedisKind;
  tls: boolean;
  /** password of the default user, when one is required */
  password?: string;
  pid: number;
  /** everything redis-server printed so far (its log goes to stdout) */
  log(): string;
  stop(): Promise<void>;
}

export interface AclUser {
  user: string;
  password: string;
  rules: string;
}

export const DEFAULT_USER_PASSWORD = 'lab-default-pass';

/** users created for kinds acl and acl-plain */
export const ACL_USERS: readonly AclUser[] = [
  { user: 'default', password: DEFAULT_USER_PASSWORD, rules: '~* &* +@all' },
  { user: 'alice', password: 'alice-pass', rules: '~* &* +@all' },
  { user: 'reader', password: 'reader-pass', rules: '~* +@read -@dangerous +ping +hello +auth' },
];

const HOST = '127.0.0.1';
const SETPRIV = '/usr/bin/setpriv';

interface Stoppable {
  stop(): Promise<void>;
  killNow(): void;
}

const running = new Set<Stoppable>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const s of running) s.killNow();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const s of running) s.killNow();
      // if nobody else (mocha, the extension host) handles the signal, restore the default action
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Stop every server and peer started by this process. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const isTlsKind = (kind: RedisKind): boolean => kind !== 'plain' && kind !== 'acl-plain';

async function buildArgs(opts: StartRedisOptions, port: number, dir: string): Promise<{ args: string[]; password?: string }> {
  const args = [
    ...(opts.configFile ? [opts.configFile] : []),
    '--bind',
    HOST,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--logfile',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'no',
    '--loglevel',
    'notice',
  ];
  let password = opts.password;
  if (isTlsKind(opts.kind)) {
    const lab = await getLab();
    const certs = opts.certs ?? lab.server;
    const cert = opts.serverCert ?? certs.chainPath ?? certs.certPath;
    const key = opts.serverKey ?? certs.keyPath;
    // OpenSSL completes a leaf-only chain from the CA file: serverLeafOnly needs a root-only CA file
    const defaultCaFile = opts.certs === lab.serverLeafOnly ? lab.rootOnly.certPath : lab.caBundle.certPath;
    const defaultAuth = opts.kind === 'mtls' ? 'yes' : opts.kind === 'mtls-optional' ? 'optional' : 'no';
    const protocols = opts.protocols ?? (opts.kind === 'tls13' ? 'TLSv1.3' : opts.kind === 'tls12' ? 'TLSv1.2' : undefined);
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      path.resolve(cert),
      '--tls-key-file',
      path.resolve(key),
      '--tls-ca-cert-file',
      path.resolve(opts.caFile ?? defaultCaFile),
      '--tls-auth-clients',
      opts.authClients ?? defaultAuth,
    );
    if (protocols) args.push('--tls-protocols', protocols);
    if (opts.keyPassphrase !== undefined) args.push('--tls-key-file-pass', opts.keyPassphrase);
  } else {
    args.push('--port', String(port));
  }
  if (opts.kind === 'acl' || opts.kind === 'acl-plain') {
    for (const u of ACL_USERS) {
      const pass = u.user === 'default' && password !== undefined ? password : u.password;
      args.push('--user', u.user, 'reset', 'on', `>${pass}`, ...u.rules.split(' '));
    }
    password = password ?? DEFAULT_USER_PASSWORD;
  } else if (password !== undefined) {
    args.push('--requirepass', password);
  }
  if (opts.extraArgs) args.push(...opts.extraArgs);
  return password === undefined ? { args } : { args, password };
}

function waitTcp(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, HOST, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

/** Start a redis-server of the given kind on a free loopback port and wait until it accepts connections. */
export async function startRedis(opts: StartRedisOptions): Promise<RedisServer> {
  let lastError: Error | undefined;
  if (opts.port !== undefined) return startOnce(opts, opts.port);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(opts, await freePort());
    } catch (e) {
      lastError = e as Error;
      if (!/Address already in use|EADDRINUSE/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error('startRedis: could not find a free port');
}

async function startOnce(opts: StartRedisOptions, port: number): Promise<RedisServer> {
  installExitHooks();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lab-redis-'));
  const { args, password } = await buildArgs(opts, port, dir);
  const useSetpriv = existsSync(SETPRIV);
  const child: ChildProcess = useSetpriv
    ? spawn(SETPRIV, ['--pdeathsig', 'SIGKILL', '--', 'redis-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const onData = (b: Buffer): void => {
    output += b.toString('utf8');
    if (output.length > 256 * 1024) output = output.slice(-128 * 1024);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const killNow = (): void => {
    if (!exited) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  let stopping: Promise<void> | undefined;
  const entry: Stoppable = {
    killNow,
    stop: () => {
      stopping ??= (async () => {
        if (!exited) {
          child.kill('SIGTERM');
          const timer = setTimeout(killNow, 3000);
          await exitPromise;
          clearTimeout(timer);
        }
        running.delete(entry);
        await fs.rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  running.add(entry);

  const timeoutMs = opts.readyTimeoutMs ?? 10000;
  const deadline = Date.now() + timeoutMs;
  try {
    // redis logs "Ready to accept connections" once every listener is up
    const ready = opts.readyPattern ?? /Ready to accept connections/;
    while (!ready.test(output)) {
      if (exited) throw new Error(`redis-server (${opts.kind}) exited during start-up:\n${output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`redis-server (${opts.kind}) not ready after ${timeoutMs} ms:\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitTcp(port);
  } catch (e) {
    await entry.stop();
    throw e;
  }

  const server: RedisServer = {
    host: HOST,
    port,
    kind: opts.kind,
    tls: isTlsKind(opts.kind),
    pid: child.pid ?? -1,
    log: () => output,
    stop: () => entry.stop(),
  };
  if (password !== undefined) server.password = password;
  return server;
}

export interface TlsPeerOptions extends tls.TlsOptions {
  /** called for every secure connection; default: a tiny RESP responder (PING -> +PONG, else +OK) */
  onSecureSocket?: (socket: tls.TLSSocket) => void;
  /** fixed port (default: a free one) */
  port?: number;
}

export interface TlsPeer {
  host: '127.0.0.1';
  port: number;
  server: tls.Server;
  /** errors the server side saw (tlsClientError), newest last */
  clientErrors: Error[];
  stop(): Promise<void>;
}

function defaultResponder(socket: tls.TLSSocket): void {
  socket.on('data', (chunk: Buffer) => {
    // one reply per command; good enough for PING / simple probes (not a full RESP parser)
    const text = chunk.toString('latin1');
    const commands = text.startsWith('*') ? text.split(/\r\n(?=\*)/) : text.split(/\r?\n/).filter((l) => l.trim() !== '');
    for (const c of commands) socket.write(/ping/i.test(c) ? '+PONG\r\n' : '+OK\r\n');
  });
  socket.on('error', () => {
    /* client went away */
  });
}

/**
 * Raw Node TLS server on 127.0.0.1 for conditions redis-server cannot produce. Pass cert/key/ca
 * etc. like tls.createServer (defaults: lab.server chain/key, ciphers 'DEFAULT:@SECLEVEL=0' so
 * lab.sha1Server / lab.rsa1024Server can be served).
 */
export async function startTlsPeer(opts: TlsPeerOptions = {}): Promise<TlsPeer> {
  installExitHooks();
  const { onSecureSocket, port: fixedPort, ...tlsOpts } = opts;
  if (tlsOpts.cert === undefined && tlsOpts.key === undefined && tlsOpts.pfx === undefined) {
    const lab = await getLab();
    tlsOpts.cert = lab.server.chain;
    tlsOpts.key = lab.server.key;
  }
  // security level 0 so the peer can serve what Debian's OpenSSL refuses (SHA-1, RSA-1024);
  // this only affects the peer, the client under test keeps its own defaults
  tlsOpts.ciphers ??= 'DEFAULT:@SECLEVEL=0';
  const sockets = new Set<tls.TLSSocket>();
  const clientErrors: Error[] = [];
  const server = tls.createServer(tlsOpts, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    (onSecureSocket ?? defaultResponder)(socket);
  });
  server.on('tlsClientError', (err) => {
    clientErrors.push(err);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(fixedPort ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let stopping: Promise<void> | undefined;
  const entry: Stoppable = {
    killNow: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }).then(() => {
        running.delete(entry);
      });
      return stopping;
    },
  };
  running.add(entry);
  return { host: HOST, port, server, clientErrors, stop: () => entry.stop() };
}

let prereq: Promise<void> | undefined;

/** Throws Error('prerequisite missing: redis-server with TLS support') unless a TLS redis-server can run here. */
export function requireRedisTls(): Promise<void> {
  prereq ??= (async () => {
    try {
      await new Promise<void>((resolve, reject) => {
        execFile('redis-server', ['--version'], (err) => (err ? reject(err) : resolve()));
      });
      const srv = await startRedis({ kind: 'tls', readyTimeoutMs: 5000 });
      await srv.stop();
    } catch (e) {
      throw new Error('prerequisite missing: redis-server with TLS support', { cause: e });
    }
  })();
  return prereq;
}
