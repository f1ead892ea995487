// Hostile key names through `redis-tls scan` (issue #9): quoted as redis-cli does on a terminal, raw
// bytes when stdout is not one; --raw / --no-raw force either.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import type { RedisServer } from '../lab/servers';
import { unescapeBytes } from '../../src/core/keys/bytes';
import { HOSTILE_NAMES, startHostileNamesServer, UNSAFE } from './hostileNames';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '', TERM: 'dumb' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

const sorted = (keys: Buffer[]): string[] => keys.map((k) => k.toString('hex')).sort();

describe('hostile: names through redis-tls scan', function () {
  this.timeout(30_000);
  let lab: LabCerts;
  let srv: RedisServer;
  let conn: string[];

  before(async function () {
    this.timeout(60_000);
    lab = await getLab();
    srv = await startHostileNamesServer(lab);
    conn = ['scan', '-h', 'localhost', '-p', String(srv.port), '--tls', '--cacert', lab.rootCa.certPath];
  });

  after(async () => {
    await srv?.stop();
  });

  /** Quoted output: one `"..."` per line, nothing unsafe left, and the escapes give back the exact names. */
  function assertQuoted(stdout: string): void {
    assert.doesNotMatch(stdout.replace(/\r?\n/g, ''), UNSAFE, 'no control, bidi or invisible character reaches the terminal');
    const lines = stdout.split(/\r?\n/).filter(Boolean);
    assert.equal(lines.length, HOSTILE_NAMES.length, stdout);
    for (const line of lines) assert.match(line, /^".*"$/);
    assert.deepEqual(sorted(lines.map((l) => unescapeBytes(l))), sorted([...HOSTILE_NAMES]));
  }

  it("hostile: names --no-raw prints every key in redis-cli's quoted form", async () => {
    const r = await run(process.execPath, [CLI, ...conn, '--no-raw']);
    assert.equal(r.code, 0, r.stderr);
    assertQuoted(r.stdout.toString('latin1'));
  });

  it('hostile: names on a terminal (script -qc) are quoted by default', async () => {
    assert.equal(spawnSync('script', ['--version']).status, 0, 'script(1) from util-linux runs the CLI on a pseudo-terminal');
    const command = [process.execPath, CLI, ...conn].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = await run('script', ['-qec', command, '/dev/null']);
    assert.equal(r.code, 0, r.stderr + r.stdout.toString());
    assertQuoted(r.stdout.toString('latin1'));
  });

  it('hostile: names piped (not a terminal) stay raw bytes, as redis-cli --scan; --raw forces raw', async () => {
    for (const extra of [[], ['--raw']]) {
      const r = await run(process.execPath, [CLI, ...conn, ...extra]);
      assert.equal(r.code, 0, r.stderr);
      for (const name of HOSTILE_NAMES) assert.ok(r.stdout.includes(name), `raw ${name.toString('hex')}`);
    }
  });
});
