// Sentinel over verified TLS (lab): a primary, a replica and three sentinels, all on TLS-only ports.
// The data nodes' certificates name DNS:localhost only, while Sentinel hands out 127.0.0.1.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { DiagnosedError } from '../../src/core/diagnosis/problem';
import { TlsCache } from '../../src/core/tls/context';
import { askSentinels, SentinelDirectory, SentinelSession, type SentinelSettings } from '../../src/core/client/sentinel';
import { startSentinelLab, text, type SentinelLab } from '../lab/clusterLab';
import { getLab } from '../lab/certs';
import { runCli } from './cliRun';

async function problemOf(p: Promise<unknown>): Promise<DiagnosedError['problem'] | string> {
  try {
    await p;
  } catch (e) {
    return e instanceof DiagnosedError ? e.problem : `not diagnosed: ${String(e)}`;
  }
  return 'no error';
}

describe('sentinel over verified TLS (lab: primary, replica, three sentinels)', function () {
  this.timeout(90_000);
  let lab: SentinelLab | undefined;
  let settings: SentinelSettings;

  before(async () => {
    lab = await startSentinelLab();
    const certs = await getLab();
    const s0 = lab.sentinelOptions(0);
    settings = {
      // Only the first sentinel is configured: the others are learned from it.
      sentinels: [
        { host: '127.0.0.1', port: 1 },
        { host: s0.host, port: s0.port },
      ],
      service: lab.service,
      sentinelTls: s0.tls,
      sentinelPassword: lab.sentinelPassword,
      data: { tls: { enabled: true, ca: [certs.rootCa.cert], servername: 'localhost' }, password: lab.dataPassword },
      connectTimeoutMs: 3000,
    };
  });

  after(async () => {
    await lab?.stop();
  });

  it('asks the sentinels in order, skips one that is down, and learns the others', async () => {
    const dir = new SentinelDirectory(settings.sentinels);
    const answer = await askSentinels(settings, dir, { tlsCache: new TlsCache() });
    assert.equal(answer.sentinel.port, lab!.sentinels[0]!.port);
    assert.equal(answer.primary.port, await lab!.primaryPort());
    assert.equal(answer.primary.host, '127.0.0.1');
    assert.equal(answer.skipped.length, 1);
    assert.equal(answer.skipped[0]!.problem.code, 'CONNECTION_REFUSED');
    assert.equal(dir.sentinels[0]!.port, lab!.sentinels[0]!.port, 'the sentinel that answered moves to the front');
    assert.deepEqual(
      new Set(dir.sentinels.map((s) => s.port)),
      new Set([1, ...lab!.sentinels.map((s) => s.port)]),
      'the two other sentinels were learned',
    );
  });

  it("keeps the sentinels' credentials apart from the data nodes' (a wrong sentinel password is AUTH_FAILED, named per sentinel)", async () => {
    const p = await problemOf(
      SentinelSession.open(
        { ...settings, sentinels: [settings.sentinels[1]!], sentinelPassword: lab!.dataPassword },
        { tlsCache: new TlsCache() },
      ),
    );
    assert.equal(typeof p === 'object' && p.code, 'AUTH_FAILED', JSON.stringify(p));
  });

  it('diagnoses a primary whose certificate does not name the IP Sentinel returned, with both fixes', async () => {
    const noName = { ...settings, data: { ...settings.data, tls: { ...settings.data.tls } } };
    delete noName.data.tls.servername;
    const p = await problemOf(SentinelSession.open(noName, { tlsCache: new TlsCache() }));
    assert.ok(typeof p === 'object', String(p));
    assert.equal(p.code, 'HOSTNAME_MISMATCH');
    assert.match(
      p.detail,
      /returned the IP address 127\.0\.0\.1 for the primary of "labprimary", and its certificate does not name that IP \(it lists `localhost`\)/,
    );
    assert.match(p.fix, /verification name \(SNI\) for the data nodes.*`localhost`/);
    assert.match(p.fix, /resolve-hostnames yes.*announce-hostnames yes/);
  });

  it('browses a replica on request', async () => {
    const session = await SentinelSession.open({ ...settings, replica: true }, { tlsCache: new TlsCache() });
    try {
      assert.equal(session.answer?.role, 'replica');
      const role = await session.send(['ROLE']);
      assert.ok(Array.isArray(role));
      assert.equal(text(role[0]), 'slave');
      assert.equal(session.report?.authorized, true);
    } finally {
      await session.close();
    }
  });

  it("redis-tls doctor --sentinel: the sentinel's answer plus the primary's handshake; without a primary name, the IP diagnosis", async () => {
    const ca = (await getLab()).rootCa.certPath;
    const args = [
      'doctor',
      '-h',
      '127.0.0.1',
      '-p',
      String(lab!.sentinels[0]!.port),
      '--tls',
      '--cacert',
      ca,
      '--sni',
      'localhost',
      '--sentinel',
      lab!.service,
      '--json',
    ];
    const env = { REDIS_TLS_SENTINEL_AUTH: lab!.sentinelPassword, REDISCLI_AUTH: lab!.dataPassword };
    const ok = await runCli([...args, '--primary-sni', 'localhost'], env);
    assert.equal(ok.code, 0, ok.stdout.toString());
    const r = JSON.parse(ok.stdout.toString()) as {
      ok: boolean;
      sentinel: { address: string; service: string; primary: { host: string; port: number } };
      target: { port: number };
      tls: { authorized: boolean };
    };
    assert.deepEqual(r.sentinel, {
      address: `127.0.0.1:${lab!.sentinels[0]!.port}`,
      service: lab!.service,
      primary: { host: '127.0.0.1', port: await lab!.primaryPort() },
    });
    assert.equal(r.target.port, await lab!.primaryPort());
    assert.equal(r.tls.authorized, true);
    const noName = await runCli(args, env);
    assert.equal(noName.code, 1);
    const bad = JSON.parse(noName.stdout.toString()) as { problem: { code: string; detail: string; fix: string } };
    assert.equal(bad.problem.code, 'HOSTNAME_MISMATCH');
    assert.match(bad.problem.detail, /returned the IP address 127\.0\.0\.1/);
    assert.match(bad.problem.fix, /resolve-hostnames yes/);
    const scan = await runCli(
      [
        'scan',
        '-h',
        '127.0.0.1',
        '-p',
        String(lab!.sentinels[0]!.port),
        '--tls',
        '--cacert',
        ca,
        '--sni',
        'localhost',
        '--sentinel',
        lab!.service,
        '--primary-sni',
        'localhost',
        '--pattern',
        'cli-*',
      ],
      env,
    );
    assert.equal(scan.code, 0, scan.stderr);
  });

  it("redis-tls --sentinel: --primary-cacert and --primary-cert/--primary-key are the data nodes' TLS (not the sentinel's); scan --sentinel lists the primary's keys", async () => {
    const certs = await getLab();
    const base = [
      '-h',
      '127.0.0.1',
      '-p',
      String(lab!.sentinels[0]!.port),
      '--tls',
      '--cacert',
      certs.rootCa.certPath,
      '--sni',
      'localhost',
      '--sentinel',
      lab!.service,
      '--primary-sni',
      'localhost',
    ];
    const env = { REDIS_TLS_SENTINEL_AUTH: lab!.sentinelPassword, REDISCLI_AUTH: lab!.dataPassword };
    // A CA that did not sign the data nodes: the sentinel still answers, the primary's handshake fails.
    const otherCa = await runCli(['doctor', ...base, '--primary-cacert', certs.otherRoot.certPath, '--json'], env);
    assert.equal(otherCa.code, 1, otherCa.stdout.toString());
    const untrusted = JSON.parse(otherCa.stdout.toString()) as { problem: { code: string }; sentinel: { primary: { port: number } } };
    assert.equal(untrusted.sentinel.primary.port, await lab!.primaryPort(), 'the sentinel (verified with --cacert) answered');
    assert.notEqual(untrusted.problem.code, 'HOSTNAME_MISMATCH');
    const rightCa = await runCli(['doctor', ...base, '--primary-cacert', certs.rootCa.certPath, '--json'], env);
    assert.equal(rightCa.code, 0, rightCa.stdout.toString());
    assert.equal(
      (await runCli(['doctor', ...base, '--primary-cert', certs.client.chainPath], env)).code,
      2,
      '--primary-cert without --primary-key is a usage error',
    );

    // Data nodes that require a client certificate: only --primary-cert/--primary-key get through.
    const data = await Promise.all(lab!.data.map((d) => RedisConnection.open(lab!.dataOptions(d.port))));
    try {
      for (const c of data) await c.send(['CONFIG', 'SET', 'tls-auth-clients', 'yes']);
      const noCert = await runCli(['doctor', ...base, '--json'], env);
      assert.equal(noCert.code, 1, noCert.stdout.toString());
      assert.match((JSON.parse(noCert.stdout.toString()) as { problem: { code: string } }).problem.code, /^CLIENT_CERT_/);
      const withCert = await runCli(
        ['doctor', ...base, '--primary-cert', certs.client.chainPath, '--primary-key', certs.client.keyPath, '--json'],
        env,
      );
      assert.equal(withCert.code, 0, withCert.stdout.toString());
    } finally {
      for (const c of data) await c.send(['CONFIG', 'SET', 'tls-auth-clients', 'no']).catch(() => undefined);
      await Promise.all(data.map((c) => c.close()));
    }

    // scan --sentinel: the keys of the primary Sentinel names, each once.
    const primary = await RedisConnection.open(lab!.dataOptions(await lab!.primaryPort()));
    try {
      await primary.send(['MSET', 'sscan:1', 'a', 'sscan:2', 'b', 'sscan:3', 'c']);
    } finally {
      await primary.close();
    }
    const scan = await runCli(['scan', ...base, '--pattern', 'sscan:*'], env);
    assert.equal(scan.code, 0, scan.stderr.toString());
    assert.deepEqual(scan.stdout.toString().split('\n').filter(Boolean).sort(), ['sscan:1', 'sscan:2', 'sscan:3']);
  });

  it('moves an open session to the new primary after SENTINEL FAILOVER: the next command succeeds there', async () => {
    const session = await SentinelSession.open(settings, { tlsCache: new TlsCache() });
    const moves: number[] = [];
    session.onFailover((e) => moves.push(e.to.port));
    try {
      const oldPort = session.answer!.node.port;
      assert.equal(session.report?.authorized, true);
      assert.equal(session.report?.verifiedName, 'localhost');
      assert.equal(text(await session.send(['SET', 'before-failover', '1'])), 'OK');
      const { from, to: newPort } = await lab!.failover();
      assert.equal(from, oldPort);
      // The session's next command lands on the new primary, without the caller doing anything.
      assert.equal(text(await session.send(['SET', 'after-failover', '2'])), 'OK');
      assert.equal(session.answer?.node.port, newPort);
      assert.equal(text(await session.send(['GET', 'before-failover'])), '1', 'the replicated data is there');
      assert.equal(session.failovers, 1);
      assert.deepEqual(moves, [newPort]);
      assert.equal(session.report?.authorized, true);
      assert.equal(session.report?.port, newPort);
    } finally {
      await session.close();
    }
  });
});
