import * as assert from 'node:assert/strict';
import { parseRedisUrl, PASSWORD_IN_URL_WARNING } from '../../src/core/client/url';
import { parseConnectionArgs, splitCommandLine } from '../../src/core/client/redisCliArgs';
import { buildConnectionOptions, UsageError } from '../../src/cli/options';
import { isDiagnosedError } from '../../src/core/diagnosis/problem';
import { clean, formatDoctor } from '../../src/cli/format';
import { parseInfoServer } from '../../src/core/client/doctor';

describe('parseRedisUrl', () => {
  it('reads rediss:// with user, password, port and db', () => {
    const r = parseRedisUrl('rediss://alice:p%40ss@cache.example:6380/3');
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      tls: true,
      host: 'cache.example',
      port: 6380,
      username: 'alice',
      password: 'p@ss',
      db: 3,
      passwordInUrl: true,
    });
  });
  it('defaults the port, reads IPv6 in brackets and a lone user name (rediss://[user@]host)', () => {
    const r = parseRedisUrl('redis://alice@[::1]');
    assert.ok(r.ok);
    assert.equal(r.value.host, '::1');
    assert.equal(r.value.port, 6379);
    assert.equal(r.value.tls, false);
    assert.equal(r.value.username, 'alice');
    assert.equal(r.value.password, undefined);
    assert.equal(r.value.passwordInUrl, false);
  });
  it('a user without password stays a user; :password has no user', () => {
    const a = parseRedisUrl('rediss://bob:@h');
    assert.ok(a.ok && a.value.username === 'bob' && a.value.password === undefined && !a.value.passwordInUrl);
    const b = parseRedisUrl('redis://:pw@h:1');
    assert.ok(b.ok && b.value.username === undefined && b.value.password === 'pw');
  });
  it('rejects other schemes, bad db and bad ports', () => {
    assert.equal(parseRedisUrl('http://h').ok, false);
    assert.equal(parseRedisUrl('redis://h/abc').ok, false);
    assert.equal(parseRedisUrl('redis://h:99999').ok, false);
  });
});

describe('parseConnectionArgs', () => {
  it('reads redis-cli flags and leaves the rest', () => {
    const a = parseConnectionArgs([
      '-h',
      'db.example',
      '-p',
      '6380',
      '-n',
      '2',
      '--user',
      'u',
      '--tls',
      '--cacert',
      '/ca.pem',
      '--cert',
      '/c.pem',
      '--key',
      '/k.pem',
      '--sni',
      'name.example',
      '--tls-min-version',
      'TLSv1.3',
      '--timeout',
      '500',
      '--json',
      'GET',
      'k',
    ]);
    assert.deepEqual(a.errors, []);
    assert.equal(a.host, 'db.example');
    assert.equal(a.port, 6380);
    assert.equal(a.db, 2);
    assert.equal(a.user, 'u');
    assert.equal(a.tls, true);
    assert.equal(a.tlsFlag, true);
    assert.equal(a.cacert, '/ca.pem');
    assert.equal(a.sni, 'name.example');
    assert.equal(a.tlsMinVersion, 'TLSv1.3');
    assert.equal(a.timeoutMs, 500);
    assert.deepEqual(a.rest, ['--json', 'GET', 'k']);
  });
  it('takes a positional or -u URL, later flags win, and warns about passwords', () => {
    const a = parseConnectionArgs(['redis-cli', 'rediss://:pw@h1:7000/4', '-p', '7001']);
    assert.equal(a.host, 'h1');
    assert.equal(a.port, 7001);
    assert.equal(a.db, 4);
    assert.equal(a.tls, true);
    assert.equal(a.password, 'pw');
    assert.equal(a.passwordSource, 'url');
    assert.deepEqual(a.warnings, [PASSWORD_IN_URL_WARNING]);
    const b = parseConnectionArgs(['-a', 'x', '-u', 'redis://h']);
    assert.equal(b.passwordSource, 'flag');
  });
  it('reports usage errors instead of guessing', () => {
    assert.match(parseConnectionArgs(['-p', 'abc']).errors[0], /-p/);
    assert.match(parseConnectionArgs(['-h']).errors[0], /needs a value/);
    assert.match(parseConnectionArgs(['--tls-min-version', 'SSLv3']).errors[0], /TLSv1\.2 or TLSv1\.3/);
    assert.match(parseConnectionArgs(['--tls-min-version', '1.3', '--tls-max-version', '1.2']).errors[0], /above/);
    assert.match(parseConnectionArgs(['-u', 'ftp://x']).errors[0], /Invalid URL/);
  });
  it('--insecure and TLS file flags imply TLS', () => {
    assert.equal(parseConnectionArgs(['--insecure']).tls, true);
    assert.equal(parseConnectionArgs(['--cacert', 'x']).tls, true);
    assert.equal(parseConnectionArgs(['-h', 'x']).tls, false);
  });
  it('splits a pasted command line with quotes and escapes', () => {
    assert.deepEqual(splitCommandLine(`redis-cli -h "my host" --user 'a b' -a p\\ w ""`), [
      'redis-cli',
      '-h',
      'my host',
      '--user',
      'a b',
      '-a',
      'p w',
      '',
    ]);
  });
});

describe('CLI option building', () => {
  it('takes the password from REDISCLI_AUTH and refuses -a', () => {
    const o = buildConnectionOptions(parseConnectionArgs(['-h', 'h', '--tls']), { REDISCLI_AUTH: 'pw' });
    assert.equal(o.password, 'pw');
    assert.equal(o.tls.enabled, true);
    assert.equal(o.tls.verify, 'full');
    assert.throws(() => buildConnectionOptions(parseConnectionArgs(['-a', 'pw']), {}), UsageError);
  });
  it('a missing file is FILE_UNREADABLE naming the flag, the path and the errno, with the field at fault', () => {
    for (const [flag, field] of [
      ['--cacert', 'ca'],
      ['--cert', 'cert'],
      ['--key', 'key'],
      ['--cacertdir', 'ca'],
    ] as const) {
      assert.throws(
        () => buildConnectionOptions(parseConnectionArgs([flag, '/nonexistent/x.pem']), {}),
        (e: unknown) => {
          assert.ok(isDiagnosedError(e));
          assert.equal(e.problem.code, 'FILE_UNREADABLE');
          assert.equal(e.problem.field, field);
          assert.match(e.problem.detail, new RegExp(`\\(${flag}\\) /nonexistent/x\\.pem cannot be read: ENOENT`));
          assert.deepEqual(e.problem.facts, { path: '/nonexistent/x.pem', errno: 'ENOENT' });
          return true;
        },
      );
    }
  });
  it('escapes control characters from server text before printing', () => {
    assert.equal(clean('a\u001b[31mb\n'), 'a\\x1b[31mb\\x0a');
  });
});

describe('doctor output', () => {
  it('parses INFO server fields and escapes server text in the report', () => {
    const server = parseInfoServer('# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux\u001b[2J\r\nunknown_field:x\r\n');
    assert.deepEqual(server, { redisVersion: '7.0.15', mode: 'standalone', os: 'Linux\u001b[2J' });
    const text = formatDoctor({
      ok: false,
      problem: {
        code: 'HOSTNAME_MISMATCH',
        title: 'The certificate is not valid for this host name',
        detail: 'names \u001b[31m',
        fix: 'fix it',
      },
      target: { host: '::1', port: 6380, tls: true, servername: null },
      tls: null,
      chain: [],
      server,
      timings: null,
      warnings: [],
    });
    assert.match(text, /rediss:\/\/\[::1\]:6380/);
    assert.match(text, /PROBLEM HOSTNAME_MISMATCH/);
    assert.ok(!text.includes('\u001b'), 'no raw escape sequences reach the terminal');
  });
});
