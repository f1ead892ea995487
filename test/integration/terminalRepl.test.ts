/**
 * The terminal's REPL (the code the VS Code terminal and `redis-tls cli` on a terminal share) against a
 * lab TLS redis-server, typed at through its IO interface: a read-only profile refuses writes with a
 * clear message and sends nothing; redis-cli's repeat prefix (`3 PING`); the raw output format; HELLO 3
 * switching the session to RESP3 (and keeping it across a reconnection); Tab completion and hints;
 * ask-first confirmation; a dropped connection diagnosed and reopened on the next command. Then `redis-tls cli` itself:
 * --read-only, the repeat prefix on stdin, and its REPL on a terminal (script(1)) printing raw with --raw.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import type { OutputFormat } from '../../src/core/terminal/format';
import { plain, TypedRepl, waitUntil } from './replHarness';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe('terminal REPL: read-only, repeat, raw, RESP3 (lab TLS server)', function () {
  this.timeout(30000);
  let lab: LabCerts;
  let srv: RedisServer;
  let options: ConnectionOptions;
  let admin: RedisConnection;
  let cliTls: string[];
  const open: TypedRepl[] = [];

  const repl = async (opts: ConnectionOptions, name = 'Lab', format?: OutputFormat): Promise<TypedRepl> => {
    const r = new TypedRepl(opts, name, format);
    open.push(r);
    await r.start();
    return r;
  };

  before(async function () {
    this.timeout(60000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    options = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    admin = await RedisConnection.open(options);
    cliTls = ['--tls', '--cacert', lab.rootCa.certPath, '-h', 'localhost', '-p', String(srv.port)];
  });
  beforeEach(async () => {
    await admin.send(['FLUSHALL']);
  });
  afterEach(() => {
    for (const r of open.splice(0)) r.dispose();
  });
  after(async () => {
    await admin?.close();
    await srv?.stop();
  });

  async function setCalls(): Promise<number> {
    const info = (await admin.send(['INFO', 'commandstats'])) as Buffer;
    const m = /cmdstat_set:calls=(\d+)/.exec(info.toString());
    return m ? Number(m[1]) : 0;
  }

  it('a read-only profile: SET is refused with a message naming the profile, nothing is sent; reads still work', async () => {
    await admin.send(['SET', 'k', 'before']);
    const before = await setCalls();
    const r = await repl({ ...options, readOnly: true, profileName: 'Production' }, 'Production');
    const out = await r.type('SET k after', 'GET k', '3 SET k again');
    assert.match(out, /\(error\) Profile "Production" is read-only: SET is not a read command; nothing was sent\./);
    assert.match(out, /^"before"$/m);
    assert.equal(out.match(/is read-only/g)?.length, 2, 'a repeated write stops at the first refusal');
    assert.equal(await setCalls(), before, 'no SET reached the server');
    assert.equal((await admin.send(['GET', 'k']))?.toString(), 'before');
    assert.ok(r.session.connected, 'the refusal does not drop the connection');
  });

  it("redis-cli's repeat prefix: `3 PING` runs PING three times; 0 and negative counts are refused", async () => {
    const r = await repl(options);
    assert.equal(await r.type('3 PING'), `${r.session.prompt}3 PING\nPONG\nPONG\nPONG\n`);
    const incr = await r.type('2 INCR n');
    assert.match(incr, /\(integer\) 1\n\(integer\) 2\n/);
    assert.match(await r.type('0 PING'), /^Invalid redis-cli repeat command option value\.$/m);
    assert.match(await r.type('-2 PING'), /^Invalid redis-cli repeat command option value\.$/m);
    assert.match(await r.type('3'), /\(error\) ERR unknown command '3'/);
  });

  it('the raw format (redis-tls cli --raw on a terminal): replies print as redis-cli --raw prints them', async () => {
    const r = await repl(options, 'Lab', 'raw');
    const out = await r.type('SET k "v w"', 'GET k', 'RPUSH l a b', 'LRANGE l 0 -1', 'GET nokey', 'INCR n');
    const p = r.session.prompt;
    assert.equal(out, `${p}SET k "v w"\nOK\n${p}GET k\nv w\n${p}RPUSH l a b\n2\n${p}LRANGE l 0 -1\na\nb\n${p}GET nokey\n\n${p}INCR n\n1\n`);
  });

  it('Tab completes command names (COMMAND DOCS) and key names (SCAN MATCH, bounded); the inline hint shows what is left', async () => {
    await admin.send(['MSET', 'user:1', 'a', 'user:2', 'b', 'user:3', 'c', 'other', 'd']);
    const r = new TypedRepl(options, 'Lab', undefined, { maxKeyCompletions: 2 });
    open.push(r);
    await r.start();
    const shows = (line: string): Promise<void> =>
      waitUntil(() => plain(r.out).split('\n').pop()?.startsWith(`${r.session.prompt}${line}`) === true);
    r.repl.handleInput('hgeta\t');
    await shows('HGETALL ');
    // The hint: HGETALL's synopsis from COMMAND DOCS, in grey after the cursor.
    assert.ok(r.out.slice(-80).includes('\x1b[90mkey\x1b[0m'), 'the grey hint');
    r.repl.handleInput('\x15GET us\t');
    await shows('GET user:');
    r.repl.handleInput('\t');
    // Two candidates at most (maxKeyCompletions): listed, the line unchanged.
    await waitUntil(() => /\nuser:\d {2}user:\d\n/.test(plain(r.out)));
    r.repl.handleInput('3\t');
    await shows('GET user:3 ');
    r.repl.handleInput('\r');
    await waitUntil(() => /^"c"$/m.test(plain(r.out)));
  });

  it('ask-first commands name the connection; declined, nothing is sent', async () => {
    await admin.send(['SET', 'k', 'v']);
    const asked: string[] = [];
    const r = new TypedRepl(options, 'Lab TLS', undefined, {}, (q) => {
      asked.push(q);
      return Promise.resolve(false);
    });
    open.push(r);
    await r.start();
    assert.match(await r.type('FLUSHALL'), /^\(cancelled\) FLUSHALL was not sent\.$/m);
    assert.deepEqual(asked, ['Run FLUSHALL on "Lab TLS"?']);
    assert.equal(await admin.send(['DBSIZE']), 1);
  });

  it('a dropped connection prints its diagnosis, and the next command reconnects', async () => {
    const r = await repl(options);
    await r.type('SELECT 3', 'SET k3 v');
    await admin.send(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await waitUntil(() => /The next command reconnects\./.test(plain(r.out)));
    assert.match(plain(r.out), /The server closed the connection\./);
    assert.match(await r.type('GET k3'), /^"v"$/m, 'the same database after reconnecting');
    assert.equal(r.session.prompt, `localhost:${srv.port}[3]> `);
  });

  it('MONITOR, PSUBSCRIBE and SSUBSCRIBE print what arrives until Ctrl+C, then the prompt returns', async () => {
    const r = await repl(options);
    const until = (re: RegExp): Promise<void> => waitUntil(() => re.test(plain(r.out)));
    const cases: Array<[string, RegExp, () => Promise<unknown>, RegExp]> = [
      ['MONITOR', /^OK$/m, () => admin.send(['SET', 'watched', '1']), /^\d+\.\d+ \[0 [^\]]+\] "SET" "watched" "1"$/m],
      ['PSUBSCRIBE news.*', /3\) \(integer\) 1\n/, () => admin.send(['PUBLISH', 'news.x', 'p-hello']), /4\) "p-hello"\n/],
      ['SSUBSCRIBE shard', /3\) \(integer\) 1\n/, () => admin.send(['SPUBLISH', 'shard', 's-hello']), /3\) "s-hello"\n/],
    ];
    for (const [line, ready, send, seen] of cases) {
      const from = r.out.length;
      const done = r.repl.runLine(line);
      await waitUntil(() => ready.test(plain(r.out.slice(from))));
      await send();
      await until(seen);
      r.repl.handleInput('\x03');
      await done;
      assert.match(await r.type('PING'), /^PONG$/m, `${line}: the prompt is back`);
    }
  });

  it('INFO, LOLWUT, CLIENT LIST... print as their text in the terminal, as redis-cli prints them (not one quoted string)', async () => {
    await admin.send(['SET', 'k', 'v']);
    const r = await repl(options);
    const out = await r.type('INFO keyspace');
    assert.match(out, /^# Keyspace\ndb0:keys=1,expires=0,avg_ttl=0\n$/m);
    assert.doesNotMatch(out, /\\x0d|\\r|"# Keyspace/);
  });

  it('HELLO 3 switches the terminal to RESP3: maps, sets, doubles print as redis-cli prints them; HELLO 2 back', async () => {
    const r = await repl(options);
    await admin.send(['HSET', 'h', 'a', '1']);
    await admin.send(['ZADD', 'z', '1.5', 'm']);
    const hello = await r.type('HELLO 3');
    assert.match(hello, /^1# "server" => "redis"\n2# "version" => "7\.[^"]+"\n3# "proto" => \(integer\) 3\n/m);
    assert.equal(r.session.protocol, 3);
    assert.match(await r.type('HGETALL h'), /^1# "a" => "1"$/m);
    assert.match(await r.type('ZSCORE z m'), /^\(double\) 1\.5$/m);
    assert.match(await r.type('SMEMBERS nokey'), /^\(empty set\)$/m);
    assert.match(await r.type('GET nokey'), /^\(nil\)$/m);
    // Tab completion and hints keep working over RESP3 (COMMAND DOCS is a map there).
    assert.match(await r.type('CLIENT INFO'), /resp=3/);
    // A dropped connection: the next command reconnects and speaks RESP3 again.
    await admin.send(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await waitUntil(() => !r.session.connected);
    assert.match(await r.type('HGETALL h'), /^1# "a" => "1"$/m);
    assert.match(await r.type('HELLO 2'), /^ 1\) "server"$/m);
    assert.equal(r.session.protocol, 2);
    assert.match(await r.type('HGETALL h'), /^1\) "a"\n2\) "1"$/m);
  });

  it('a streaming command after HELLO 3 gets RESP3 push messages, printed as redis-cli does', async () => {
    const r = await repl(options);
    await r.type('HELLO 3');
    const done = r.repl.runLine('SUBSCRIBE news');
    await waitUntil(() => /1\) "subscribe"\n2\) "news"\n3\) \(integer\) 1\n/.test(plain(r.out)));
    await admin.send(['PUBLISH', 'news', 'hi']);
    await waitUntil(() => /1\) "message"\n2\) "news"\n3\) "hi"\n/.test(plain(r.out)));
    r.repl.handleInput('\x03');
    await done;
    assert.match(await r.type('PING'), /^PONG$/m);
  });

  describe('redis-tls cli', () => {
    const ourCli = (args: string[], input?: string): Promise<Run> => run(process.execPath, [CLI, 'cli', ...cliTls, ...args], input);

    it('the password from REDISCLI_AUTH (never printed); a wrong one is diagnosed with exit 1', async () => {
      const acl = await startRedis({ kind: 'acl' });
      try {
        const base = ['cli', '--tls', '--cacert', lab.rootCa.certPath, '-h', 'localhost', '-p', String(acl.port), '--user', 'alice'];
        const run1 = (env: Record<string, string>, input: string): Promise<Run> =>
          new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [CLI, ...base], {
              env: { PATH: process.env.PATH ?? '', ...env },
              stdio: ['pipe', 'pipe', 'pipe'],
            });
            const out: Buffer[] = [];
            let err = '';
            child.stdout.on('data', (b: Buffer) => out.push(b));
            child.stderr.on('data', (b: Buffer) => {
              err += b.toString();
            });
            child.on('error', reject);
            child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
            child.stdin.end(input);
          });
        const ok = await run1({ REDISCLI_AUTH: 'alice-pass' }, 'ACL WHOAMI\n');
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout.toString(), 'alice\n');
        const bad = await run1({ REDISCLI_AUTH: 'not-alice-pass' }, 'ACL WHOAMI\n');
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /AUTH_FAILED/);
        assert.ok(![ok.stdout, ok.stderr, bad.stdout, bad.stderr].some((t) => t.toString().includes('alice-pass')));
      } finally {
        await acl.stop();
      }
    });

    it('--read-only: a write is refused on stderr with exit 1 and never sent; reads print', async () => {
      await admin.send(['SET', 'k', 'before']);
      const before = await setCalls();
      const one = await ourCli(['--read-only', 'SET', 'k', 'after']);
      assert.equal(one.code, 1);
      assert.equal(one.stdout.length, 0);
      assert.match(one.stderr, /^redis-tls: This connection is read-only: SET is not a read command; nothing was sent\./m);
      const piped = await ourCli(['--read-only'], 'GET k\nSET k after\nGET k\n');
      assert.equal(piped.code, 1);
      assert.equal(piped.stdout.toString(), 'before\nbefore\n');
      assert.match(piped.stderr, /SET is not a read command/);
      assert.equal(await setCalls(), before);
      assert.equal((await ourCli(['GET', 'k'])).stdout.toString(), 'before\n');
    });

    it('the repeat prefix on stdin, exactly as redis-cli (which reads stdin through the same repl)', async () => {
      const script = '3 PING\n0 PING\n-1 PING\n3\n2 INCR x\n 2  ECHO "a b"\nSET a "b\n';
      const mine = await ourCli(['--no-raw'], script);
      const theirs = await run('redis-cli', [...cliTls, '--no-raw'], script);
      assert.equal(theirs.code, 0, theirs.stderr);
      assert.match(theirs.stdout.toString(), /^PONG\nPONG\nPONG\nInvalid redis-cli repeat command option value\.\n/);
      await admin.send(['DEL', 'x']);
      assert.equal(
        mine.stdout.toString(),
        theirs.stdout.toString().replace(/\(integer\) 3\n\(integer\) 4\n/, '(integer) 1\n(integer) 2\n'),
      );
      assert.equal(mine.code, 0);
    });

    it('its REPL on a terminal prints raw with --raw (and quoted without)', async function () {
      if (spawnSync('script', ['--version']).status !== 0) this.skip();
      await admin.send(['SET', 'k', 'v w']);
      // Under script(1) stdin and stdout are a terminal: the REPL. Keys are typed once the prompt shows.
      const repl = (flag: string[]): Promise<string> =>
        new Promise((resolve, reject) => {
          const cmd = [process.execPath, CLI, 'cli', ...cliTls, ...flag].map((a) => `'${a}'`).join(' ');
          const child = spawn('script', ['-qec', cmd, '/dev/null'], {
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'dumb' },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          let out = '';
          let typed = false;
          child.stdout.on('data', (b: Buffer) => {
            out += b.toString();
            if (!typed && /:\d+> /.test(out)) {
              typed = true;
              child.stdin.write('GET k\r3 PING\rquit\r');
            }
          });
          child.on('error', reject);
          child.on('close', () => resolve(plain(out)));
        });
      const raw = await repl(['--raw']);
      assert.match(raw, /GET k\nv w\n/);
      assert.match(raw, /3 PING\nPONG\nPONG\nPONG\n/);
      assert.doesNotMatch(raw, /"v w"/);
      const tty = await repl([]);
      assert.match(tty, /GET k\n"v w"\n/);
    });
  });
});
