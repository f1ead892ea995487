/**
 * The terminal's parser and formatter against the real redis-cli 7.0: the same script of command
 * lines goes through redis-cli (stdin mode: it splits lines with sdssplitargs) and through our
 * splitArgs + TerminalSession + formatReply, against the same lab TLS server, and the bytes must be
 * equal, in both output formats (redis-cli --no-raw = its TTY format, --raw). Then `redis-tls cli`
 * end to end: exit codes, formats, stdin, TTY detection, the diagnosis on a bad certificate.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { splitArgs } from '../../src/core/terminal/args';
import { formatCommandReply, formatReply, type OutputFormat } from '../../src/core/terminal/format';
import { TerminalSession } from '../../src/core/terminal/session';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function run(cmd: string, args: string[], input?: Buffer | string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
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

/** Command lines as a person types them: quotes, escapes, binary bytes, every reply type. */
const SCRIPT =
  [
    'SET s "hello world"',
    'GET s',
    'GET nokey',
    'SET bin "\\x00\\xff\\n\\"q\\"\\\\ é\\t\\r\\a\\b"',
    'GET bin',
    "SET single 'it\\'s \"here\"'",
    'GET single',
    'STRLEN bin',
    'INCR n',
    'INCRBYFLOAT f 1.5',
    'HSET h f1 v1 f2 "two words"',
    'HGETALL h',
    'RPUSH l a b c',
    'LRANGE l 0 -1',
    'LRANGE nokey 0 -1',
    'RPUSH big 1 2 3 4 5 6 7 8 9 10 11 12',
    'LRANGE big 0 -1',
    'SADD set1 x',
    'SMEMBERS set1',
    'ZADD z 1.5 a 2 b',
    'ZRANGE z 0 -1 WITHSCORES',
    "EVAL \"return {1,{2,'x',{}},redis.status_reply('OK'),redis.error_reply('ERR bad'),false,{1,2,3,4,5,6,7,8,9,10,{'deep',{'deeper'}}}}\" 0",
    'NOSUCHCOMMAND arg',
    'GET',
    'TYPE s',
    'PING',
    'PING "with\\nnewline"',
    'ECHO ""',
    'XADD st 1-1 field value',
    'XRANGE st - +',
    'MGET s nokey l',
    'EXISTS s nokey',
    'TTL s',
    'OBJECT ENCODING big',
    'SELECT 1',
    'SET in1 one',
    'DBSIZE',
    'SELECT 0',
    'GET in1',
    'MULTI',
    'INCR n',
    'GET s',
    'EXEC',
    // Printed as their raw text in both formats (redis-cli's output_raw commands), errors included.
    'INFO keyspace',
    'LOLWUT VERSION 5 1 1 1',
    'MEMORY DOCTOR',
    'LATENCY DOCTOR',
    'CLUSTER INFO',
    'CLUSTER NODES x',
    'LATENCY GRAPH command',
    'CLIENT LIST ID 999999',
  ].join('\n') + '\n';

/** RESP3 replies (redis-cli -3, or HELLO 3 typed in the terminal): maps, sets, doubles, booleans, null, verbatim strings. */
const RESP3_SCRIPT =
  [
    'HSET h f1 v1 f2 "two words"',
    'HGETALL h',
    'HGETALL nokey',
    'SADD s1 x',
    'SMEMBERS s1',
    'SMEMBERS nokey',
    'ZADD z 1.5 a 2 b -3.25 c',
    'ZSCORE z a',
    'ZSCORE z nokey',
    'ZRANGE z 0 -1 WITHSCORES',
    'ZINCRBY z 0.1 a',
    'GET nokey',
    'MGET h nokey',
    'INCRBYFLOAT f 1.5',
    'EVAL "redis.setresp(3); return true" 0',
    'EVAL "redis.setresp(3); return false" 0',
    'EVAL "redis.setresp(3); return {double=3.25}" 0',
    'EVAL "redis.setresp(3); return {double=-0.5}" 0',
    'EVAL "redis.setresp(3); return {map={a={1,{map={}}},b={set={}}}}" 0',
    'EVAL "redis.setresp(3); return {1,{set={x=true}},{map={k={double=1.5}}},false,true}" 0',
    "EVAL \"redis.setresp(3); return redis.call('HGETALL', 'h')\" 0",
    'CONFIG GET maxmemory-policy',
    'XADD st 1-1 field value',
    'XINFO STREAM st',
    'OBJECT ENCODING h',
    'LOLWUT VERSION 5 1 1 1',
    'COMMAND DOCS GET',
    'NOSUCHCOMMAND arg',
    'INFO keyspace',
    'MEMORY DOCTOR',
    'CLUSTER INFO',
  ].join('\n') + '\n';

describe('terminal: parser and formatter match the real redis-cli 7.0 (lab TLS server)', function () {
  this.timeout(30000);
  let lab: LabCerts;
  let srv: RedisServer;
  let wrong: RedisServer;
  let options: ConnectionOptions;
  let cliTls: string[];

  before(async function () {
    this.timeout(60000);
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    lab = await getLab();
    [srv, wrong] = await Promise.all([startRedis({ kind: 'tls' }), startRedis({ kind: 'tls', certs: lab.wrongHostServer })]);
    options = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    cliTls = ['--tls', '--cacert', lab.rootCa.certPath, '-h', 'localhost', '-p', String(srv.port)];
  });
  after(async () => {
    await Promise.all([srv, wrong].map((s) => s?.stop()));
  });

  async function flushAll(): Promise<void> {
    const c = await RedisConnection.open(options);
    await c.send(['FLUSHALL']);
    await c.close();
  }

  async function ours(format: OutputFormat, script = SCRIPT, protocol: 2 | 3 = 2): Promise<Buffer> {
    await flushAll();
    const session = new TerminalSession({ options });
    session.protocol = protocol;
    const out: Buffer[] = [];
    try {
      for (const line of script.split('\n')) {
        const args = splitArgs(line);
        assert.ok(args, line);
        if (args.length === 0) continue;
        out.push(formatCommandReply(args, await session.execute(args), format));
      }
    } finally {
      await session.close();
    }
    return Buffer.concat(out);
  }

  async function redisCli(flag: string, script = SCRIPT, extra: string[] = []): Promise<Buffer> {
    await flushAll();
    const r = await run('redis-cli', [...cliTls, ...extra, flag], script);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }

  it('TTY format (redis-cli --no-raw): byte for byte', async () => {
    const expected = await redisCli('--no-raw');
    assert.match(expected.toString('latin1'), /\(integer\) 1\n/);
    assert.equal((await ours('tty')).toString('latin1'), expected.toString('latin1'));
  });

  it('raw format (redis-cli --raw): byte for byte', async () => {
    const expected = await redisCli('--raw');
    assert.equal((await ours('raw')).toString('latin1'), expected.toString('latin1'));
  });

  it('RESP3, TTY format (redis-cli -3 --no-raw): byte for byte', async () => {
    const expected = await redisCli('--no-raw', RESP3_SCRIPT, ['-3']);
    assert.match(expected.toString('latin1'), /^1# "f1" => "v1"\n/m);
    assert.match(expected.toString('latin1'), /^\(double\) 1\.5\n/m);
    assert.match(expected.toString('latin1'), /^\(true\)\n/m);
    assert.match(expected.toString('latin1'), /^\(empty set\)\n/m);
    assert.equal((await ours('tty', RESP3_SCRIPT, 3)).toString('latin1'), expected.toString('latin1'));
  });

  it('RESP3, raw format (redis-cli -3 --raw): byte for byte', async () => {
    const expected = await redisCli('--raw', RESP3_SCRIPT, ['-3']);
    assert.equal((await ours('raw', RESP3_SCRIPT, 3)).toString('latin1'), expected.toString('latin1'));
  });

  it('RESP3 big numbers: redis-cli 7.0 cannot print them (it exits); we print "(big number) N", as later redis-cli', async () => {
    const line = 'EVAL "redis.setresp(3); return {big_number=\'1234567890123456789012345678901234567890\'}" 0';
    const theirs = await run('redis-cli', [...cliTls, '-3', '--no-raw'], `${line}\n`);
    assert.equal(theirs.code, 1, 'redis-cli 7.0 gave up on the big number: if it prints one now, make this a table row');
    assert.match(theirs.stdout.toString() + theirs.stderr, /Unknown reply type: 13/);
    const session = new TerminalSession({ options });
    session.protocol = 3;
    try {
      const reply = await session.execute(splitArgs(line) as Buffer[]);
      assert.equal(formatReply(reply, 'tty').toString(), '(big number) 1234567890123456789012345678901234567890\n');
      assert.equal(formatReply(reply, 'raw').toString(), '1234567890123456789012345678901234567890\n');
    } finally {
      await session.close();
    }
  });

  describe('redis-tls cli', () => {
    const ourCli = (args: string[], input?: string, env: Record<string, string> = {}): Promise<Run> =>
      run(process.execPath, [CLI, 'cli', ...cliTls, ...args], input, env);

    it('stdin (not a TTY): the same bytes as redis-cli, raw by default and with --no-raw', async () => {
      await flushAll();
      const raw = await ourCli([], SCRIPT);
      assert.equal(raw.code, 0, raw.stderr);
      assert.equal(raw.stdout.toString('latin1'), (await redisCli('--raw')).toString('latin1'));
      await flushAll();
      const tty = await ourCli(['--no-raw'], SCRIPT);
      assert.equal(tty.stdout.toString('latin1'), (await redisCli('--no-raw')).toString('latin1'));
    });

    it('-3 (RESP3): stdin gives the same bytes as redis-cli -3, raw and with --no-raw', async () => {
      await flushAll();
      const raw = await ourCli(['-3'], RESP3_SCRIPT);
      assert.equal(raw.code, 0, raw.stderr);
      assert.equal(raw.stdout.toString('latin1'), (await redisCli('--raw', RESP3_SCRIPT, ['-3'])).toString('latin1'));
      await flushAll();
      const tty = await ourCli(['-3', '--no-raw'], RESP3_SCRIPT);
      assert.equal(tty.stdout.toString('latin1'), (await redisCli('--no-raw', RESP3_SCRIPT, ['-3'])).toString('latin1'));
    });

    it('one command: raw when stdout is a pipe, quoted with --no-raw, exactly as redis-cli', async () => {
      await flushAll();
      assert.equal((await ourCli(['SET', 'k', 'v w'])).stdout.toString(), 'OK\n');
      const mine = await ourCli(['GET', 'k']);
      const theirs = await run('redis-cli', [...cliTls, 'GET', 'k']);
      assert.equal(mine.stdout.toString(), theirs.stdout.toString());
      assert.equal((await ourCli(['--no-raw', 'GET', 'k'])).stdout.toString(), '"v w"\n');
      assert.equal((await ourCli(['--raw', 'LRANGE', 'nokey', '0', '-1'])).stdout.toString(), '\n');
    });

    it('a TTY stdout gets the quoted format (run under script(1))', async () => {
      await flushAll();
      await ourCli(['SET', 'k', 'v']);
      const cmd = [process.execPath, CLI, 'cli', ...cliTls, 'GET', 'k'].map((a) => `'${a}'`).join(' ');
      const r = await run('script', ['-qec', cmd, '/dev/null']);
      assert.equal(r.stdout.toString().replace(/\r\n/g, '\n'), '"v"\n');
    });

    it('exit status: 0 on an error reply, 1 with -e (message on stderr), as redis-cli', async () => {
      const plain = await ourCli(['NOSUCHCOMMAND']);
      const theirs = await run('redis-cli', [...cliTls, 'NOSUCHCOMMAND']);
      assert.equal(plain.code, 0);
      assert.equal(plain.stdout.toString(), theirs.stdout.toString());
      const e = await ourCli(['-e', 'NOSUCHCOMMAND']);
      const theirsE = await run('redis-cli', [...cliTls, '-e', 'NOSUCHCOMMAND']);
      assert.equal(e.code, 1);
      assert.equal(theirsE.code, 1);
      assert.equal(e.stdout.length, 0);
      assert.equal(e.stderr, theirsE.stderr);
      const stdinE = await ourCli(['-e'], 'PING\nNOSUCHCOMMAND\n');
      assert.equal(stdinE.code, 1);
    });

    it('ask-first commands need a terminal or --yes; with --yes they run', async () => {
      await flushAll();
      const refused = await ourCli([], 'SET a 1\nFLUSHALL\n');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /FLUSHALL asks first/);
      assert.equal((await ourCli(['DBSIZE'])).stdout.toString(), '1\n');
      const yes = await ourCli(['--yes', 'FLUSHALL']);
      assert.equal(yes.code, 0);
      assert.equal((await ourCli(['DBSIZE'])).stdout.toString(), '0\n');
    });

    it("a connection problem: exit 1 with the doctor's diagnosis (wrong host name)", async () => {
      const r = await run(process.execPath, [
        CLI,
        'cli',
        '--tls',
        '--cacert',
        lab.rootCa.certPath,
        '-h',
        'localhost',
        '-p',
        String(wrong.port),
        'PING',
      ]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout.length, 0);
      assert.match(r.stderr, /PROBLEM HOSTNAME_MISMATCH/);
      assert.match(r.stderr, /wrong\.example/);
    });

    it('SUBSCRIBE streams messages published by another client', async () => {
      const child = spawn(process.execPath, [CLI, 'cli', ...cliTls, 'SUBSCRIBE', 'news'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const got = (re: RegExp): Promise<void> =>
        new Promise((resolve) => {
          const check = (): void => {
            if (re.test(out)) resolve();
          };
          child.stdout.on('data', (b: Buffer) => {
            out += b.toString();
            check();
          });
          check();
        });
      await got(/subscribe\nnews\n1\n/);
      const pub = await RedisConnection.open(options);
      await pub.send(['PUBLISH', 'news', 'hello there']);
      await pub.close();
      await got(/message\nnews\nhello there\n/);
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.kill('SIGINT');
      assert.equal(await closed, 0);
    });
  });
});
