import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import { TlsCache } from '../../src/core/tls/context';
import { runCli, type CliRun } from './cliRun';

const ROOT = path.resolve(__dirname, '../../..');

type Run = CliRun;
const cli = runCli;

function json(r: Run): Record<string, unknown> & {
  ok: boolean;
  problem: { code: string; title: string; detail: string; fix: string } | null;
  tls: { authorized: boolean; protocol: string; cipher: string; sessionReused: boolean } | null;
  chain: Array<Record<string, unknown>>;
  server: Record<string, string> | null;
  timings: Record<string, number> | null;
} {
  return JSON.parse(r.stdout.toString()) as ReturnType<typeof json>;
}

describe('redis-tls CLI (dist/cli.js against lab servers)', function () {
  this.timeout(30000);
  let lab: LabCerts;
  let tlsSrv: RedisServer;
  let acl: RedisServer;
  let mtls: RedisServer;
  let wrong: RedisServer;

  before(async function () {
    this.timeout(60000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    lab = await getLab();
    [tlsSrv, acl, mtls, wrong] = await Promise.all([
      startRedis({ kind: 'tls' }),
      startRedis({ kind: 'acl' }),
      startRedis({ kind: 'mtls' }),
      startRedis({ kind: 'tls', certs: lab.wrongHostServer }),
    ]);
  });
  after(async () => {
    await Promise.allSettled([tlsSrv, acl, mtls, wrong].map((s) => s?.stop()));
  });

  it('doctor --json: exit 0 with the handshake, chain, server and timings', async () => {
    const r = await cli(['doctor', '-h', 'localhost', '-p', String(tlsSrv.port), '--tls', '--cacert', lab.rootCa.certPath, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = json(r);
    assert.equal(j.ok, true);
    assert.equal(j.problem, null);
    assert.equal(j.tls?.authorized, true);
    assert.match(j.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(j.tls?.cipher);
    assert.equal(j.tls?.sessionReused, false);
    assert.equal(j.chain[0].subject, 'CN=localhost');
    for (const f of ['issuer', 'notBefore', 'notAfter', 'sha256', 'subjectAltNames']) assert.ok(f in j.chain[0], f);
    assert.match(j.server?.redisVersion ?? '', /^\d+\.\d+/);
    assert.equal(j.server?.mode, 'standalone');
    assert.equal(typeof j.timings?.tlsHandshakeMs, 'number');
  });

  it('doctor for a person prints the verdict', async () => {
    const r = await cli(['doctor', `rediss://localhost:${tlsSrv.port}`, '--cacert', lab.rootCa.certPath]);
    assert.equal(r.code, 0);
    const text = r.stdout.toString();
    assert.match(text, /verified \(chain and name "localhost"\)/);
    assert.match(text, /OK: the server answered PING/);
  });

  it('doctor --cacertdir trusts every certificate file of a directory; --sni sets the checked name', async () => {
    const r = await cli([
      'doctor',
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsSrv.port),
      '--cacertdir',
      path.dirname(lab.rootCa.certPath),
      '--sni',
      'localhost',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stdout.toString());
    assert.equal(json(r).tls?.authorized, true);
    const wrongName = await cli([
      'doctor',
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsSrv.port),
      '--cacert',
      lab.rootCa.certPath,
      '--sni',
      'not-localhost.example',
      '--json',
    ]);
    assert.equal(json(wrongName).problem?.code, 'HOSTNAME_MISMATCH');
  });

  it('doctor --insecure: exit 0 but authorized: false', async () => {
    const r = await cli(['doctor', '-h', '127.0.0.1', '-p', String(wrong.port), '--insecure', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json(r).tls?.authorized, false);
  });

  it('doctor: a diagnosed problem exits 1 with code, title, detail and fix', async () => {
    const r = await cli(['doctor', '-h', 'localhost', '-p', String(wrong.port), '--tls', '--cacert', lab.rootCa.certPath, '--json']);
    assert.equal(r.code, 1);
    const j = json(r);
    assert.equal(j.ok, false);
    assert.equal(j.problem?.code, 'HOSTNAME_MISMATCH');
    assert.match(j.problem?.detail ?? '', /wrong\.example/);
    assert.ok(j.problem?.fix);
    assert.equal(j.chain[0].subject, 'CN=wrong.example');
    const unknown = await cli(['doctor', '-h', 'localhost', '-p', String(tlsSrv.port), '--tls', '--json']);
    assert.equal(unknown.code, 1);
    assert.equal(json(unknown).problem?.code, 'UNKNOWN_ISSUER');
  });

  it('scan: a name the certificate does not carry is HOSTNAME_MISMATCH; the scan bundle finds its ASN.1 name reader next to it (dist/cli-namefacts.js)', async () => {
    const r = await cli(['scan', '-h', 'localhost', '-p', String(wrong.port), '--tls', '--cacert', lab.rootCa.certPath]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.toString(), '', 'no keys');
    assert.match(r.stderr, /HOSTNAME_MISMATCH/);
    assert.match(r.stderr, /wrong\.example/);
    // The reader is required by this relative name from dist/cli-scan.js, and reads a certificate's names.
    assert.match(readFileSync(path.join(ROOT, 'dist/cli-scan.js'), 'utf8'), /require\("\.\/cli-namefacts\.js"\)/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reader = require(path.join(ROOT, 'dist/cli-namefacts.js')) as typeof import('../../src/core/certs/nameFacts');
    const der = new X509Certificate(lab.wrongHostServer.cert).raw;
    assert.deepEqual(
      reader.nameFacts(der).sans.map((n) => n.value),
      ['wrong.example'],
    );
  });

  it('password from REDISCLI_AUTH (never printed); a wrong one is AUTH_FAILED', async () => {
    const base = [
      'doctor',
      '-h',
      'localhost',
      '-p',
      String(acl.port),
      '--tls',
      '--cacert',
      lab.rootCa.certPath,
      '--user',
      'alice',
      '--json',
    ];
    const ok = await cli(base, { REDISCLI_AUTH: 'alice-pass' });
    assert.equal(ok.code, 0, ok.stdout.toString());
    assert.ok(!ok.stdout.toString().includes('alice-pass'));
    const bad = await cli(base, { REDISCLI_AUTH: 'not-alice-pass' });
    assert.equal(bad.code, 1);
    assert.equal(json(bad).problem?.code, 'AUTH_FAILED');
    assert.ok(!bad.stdout.toString().includes('not-alice-pass') && !bad.stderr.includes('not-alice-pass'));
    const url = await cli(['doctor', `rediss://alice:alice-pass@localhost:${acl.port}`, '--cacert', lab.rootCa.certPath, '--json']);
    assert.equal(url.code, 0);
    assert.match(url.stderr, /may not be safe/);
  });

  it('key passphrase from REDIS_TLS_KEY_PASSPHRASE; without it KEY_PASSPHRASE', async () => {
    const base = [
      'doctor',
      '-h',
      'localhost',
      '-p',
      String(mtls.port),
      '--tls',
      '--cacert',
      lab.rootCa.certPath,
      '--cert',
      lab.clientEncrypted.certPath,
      '--key',
      lab.clientEncrypted.keyPath,
      '--json',
    ];
    const ok = await cli(base, { REDIS_TLS_KEY_PASSPHRASE: lab.passphrase });
    assert.equal(ok.code, 0, ok.stdout.toString());
    const missing = await cli(base);
    assert.equal(missing.code, 1);
    assert.equal(json(missing).problem?.code, 'KEY_PASSPHRASE');
    const noCert = await cli(base.filter((_a, i) => i < 8 || i > 11));
    assert.equal(json(noCert).problem?.code, 'CLIENT_CERT_REQUIRED');
  });

  it('usage errors exit 2: a password flag, an unknown option, a bad port', async () => {
    for (const args of [['doctor', '-a', 'secret'], ['doctor', '--bogus'], ['doctor', '-p', 'x'], ['frobnicate']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(!r.stderr.includes('secret') || args[1] !== '-a');
    }
  });

  it('FILE_UNREADABLE: an unreadable --cacert, --cert or --key exits 1 naming the flag, path and errno (--json too)', async () => {
    for (const [flag, file, errno] of [
      ['--cacert', '/nonexistent.pem', 'ENOENT'],
      ['--cert', '/', 'EISDIR'],
      ['--key', '/nonexistent.key', 'ENOENT'],
    ] as const) {
      const r = await cli(['scan', '-p', '1', '--tls', flag, file]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^PROBLEM FILE_UNREADABLE: .*\\n.*\\(${flag}\\) ${file} cannot be read: ${errno}`));
    }
    const j = await cli(['doctor', '--tls', '--cacert', '/nonexistent.pem', '--json']);
    assert.equal(j.code, 1);
    const p = json(j).problem!;
    assert.equal(p.code, 'FILE_UNREADABLE');
    assert.deepEqual(
      [(p as { field?: string }).field, (p as { facts?: unknown }).facts],
      ['ca', { path: '/nonexistent.pem', errno: 'ENOENT' }],
    );
  });

  it('scan streams every key once, raw bytes, with --pattern and --type', async () => {
    const conn = await RedisConnection.open(
      { host: 'localhost', port: tlsSrv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } },
      { tlsCache: new TlsCache() },
    );
    const binary = Buffer.from([0x62, 0x69, 0x6e, 0xff, 0xfe, 0x09]);
    try {
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < 5000; i++) sends.push(conn.send(['SET', `user:${i}`, 'x']));
      sends.push(conn.send(['SET', binary, 'x']), conn.send(['LPUSH', 'list:1', 'a']));
      await Promise.all(sends);
    } finally {
      await conn.close();
    }
    const conn2 = ['-h', 'localhost', '-p', String(tlsSrv.port), '--tls', '--cacert', lab.rootCa.certPath];
    const all = await cli(['scan', ...conn2]);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout
      .subarray(0, all.stdout.length - 1)
      .toString('latin1')
      .split('\n');
    assert.ok(lines.length >= 5002);
    assert.equal(new Set(lines).size, lines.length, 'each key once');
    assert.ok(all.stdout.includes(Buffer.concat([binary, Buffer.from('\n')])), 'binary key written raw');
    const users = await cli(['scan', ...conn2, '--pattern', 'user:*', '--count', '700']);
    assert.equal(users.stdout.toString().split('\n').filter(Boolean).length, 5000);
    const lists = await cli(['scan', ...conn2, '--type', 'list']);
    assert.equal(lists.stdout.toString(), 'list:1\n');
    const bad = await cli(['scan', '-h', 'localhost', '-p', String(tlsSrv.port), '--tls']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /UNKNOWN_ISSUER/);
  });

  it('scan writes several MiB exactly: the output buffers it reuses hold no stale keys', async () => {
    const srv = await startRedis({ kind: 'tls', extraArgs: ['--enable-debug-command', 'yes'] });
    try {
      const conn = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
      try {
        // 300,000 keys of 24 to 29 bytes: about 8 MiB of output, so every 1 MiB buffer is used again.
        await conn.send(['DEBUG', 'POPULATE', 300_000, 'reuse:a-longer-key-name'], { timeoutMs: 60_000 });
      } finally {
        await conn.close();
      }
      const r = await cli(['scan', '-h', 'localhost', '-p', String(srv.port), '--tls', '--cacert', lab.rootCa.certPath]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.toString('latin1').split('\n');
      assert.equal(lines.pop(), '', 'ends with a newline');
      assert.equal(lines.length, 300_000);
      const expected = new Set(Array.from({ length: 300_000 }, (_, i) => `reuse:a-longer-key-name:${i}`));
      assert.equal(lines.filter((l) => expected.delete(l)).length, 300_000, 'each key once, whole');
      assert.equal(expected.size, 0);
    } finally {
      await srv.stop();
    }
  });
});
