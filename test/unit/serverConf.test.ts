import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { judgeCipher as judgeCipherName } from '../../src/core/audit';
import { checkServerConf, closestTlsDirective, parseConf, splitArgs, TLS_DIRECTIVES } from '../../src/core/serverConf';

describe('serverConf: redis.conf parsing like redis-server', () => {
  it('splits arguments like sdssplitargs: blanks, double quotes with escapes, single quotes, columns kept', () => {
    const r = splitArgs('tls-protocols "TLSv1.2 TLSv1.3"  \'a\\\'b\' "x\\x41\\n"');
    assert.ok('args' in r);
    assert.deepEqual(
      r.args.map((a) => a.value),
      ['tls-protocols', 'TLSv1.2 TLSv1.3', "a'b", 'xA\n'],
    );
    assert.deepEqual([r.args[1].start, r.args[1].end], [14, 31]);
  });

  it('reports unbalanced quotes and a closing quote glued to text, as redis-server refuses them', () => {
    assert.ok('error' in splitArgs('tls-protocols "TLSv1.2'));
    assert.ok('error' in splitArgs('tls-protocols "TLSv1.2"x'));
    const p = parseConf('# comment\n\n  TLS-Port 6380\ntls-ciphers "oops\n');
    assert.equal(p.directives.length, 1);
    assert.equal(p.directives[0].name, 'tls-port');
    assert.equal(p.directives[0].line, 2);
    assert.equal(p.errors[0].line, 3);
  });

  it('the catalogue covers the tls-* directives of Redis 6.0-7.4 and suggests the closest name for a typo', () => {
    // The tls-* directives of redis.conf in Redis 6.0 to 7.4 (7.2 and 7.4 added none).
    assert.deepEqual(TLS_DIRECTIVES.map((d) => d.name).sort(), [
      'tls-auth-clients',
      'tls-ca-cert-dir',
      'tls-ca-cert-file',
      'tls-cert-file',
      'tls-ciphers',
      'tls-ciphersuites',
      'tls-client-cert-file',
      'tls-client-key-file',
      'tls-client-key-file-pass',
      'tls-cluster',
      'tls-dh-params-file',
      'tls-key-file',
      'tls-key-file-pass',
      'tls-port',
      'tls-prefer-server-ciphers',
      'tls-protocols',
      'tls-replication',
      'tls-session-cache-size',
      'tls-session-cache-timeout',
      'tls-session-caching',
    ]);
    assert.deepEqual(
      TLS_DIRECTIVES.filter((d) => d.since === '6.2').map((d) => d.name),
      ['tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file', 'tls-client-key-file-pass'],
    );
    assert.equal(closestTlsDirective('tls-auth-client'), 'tls-auth-clients');
    assert.equal(closestTlsDirective('tls-something-else-entirely'), undefined);
  });

  it('include and dir: relative paths resolve against the working directory, then against dir', async () => {
    const files: Record<string, string> = { '/srv/redis/tls.conf': 'dir /data\ntls-cert-file server.crt\n' };
    const read = (p: string): Buffer => {
      if (files[p] === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return Buffer.from(files[p]);
    };
    const r = await checkServerConf({
      text: 'include tls.conf\nport 0\n',
      file: '/etc/redis.conf',
      workingDir: '/srv/redis',
      workingDirLabel: 'the working directory',
      readFile: read,
    });
    const missing = r.findings.find((f) => f.code === 'FILE_NOT_FOUND');
    assert.equal(missing?.file, '/srv/redis/tls.conf');
    assert.equal(missing?.line, 1);
    assert.match(missing?.message ?? '', /\/data\/server\.crt does not exist \(a relative path: resolved against `dir` \/data/);
    const noInclude = await checkServerConf({
      text: 'include other.conf\n',
      workingDir: '/x',
      workingDirLabel: 'the workspace folder',
      readFile: read,
    });
    assert.match(
      noInclude.findings[0].message,
      /\/x\/other\.conf does not exist \(a relative path: resolved against the workspace folder \/x/,
    );
  });

  it('include with a wildcard reads every match in alphabetical order, and no match is no error (Redis 7)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conf-glob-'));
    try {
      writeFileSync(path.join(dir, 'b.conf'), 'tls-port 6380\n');
      writeFileSync(path.join(dir, 'a.conf'), 'tls-port 0\n');
      const r = await checkServerConf({
        text: `include ${dir}/*.conf\ninclude ${dir}/none-*.conf\n`,
        workingDir: dir,
        workingDirLabel: 'the working directory',
      });
      assert.deepEqual(
        r.directives.filter((d) => d.name === 'tls-port').map((d) => path.basename(d.file ?? '')),
        ['a.conf', 'b.conf'],
      );
      assert.ok(!r.findings.some((f) => f.code === 'INCLUDE_NOT_FOUND'));
      assert.ok(
        r.findings.some((f) => f.code === 'TLS_PORT_WITHOUT_CERT' && f.file === path.join(dir, 'b.conf')),
        'the last tls-port (from b.conf) counts',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('posture rules carry quick-fix edits on the line at fault', async () => {
    const text = 'tls-port 6380\ntls-cert-file /nope.crt\ntls-key-file /nope.key\ntls-auth-clients no\ntls-protocols "TLSv1.1 TLSv1.2"\n';
    const r = await checkServerConf({
      text,
      workingDir: '/',
      workingDirLabel: 'the working directory',
      readFile: () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      },
    });
    const plain = r.findings.find((f) => f.code === 'PLAINTEXT_PORT');
    assert.equal(plain?.line, 0);
    assert.deepEqual(plain?.fix?.edits, [{ line: 0, start: 13, end: 13, newText: '\nport 0' }]);
    const old = r.findings.find((f) => f.code === 'OLD_PROTOCOLS');
    assert.deepEqual(old?.fix?.edits, [{ line: 4, start: 14, end: 31, newText: '"TLSv1.2 TLSv1.3"' }]);
    assert.equal(r.findings.find((f) => f.code === 'AUTH_CLIENTS_NO')?.severity, 'info');
  });

  it('classifies TLS 1.2 suites: forward secrecy, AEAD, broken algorithms', () => {
    assert.deepEqual(judgeCipherName('ECDHE-RSA-AES128-GCM-SHA256').weak, false);
    assert.match(judgeCipherName('AES128-SHA').reasons.join(), /forward secrecy.*CBC/);
    assert.match(judgeCipherName('DES-CBC3-SHA').reasons.join(), /broken: 3DES/);
  });
});
