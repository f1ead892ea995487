// Sentinel over verified TLS (lab): a primary, a replica and three sentinels, all on TLS-only ports.
// The data nodes' certificates name DNS:localhost only, while Sentinel hands out 127.0.0.1.
import * as assert from 'node:assert/strict';
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
