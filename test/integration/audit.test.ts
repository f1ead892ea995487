import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants } from 'node:crypto';
import * as path from 'node:path';
import { auditEndpoint, type AuditResult } from '../../src/core/audit';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { getLab, type LabCerts } from '../lab/certs';
import { startPostureServer } from '../lab/posture';
import { startRedis, startTlsPeer, type RedisServer } from '../lab/servers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const codes = (r: AuditResult): string[] => r.findings.map((f) => f.code);

describe('audit: TLS posture of lab redis-servers', function () {
  this.timeout(60000);
  let lab: LabCerts;
  const servers: Record<string, RedisServer & { plaintextPort?: number }> = {};
  const target = (srv: RedisServer, extra: Partial<ConnectionOptions['tls']> = {}): ConnectionOptions => ({
    host: '127.0.0.1',
    port: srv.port,
    tls: { enabled: true, servername: 'localhost', ca: [lab.rootCa.cert], ...extra },
  });
  // Never look at the machine's own 6379: every audit here names its plaintext port or none.
  const audit = (
    srv: RedisServer,
    extra: Partial<ConnectionOptions['tls']> = {},
    plaintextPort: number | null = null,
  ): Promise<AuditResult> => auditEndpoint({ connection: target(srv, extra), plaintextPort, pingSamples: 20, resumptionRounds: 3 });

  before(async function () {
    this.timeout(120000);
    lab = await getLab();
    const [tls, tls12, tls13, mtls, optional, tls11, noCache, leafOnly, plainToo] = await Promise.all([
      startRedis({ kind: 'tls' }),
      startRedis({ kind: 'tls12' }),
      startRedis({ kind: 'tls13' }),
      startRedis({ kind: 'mtls' }),
      startRedis({ kind: 'mtls-optional' }),
      startPostureServer('tls11'),
      startPostureServer('no-cache'),
      startPostureServer('leaf-only'),
      startPostureServer('plain-too'),
    ]);
    Object.assign(servers, { tls, tls12, tls13, mtls, optional, tls11, noCache, leafOnly, plainToo });
  });
  after(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  it('TLS 1.2-only: each protocol probed on its own; the TLS 1.2 suites enumerated, weak ones flagged; no 1.3 suite', async () => {
    const r = await audit(servers.tls12);
    assert.deepEqual(r.protocols, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': true, 'TLSv1.3': false });
    assert.ok(r.ciphers.enumerated && r.ciphers['TLSv1.2'].length > 0);
    assert.ok(r.ciphers['TLSv1.2'].some((c) => c.name === 'ECDHE-RSA-AES256-GCM-SHA384' && !c.weak));
    assert.ok(
      r.ciphers['TLSv1.2'].some((c) => c.name === 'AES128-SHA' && c.weak),
      'Debian redis-server accepts static-RSA CBC suites by default',
    );
    assert.equal(r.ciphers['TLSv1.3'], null);
    assert.ok(codes(r).includes('NO_TLS13') && codes(r).includes('WEAK_CIPHER'));
  });

  it('TLS 1.3-only: only TLSv1.3, with the suite the server chose', async () => {
    const r = await audit(servers.tls13);
    assert.deepEqual(r.protocols, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
    assert.match(r.ciphers['TLSv1.3'] ?? '', /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
    assert.deepEqual(r.ciphers['TLSv1.2'], []);
    assert.ok(
      !codes(r).some((c) => ['OLD_PROTOCOL', 'CHAIN_INCOMPLETE', 'CHAIN_UNTRUSTED', 'HOSTNAME_MISMATCH'].includes(c)),
      codes(r).join(),
    );
  });

  it('a server that also allows TLSv1.1 (Debian OpenSSL 3 with @SECLEVEL=0) is an error finding', async () => {
    const r = await audit(servers.tls11);
    assert.equal(r.protocols['TLSv1.1'], true);
    assert.equal(r.protocols['TLSv1'], false);
    const f = r.findings.find((x) => x.code === 'OLD_PROTOCOL');
    assert.equal(f?.severity, 'error');
    assert.match(f?.title ?? '', /TLSv1\.1/);
  });

  it('client certificates: tls-auth-clients yes -> required, optional -> optional, no -> none', async () => {
    const [required, optional, none] = await Promise.all([audit(servers.mtls), audit(servers.optional), audit(servers.tls)]);
    assert.equal(required.clientCert, 'required');
    assert.equal(optional.clientCert, 'optional');
    assert.equal(none.clientCert, 'none');
    assert.ok(codes(none).includes('CLIENT_CERT_NONE'));
    // With the lab client's identity every probe of the mTLS server goes through.
    const withCert = await audit(servers.mtls, { cert: lab.client.chain, key: lab.client.key });
    assert.equal(withCert.clientCert, 'required');
    assert.equal(withCert.protocols['TLSv1.2'], true);
    assert.ok(withCert.ciphers['TLSv1.2'].length > 0);
    assert.notEqual(withCert.cost.pingTlsMs, null);
  });

  it('session resumption: fresh and resumed times; a server without tickets or cache is NO_RESUMPTION', async () => {
    const on = await audit(servers.tls);
    assert.equal(on.resumption.supported, true);
    assert.ok((on.resumption.freshMs ?? 0) > 0 && (on.resumption.resumedMs ?? 0) > 0);
    // Measured: redis-server 7.0 with tls-session-caching no only turns off OpenSSL's session cache;
    // stateless session tickets still resume (TLS 1.2 and 1.3). The audit reports what it sees.
    const noCache = await audit(servers.noCache);
    assert.equal(noCache.resumption.supported, true, JSON.stringify(noCache.resumption));
    // A server with neither a session cache nor tickets (Node's, with SSL_OP_NO_TICKET) cannot resume.
    const peer = await startTlsPeer({ secureOptions: constants.SSL_OP_NO_TICKET });
    try {
      const off = await auditEndpoint({
        connection: { host: '127.0.0.1', port: peer.port, tls: { enabled: true, servername: 'localhost', ca: [lab.rootCa.cert] } },
        plaintextPort: null,
        pingSamples: 5,
        resumptionRounds: 3,
      });
      assert.equal(off.resumption.supported, false, JSON.stringify(off.resumption));
      assert.equal(off.resumption.resumedMs, null);
      assert.ok((off.resumption.freshMs ?? 0) > 0);
      assert.ok(codes(off).includes('NO_RESUMPTION'));
    } finally {
      await peer.stop();
    }
  });

  it('the chain: complete and trusted with host-name match; a server without its intermediate is CHAIN_INCOMPLETE', async () => {
    const good = await audit(servers.tls);
    assert.equal(good.chain?.complete, true);
    assert.equal(good.chain?.trusted, true);
    assert.equal(good.chain?.hostname?.match, true);
    assert.equal(good.chain?.leaf?.keyBits, 2048);
    assert.match(good.chain?.leaf?.signatureAlgorithm ?? '', /SHA-256/);
    const leafOnly = await audit(servers.leafOnly);
    assert.equal(leafOnly.chain?.complete, false);
    assert.equal(leafOnly.findings.find((f) => f.code === 'CHAIN_INCOMPLETE')?.severity, 'error');
    const wrongName = await audit(servers.tls, { servername: 'other.example' });
    assert.equal(wrongName.chain?.hostname?.match, false);
    assert.ok(codes(wrongName).includes('HOSTNAME_MISMATCH'));
  });

  it('plaintext next to TLS: the port answers Redis in clear text, and PING is timed over both', async () => {
    const srv = servers.plainToo;
    const r = await audit(srv, {}, srv.plaintextPort as number);
    assert.deepEqual(r.plaintextPort, { port: srv.plaintextPort, open: true });
    assert.ok(codes(r).includes('PLAINTEXT_OPEN'));
    assert.ok((r.cost.pingTlsMs ?? 0) > 0 && (r.cost.pingPlaintextMs ?? 0) > 0);
    const closed = await audit(servers.tls, {}, servers.tls12.port);
    // A TLS port is not a plaintext Redis.
    assert.equal(closed.plaintextPort?.open, false);
  });

  it('redis-tls audit --json: the shape of the issue; exit 0 without error findings, 1 with, 2 on usage errors', async () => {
    const ok = await cli([
      'audit',
      '-h',
      '127.0.0.1',
      '-p',
      String(servers.tls13.port),
      '--tls',
      '--cacert',
      lab.rootCa.certPath,
      '--sni',
      'localhost',
      '--plaintext-port',
      'none',
      '--samples',
      '10',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const j = JSON.parse(ok.stdout) as Record<string, unknown>;
    for (const key of ['protocols', 'ciphers', 'clientCert', 'resumption', 'chain', 'plaintextPort', 'findings']) assert.ok(key in j, key);
    assert.deepEqual(Object.keys(j.protocols as object), ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
    assert.deepEqual(Object.keys(j.resumption as object), ['supported', 'freshMs', 'resumedMs']);
    assert.equal(j.plaintextPort, null);
    for (const f of j.findings as Array<Record<string, unknown>>)
      assert.deepEqual(Object.keys(f), ['severity', 'code', 'title', 'detail', 'fix']);
    const bad = await cli([
      'audit',
      '-h',
      '127.0.0.1',
      '-p',
      String(servers.tls11.port),
      '--cacert',
      lab.rootCa.certPath,
      '--sni',
      'localhost',
      '--plaintext-port',
      'none',
      '--samples',
      '5',
    ]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /ERROR OLD_PROTOCOL: TLSv1\.1 accepted/);
    // The same endpoint as JSON: findings in the shape, the error among them, exit 1.
    const badJson = await cli([
      'audit',
      '-h',
      '127.0.0.1',
      '-p',
      String(servers.tls11.port),
      '--cacert',
      lab.rootCa.certPath,
      '--sni',
      'localhost',
      '--plaintext-port',
      'none',
      '--samples',
      '5',
      '--json',
    ]);
    assert.equal(badJson.code, 1, badJson.stderr);
    const b = JSON.parse(badJson.stdout) as { clientCert: string; findings: Array<Record<string, unknown>> };
    assert.ok(['required', 'optional', 'none'].includes(b.clientCert));
    assert.ok(b.findings.some((f) => f.severity === 'error' && f.code === 'OLD_PROTOCOL'));
    for (const f of b.findings) {
      assert.deepEqual(Object.keys(f), ['severity', 'code', 'title', 'detail', 'fix']);
      assert.ok(['error', 'warning', 'info'].includes(f.severity as string));
      assert.ok(f.fix === null || typeof f.fix === 'string');
    }
    assert.equal((await cli(['audit', '--plaintext-port', 'x'])).code, 2);
    assert.equal((await cli(['audit', '--bogus'])).code, 2);
  });
});
