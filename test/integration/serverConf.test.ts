import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { getLab } from '../lab/certs';
import { makeConfWorkspace, type ConfWorkspace } from '../lab/redisConf';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

interface JsonFinding {
  line: number;
  severity: string;
  code: string;
  message: string;
  fix: string | null;
}

describe('check-conf: redis.conf variants (test/fixtures/redis-conf) through redis-tls check-conf', function () {
  this.timeout(30000);
  let ws: ConfWorkspace;
  before(async () => {
    ws = await makeConfWorkspace();
  });
  after(async () => {
    await ws?.remove();
  });

  it('every variant gives exactly its expected codes, exit 1 exactly when one is an error', async function () {
    // One CLI process per variant, four at a time (a process start is ~0.3 s, far more on a loaded machine).
    this.timeout(120000);
    assert.ok(ws.variants.length >= 20);
    const queue = [...ws.variants];
    const runs = new Map<string, Awaited<ReturnType<typeof cli>>>();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let v = queue.shift(); v; v = queue.shift()) runs.set(v.name, await cli(['check-conf', v.name, '--json'], ws.dir));
      }),
    );
    for (const v of ws.variants) {
      const r = runs.get(v.name) as Awaited<ReturnType<typeof cli>>;
      const { findings } = JSON.parse(r.stdout) as { findings: JsonFinding[] };
      assert.deepEqual(findings.map((f) => f.code).sort(), v.expected, `${v.name}: ${r.stdout}`);
      assert.equal(r.code, findings.some((f) => f.severity === 'error') ? 1 : 0, `${v.name} exit code`);
      for (const f of findings) {
        assert.ok(f.line >= 1 && f.message.length > 0);
        // The shape; "file" (a finding in an included file) and "column" come on top.
        assert.deepEqual(
          Object.keys(f).filter((k) => k !== 'file' && k !== 'column'),
          ['line', 'severity', 'code', 'message', 'fix'],
        );
        assert.ok(['error', 'warning', 'info'].includes(f.severity) && (f.fix === null || typeof f.fix === 'string'));
      }
    }
  });

  it('the correct configuration has no finding and exits 0', async () => {
    const r = await cli(['check-conf', 'good.conf'], ws.dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no TLS problems found/);
  });

  it('prints file:line: severity code: message, on the line at fault, and says how a relative path was resolved', async () => {
    const r = await cli(['check-conf', 'missing-file.conf'], ws.dir);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /^missing-file\.conf:5: error FILE_NOT_FOUND: tls-key-file: .*does-not-exist\.key does not exist \(a relative path: resolved against the working directory .*redis-conf-/m,
    );
    const plain = await cli(['check-conf', 'plaintext-port.conf'], ws.dir);
    assert.match(plain.stdout, /^plaintext-port\.conf:2: warning PLAINTEXT_PORT: port 6379 still serves Redis in clear text/m);
    assert.match(plain.stdout, /fix: Set port 0/);
  });

  it('an encrypted key with a wrong tls-key-file-pass: the error is on the pass line and says the passphrase does not open the key; the right one passes', async () => {
    const r = await cli(['check-conf', 'wrong-key-pass.conf'], ws.dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^wrong-key-pass\.conf:6: error KEY_PASS_WRONG: tls-key-file-pass does not open the encrypted key .*encrypted\.key: redis-server refuses to start\.$/m,
    );
    // The same file with the lab's passphrase opens the key: no finding about it.
    const right = path.join(ws.dir, 'right-key-pass.conf');
    const text = await fs.readFile(path.join(ws.dir, 'wrong-key-pass.conf'), 'utf8');
    await fs.writeFile(right, text.replace('not-the-passphrase', (await getLab()).passphrase));
    const ok = await cli(['check-conf', 'right-key-pass.conf', '--json'], ws.dir);
    const { findings } = JSON.parse(ok.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(
      findings.filter((f) => /^KEY_/.test(f.code)),
      [],
      ok.stdout,
    );
  });

  it('--cwd changes the assumed working directory: the same file then misses its certificates', async () => {
    const r = await cli(['check-conf', path.join(ws.dir, 'good.conf'), '--cwd', '/', '--json'], ws.dir);
    const { findings } = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    assert.equal(r.code, 1);
    assert.deepEqual([...new Set(findings.map((f) => f.code))], ['FILE_NOT_FOUND']);
    assert.match(findings[0].message, /resolved against the working directory \//);
  });

  it('usage errors exit 2', async () => {
    assert.equal((await cli(['check-conf'], ws.dir)).code, 2);
    assert.equal((await cli(['check-conf', 'good.conf', '--bogus'], ws.dir)).code, 2);
    assert.equal((await cli(['check-conf', 'no-such.conf'], ws.dir)).code, 2);
  });
});
