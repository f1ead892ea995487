import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLab, type LabCerts } from '../lab/certs';
import { preflight } from '../../src/core/profiles/checks';
import { emptyProfile, validateHost, validatePort, validateProfile } from '../../src/core/profiles/draft';
import { toRedisCliCommand } from '../../src/core/profiles/export';
import { profileFromRedisCli, profileFromText, profileFromUrl, tokenizeShell } from '../../src/core/profiles/import';
import { PRESETS, findPreset } from '../../src/core/profiles/presets';
import { checkProfile, resolveConnectionOptions, ProfileFileError } from '../../src/core/profiles/resolve';
import { applyAnswers } from '../../src/core/profiles/answers';
import { applyEdits } from 'jsonc-parser';
import { parseWorkspaceProfiles, removeProfileEdits } from '../../src/core/profiles/workspaceFile';

describe('profiles: import from URL', () => {
  it('reads rediss:// with user, password, port and db; the password goes to secrets only', () => {
    const d = profileFromUrl('rediss://alice:s3cr%40t@cache.example.com:6380/4');
    assert.equal(d.profile.tls, true);
    assert.equal(d.profile.host, 'cache.example.com');
    assert.equal(d.profile.port, 6380);
    assert.equal(d.profile.db, 4);
    assert.equal(d.profile.username, 'alice');
    assert.equal(d.profile.hasPassword, true);
    assert.equal(d.secrets.password, 's3cr@t');
    assert.ok(!JSON.stringify(d.profile).includes('s3cr'), 'profile must not contain the password');
    assert.equal(d.profile.verify, 'full');
  });

  it('reads redis:// defaults, lone userinfo as the user name, IPv6 hosts', () => {
    const d = profileFromUrl('redis://app@[::1]');
    assert.equal(d.profile.tls, false);
    assert.equal(d.profile.host, '::1');
    assert.equal(d.profile.port, 6379);
    assert.equal(d.profile.db, 0);
    assert.equal(d.profile.username, 'app');
    assert.equal(d.secrets.password, undefined);
    const t = profileFromUrl('redis://:tok@[::1]');
    assert.equal(t.profile.username, undefined);
    assert.equal(t.secrets.password, 'tok');
  });

  it('marks ssl_cert_reqs=none as insecure with a warning, reads sni', () => {
    const d = profileFromUrl('rediss://h:1/0?ssl_cert_reqs=none&sni=redis.internal');
    assert.equal(d.profile.verify, 'insecure');
    assert.equal(d.profile.servername, 'redis.internal');
    assert.ok(d.warnings.some((w) => /unverified/.test(w)));
  });

  it('rejects non-Redis URLs and bad db paths', () => {
    assert.throws(() => profileFromUrl('http://x'), /redis:\/\//);
    assert.throws(() => profileFromUrl('redis://h/abc'), /database/);
  });
});

describe('profiles: import from redis-cli', () => {
  it('tokenizes quotes, escapes and line continuations', () => {
    assert.deepEqual(tokenizeShell(`redis-cli -a 'p w' --user "a\\"b" x\\ y \\\n --tls`), [
      'redis-cli',
      '-a',
      'p w',
      '--user',
      'a"b',
      'x y',
      '--tls',
    ]);
  });

  it('reads every supported flag', () => {
    const d = profileFromRedisCli(
      `redis-cli -h db.example.com -p 6380 -n 2 --user bob -a 'pa ss' --tls --cacert /etc/ca.pem --cert /c/client.crt --key /c/client.key --sni redis.example.com`,
    );
    const p = d.profile;
    assert.equal(p.host, 'db.example.com');
    assert.equal(p.port, 6380);
    assert.equal(p.db, 2);
    assert.equal(p.username, 'bob');
    assert.equal(p.tls, true);
    assert.equal(p.servername, 'redis.example.com');
    assert.deepEqual(p.ca, { kind: 'file', path: '/etc/ca.pem' });
    assert.deepEqual(p.client, { kind: 'files', certPath: '/c/client.crt', keyPath: '/c/client.key' });
    assert.equal(d.secrets.password, 'pa ss');
    assert.equal(p.hasPassword, true);
    assert.ok(!JSON.stringify(p).includes('pa ss'));
    assert.deepEqual(d.warnings, []);
  });

  it('reads --cacertdir, --insecure, --flag=value, REDISCLI_AUTH and warns on the rest', () => {
    const d = profileFromRedisCli('REDISCLI_AUTH=envpw /usr/bin/redis-cli --tls --cacertdir=/etc/cas --insecure -c --foo ping');
    assert.deepEqual(d.profile.ca, { kind: 'file', path: '/etc/cas' });
    assert.equal(d.profile.verify, 'insecure');
    assert.equal(d.secrets.password, 'envpw');
    assert.ok(d.warnings.some((w) => w.includes('-c')));
    assert.ok(d.warnings.some((w) => w.includes('--foo')));
    assert.ok(d.warnings.some((w) => /command at the end \(1 word\)/.test(w)));
    const trailing = profileFromRedisCli('redis-cli -h x AUTH app Trailing-Secret-1');
    assert.ok(!JSON.stringify(trailing).includes('Trailing-Secret-1'), 'a trailing command is neither stored nor repeated in warnings');
  });

  it('turns TLS on when TLS flags come without --tls, and drops a lone --cert', () => {
    const d = profileFromRedisCli('redis-cli -h x --cacert ca.pem --cert only.crt');
    assert.equal(d.profile.tls, true);
    assert.deepEqual(d.profile.client, { kind: 'none' });
    assert.ok(d.warnings.length >= 2);
  });

  it('rejects input that is not redis-cli and bad values', () => {
    assert.throws(() => profileFromRedisCli('mysql -h x'), /redis-cli/);
    assert.throws(() => profileFromRedisCli('redis-cli -p http'), /-p needs/);
    assert.throws(() => profileFromRedisCli('redis-cli -h'), /needs a value/);
  });

  it('profileFromText picks the form; -u URL is the base', () => {
    assert.equal(profileFromText(' rediss://h:7').profile.port, 7);
    const d = profileFromText('redis-cli -u rediss://u:pw@h:9/3 -n 5');
    assert.equal(d.profile.host, 'h');
    assert.equal(d.profile.port, 9);
    assert.equal(d.profile.db, 5);
    assert.equal(d.profile.tls, true);
    assert.equal(d.secrets.password, 'pw');
  });
});

describe('profiles: copy as redis-cli', () => {
  it('contains no secret and uses REDISCLI_AUTH; round-trips through the importer', () => {
    const secret = 'Sup3r-Secret-Pw';
    const d = profileFromRedisCli(
      `redis-cli -h h.example -p 6380 -n 1 --user u -a ${secret} --tls --cacert '/p a/ca.pem' --cert c.crt --key k.key --sni s.example`,
    );
    const { command, notes } = toRedisCliCommand(d.profile);
    assert.ok(!command.includes(secret));
    assert.ok(!notes.join('\n').includes(secret));
    assert.ok(notes.some((n) => n.includes('REDISCLI_AUTH')));
    assert.ok(!/\s-a\s|--pass/.test(command));
    const back = profileFromRedisCli(command).profile;
    for (const field of ['host', 'port', 'db', 'username', 'tls', 'servername', 'ca', 'client'] as const) {
      assert.deepEqual(back[field], d.profile[field], field);
    }
  });

  it('says --insecure for unverified profiles and notes imported material', () => {
    const p = emptyProfile({ name: 'x', host: 'h', verify: 'insecure', ca: { kind: 'imported' }, client: { kind: 'pfx', path: '/x.pfx' } });
    const { command, notes } = toRedisCliCommand(p);
    assert.match(command, /--insecure/);
    assert.match(command, /--cacert ca\.pem/);
    assert.ok(notes.some((n) => n.includes('UNVERIFIED')));
    assert.ok(notes.some((n) => n.includes('PKCS#12')));
  });
});

describe('profiles: presets', () => {
  it('fill what each provider needs', () => {
    assert.equal(PRESETS.length, 6);
    assert.equal(findPreset('azure-cache')?.fields.port, 6380);
    assert.equal(findPreset('azure-managed-redis')?.fields.port, 10000);
    assert.equal(findPreset('azure-cache')?.fields.minTlsVersion, 'TLSv1.2');
    assert.equal(findPreset('upstash')?.fields.tls, true);
    assert.equal(findPreset('redis-cloud')?.needsCaFile, true);
    assert.equal(findPreset('gcp-memorystore')?.needsCaFile, true);
    assert.equal(findPreset('gcp-memorystore')?.fields.port, 6378);
    for (const preset of PRESETS) {
      assert.equal(preset.fields.tls, true, preset.id);
      assert.notEqual(preset.fields.verify, 'insecure', preset.id);
      const p = emptyProfile({ name: preset.label, host: preset.hostExample, ...preset.fields });
      assert.deepEqual(validateProfile(p), [], preset.id);
    }
  });
});

describe('profiles: validation', () => {
  it('accepts names, IPs, rejects URLs and junk', () => {
    assert.equal(validateHost('redis.example.com'), undefined);
    assert.equal(validateHost('10.0.0.3'), undefined);
    assert.equal(validateHost('::1'), undefined);
    assert.ok(validateHost(''));
    assert.ok(validateHost('rediss://x'));
    assert.ok(validateHost('a b'));
    assert.equal(validatePort('6380'), undefined);
    assert.ok(validatePort('0'));
    assert.ok(validatePort('70000'));
    assert.ok(validatePort('x'));
  });

  it('reports field problems of a whole profile', () => {
    const p = emptyProfile({
      name: '',
      host: 'h',
      port: 0,
      tls: false,
      ca: { kind: 'file', path: '/ca.pem' },
      verify: 'pin',
      pinSha256: 'zz',
      minTlsVersion: 'TLSv1.3',
      maxTlsVersion: 'TLSv1.2',
    });
    const fields = validateProfile(p)
      .map((e) => e.field)
      .sort();
    assert.deepEqual(fields, ['name', 'pin', 'port', 'tls', 'tlsVersion']);
  });
});

describe('profiles: workspace file', () => {
  it('reads paths relative to the folder and refuses secret fields', () => {
    const r = parseWorkspaceProfiles(
      JSON.stringify({
        profiles: [
          {
            name: 'Staging',
            host: 's.example',
            port: 6380,
            caFile: 'certs/ca.pem',
            certFile: 'c.crt',
            keyFile: 'c.key',
            encryptedKey: true,
            password: 'nope',
          },
          { name: 'Bad' },
        ],
      }),
      '/ws',
      'proj',
    );
    assert.equal(r.profiles.length, 1);
    const p = r.profiles[0];
    assert.equal(p.source, 'workspace');
    assert.equal(p.id, 'ws-proj-staging');
    assert.deepEqual(p.ca, { kind: 'file', path: '/ws/certs/ca.pem', alsoSystem: false });
    assert.deepEqual(p.client, { kind: 'files', certPath: '/ws/c.crt', keyPath: '/ws/c.key', encryptedKey: true });
    assert.ok(!JSON.stringify(p).includes('nope'));
    assert.ok(r.warnings.some((w) => w.includes('"password"')));
    assert.ok(r.warnings.some((w) => w.includes('"name" and "host"')));
  });

  it('reads the file as VS Code edits it (comments, trailing commas) and refuses broken or absurdly nested text', () => {
    const r = parseWorkspaceProfiles(
      '{\n  // shared\n  "profiles": [ { "name": "A", "host": "a", /* TLS port */ "port": 6380, }, ],\n}',
      '/ws',
      'proj',
    );
    assert.deepEqual(
      r.profiles.map((p) => [p.name, p.port]),
      [['A', 6380]],
    );
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(parseWorkspaceProfiles('{ "profiles": [ { "name": ', '/ws', 'proj'), {
      profiles: [],
      warnings: ['not valid JSON'],
      entries: [],
    });
    assert.deepEqual(parseWorkspaceProfiles('['.repeat(1_000_000), '/ws', 'proj'), {
      profiles: [],
      warnings: ['not valid JSON'],
      entries: [],
    });
  });
});

describe('profiles: removing an entry of the workspace file', () => {
  const remove = (text: string, name: string): string => {
    const id = parseWorkspaceProfiles(text, '/ws', 'proj').profiles.find((p) => p.name === name)!.id;
    const edits = removeProfileEdits(text, '/ws', 'proj', id);
    assert.ok(edits, 'edits found');
    const out = applyEdits(text, edits);
    assert.deepEqual(
      parseWorkspaceProfiles(out, '/ws', 'proj').profiles.map((p) => p.name),
      parseWorkspaceProfiles(text, '/ws', 'proj')
        .profiles.map((p) => p.name)
        .filter((n) => n !== name),
    );
    return out;
  };
  const file = [
    '{',
    '  // team profiles',
    '  "profiles": [',
    '    { "name": "A", "host": "a" }, // about A',
    '    // about B',
    '    { "name": "B", "host": "b" },',
    '    /* about C */',
    '    { "name": "C", "host": "c" }',
    '  ]',
    '}',
  ].join('\n');

  it('an entry in the middle goes with its own comment line; every other line stays byte for byte', () => {
    assert.equal(remove(file, 'B'), file.replace('    // about B\n    { "name": "B", "host": "b" },\n', ''));
  });

  it('the last entry takes the comma before it; the comment after that comma stays', () => {
    assert.equal(
      remove(file, 'C'),
      [
        '{',
        '  // team profiles',
        '  "profiles": [',
        '    { "name": "A", "host": "a" }, // about A',
        '    // about B',
        '    { "name": "B", "host": "b" }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('the first entry, a bare array, entries sharing a line, and a profile not in the file', () => {
    assert.ok(!remove(file, 'A').includes('"A"'));
    assert.ok(remove(file, 'A').includes('// team profiles'));
    assert.equal(remove('[{ "name": "A", "host": "a" }, { "name": "B", "host": "b" }]', 'A'), '[{ "name": "B", "host": "b" }]');
    assert.equal(
      remove('{ "profiles": [{ "name": "A", "host": "a" }, { "name": "B", "host": "b" }] }', 'B'),
      '{ "profiles": [{ "name": "A", "host": "a" }] }',
    );
    assert.equal(removeProfileEdits(file, '/ws', 'proj', 'ws-proj-nope'), undefined);
  });
});

describe('profiles: pre-connect checks and resolution (lab certificates)', function () {
  this.timeout(60_000);
  let lab: LabCerts;
  before(async () => {
    lab = await getLab();
  });

  it('a good encrypted identity passes with its passphrase', () => {
    const r = preflight({
      ca: [lab.caBundle.cert],
      cert: lab.clientEncrypted.cert,
      key: lab.clientEncrypted.key,
      passphrase: lab.passphrase,
      warningDays: 0,
    });
    assert.deepEqual(r.errors, []);
    assert.equal(r.keyEncrypted, true);
    assert.ok(r.nearestExpiry instanceof Date);
  });

  it('KEY_PASSPHRASE for a missing or wrong passphrase (PKCS#8 and PKCS#1)', () => {
    for (const entry of [lab.clientEncrypted, lab.clientEncryptedPkcs1]) {
      assert.deepEqual(
        preflight({ cert: entry.cert, key: entry.key }).errors.map((e) => e.code),
        ['KEY_PASSPHRASE'],
      );
      assert.deepEqual(
        preflight({ cert: entry.cert, key: entry.key, passphrase: 'wrong' }).errors.map((e) => e.code),
        ['KEY_PASSPHRASE'],
      );
    }
  });

  it('KEY_MISMATCH, WRONG_PURPOSE and expiry findings', () => {
    assert.deepEqual(
      preflight({ cert: lab.clientMismatchedKey.cert, key: lab.clientMismatchedKey.key }).errors.map((e) => e.code),
      ['KEY_MISMATCH'],
    );
    assert.ok(
      preflight({ cert: lab.clientWrongEku.cert, key: lab.clientWrongEku.key }).errors.some(
        (e) => e.code === 'WRONG_PURPOSE' && e.field === 'cert',
      ),
    );
    assert.ok(preflight({ ca: [lab.expiredServer.cert] }).errors.some((e) => e.code === 'CERT_EXPIRED'));
    const soon = preflight({ ca: [lab.expiringSoonServer.cert], warningDays: 30 });
    assert.deepEqual(soon.errors, []);
    assert.ok(soon.warnings.some((w) => w.code === 'CERT_EXPIRED' && /expires in/.test(w.title)));
    assert.ok(preflight({ ca: ['not a pem'] }).errors.some((e) => e.field === 'ca'));
  });

  it('PKCS#12: the right password opens it, a wrong one is KEY_PASSPHRASE', () => {
    assert.deepEqual(preflight({ pfx: lab.clientPfx.pfx, pfxPassword: lab.clientPfx.password }).errors, []);
    assert.deepEqual(
      preflight({ pfx: lab.clientPfx.pfx, pfxPassword: 'wrong' }).errors.map((e) => e.code),
      ['KEY_PASSPHRASE'],
    );
  });

  it('resolves linked files at connect time (rotation) and CA directories', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'profiles-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      await fs.writeFile(caFile, lab.rootCa.cert);
      const p = emptyProfile({
        name: 'x',
        host: 'localhost',
        ca: { kind: 'file', path: caFile },
        client: { kind: 'files', certPath: lab.clientEncrypted.certPath, keyPath: lab.clientEncrypted.keyPath, encryptedKey: true },
      });
      const first = await resolveConnectionOptions(p, { passphrase: lab.passphrase, password: 'pw' });
      assert.equal(String(first.tls.ca?.[0]), lab.rootCa.cert);
      assert.equal(first.tls.passphrase, lab.passphrase);
      assert.equal(first.password, 'pw');
      await fs.writeFile(caFile, lab.multiCaBundle.cert); // rotated
      const second = await resolveConnectionOptions(p, {});
      assert.equal(String(second.tls.ca?.[0]), lab.multiCaBundle.cert);
      await fs.writeFile(path.join(dir, 'other.crt'), lab.otherRoot.cert);
      await fs.writeFile(path.join(dir, 'notes.txt'), 'ignored');
      const fromDir = await resolveConnectionOptions({ ...p, ca: { kind: 'file', path: dir } }, {});
      assert.equal(fromDir.tls.ca?.length, 2);
      await assert.rejects(
        resolveConnectionOptions({ ...p, ca: { kind: 'file', path: path.join(dir, 'missing.pem') } }, {}),
        (e: unknown) => e instanceof ProfileFileError && e.field === 'ca',
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('checkProfile reads linked files as they are now: a rotated-in expired CA and a missing key are found', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'profiles-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      await fs.writeFile(caFile, lab.caBundle.cert);
      const p = emptyProfile({
        name: 'x',
        host: 'localhost',
        ca: { kind: 'file', path: caFile },
        client: { kind: 'files', certPath: lab.clientEncrypted.certPath, keyPath: lab.clientEncrypted.keyPath },
      });
      assert.deepEqual((await checkProfile(p, { passphrase: lab.passphrase }, undefined, 0)).errors, []);
      const noPass = await checkProfile(p, {}, undefined, 0);
      assert.deepEqual(noPass.errors, [], 'a missing passphrase is asked for on connect, not an error');
      assert.equal(noPass.keyEncrypted, true);
      await fs.writeFile(caFile, lab.expiredServer.cert);
      assert.ok((await checkProfile(p, { passphrase: lab.passphrase })).errors.some((e) => e.code === 'CERT_EXPIRED' && e.field === 'ca'));
      const gone = await checkProfile(
        { ...p, client: { kind: 'files', certPath: lab.client.certPath, keyPath: path.join(dir, 'gone.key') } },
        {},
      );
      assert.ok(gone.errors.some((e) => e.field === 'key'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('profiles: answers of the Add/Edit flow', () => {
  it('link paths, import material into secrets, and never put a secret in the profile', () => {
    const d = applyAnswers({
      host: 'h',
      port: 6380,
      caPath: '/ca.pem',
      certPath: '/c.crt',
      keyPath: '/c.key',
      passphrase: 'pp',
      password: 'pw',
      name: ' N ',
    });
    assert.equal(d.profile.name, 'N');
    assert.deepEqual(d.profile.ca, { kind: 'file', path: '/ca.pem', alsoSystem: undefined });
    assert.equal(d.profile.client.kind, 'files');
    assert.deepEqual(d.secrets, { passphrase: 'pp', password: 'pw' });
    assert.equal(d.profile.hasPassword, true);
    const imported = applyAnswers({
      host: 'h',
      caPem: 'CA-PEM',
      certPem: 'CERT',
      keyPem: '-----BEGIN ENCRYPTED PRIVATE KEY-----',
      alsoSystemCA: true,
    });
    assert.deepEqual(imported.profile.ca, { kind: 'imported', alsoSystem: true });
    assert.deepEqual(imported.profile.client, { kind: 'imported', encryptedKey: true });
    assert.equal(imported.secrets.keyPem, '-----BEGIN ENCRYPTED PRIVATE KEY-----');
    assert.ok(!JSON.stringify(imported.profile).includes('CA-PEM'));
  });

  it('presets fill their fields; edits keep what is not answered; TLS off drops CA and identity', () => {
    const azure = applyAnswers({ preset: 'azure-cache', host: 'x.redis.cache.windows.net' }).profile;
    assert.equal(azure.port, 6380);
    assert.equal(azure.minTlsVersion, 'TLSv1.2');
    assert.equal(azure.preset, 'azure-cache');
    const edited = applyAnswers({ port: 1 }, azure).profile;
    assert.equal(edited.id, azure.id);
    assert.equal(edited.host, azure.host);
    assert.equal(edited.port, 1);
    const reset = applyAnswers({ minTlsVersion: undefined }, azure).profile;
    assert.equal(reset.minTlsVersion, undefined);
    const plain = applyAnswers({ host: 'h', tls: false, caPath: '/ca.pem' });
    assert.deepEqual(plain.profile.ca, { kind: 'system' });
    assert.ok(plain.warnings.length > 0);
  });
});
