import * as assert from 'node:assert/strict';
import { assertAllowed, commandLabel, isReadCommand, ReadOnlyError } from '../../src/core/client/readOnly';
import { DocumentError, parseDocument } from '../../src/core/edit/document';
import { hexDump, jsonLiteral } from '../../src/core/keys/format';
import { isReadOnlyProfile } from '../../src/core/profiles/profile';
import { resolveConnectionOptions } from '../../src/core/profiles/resolve';
import { parseWorkspaceProfiles } from '../../src/core/profiles/workspaceFile';

describe('read-only allowlist', () => {
  const allowed = (...args: Array<string | Buffer>): boolean => isReadCommand(args);

  it('allows reads and refuses writes, whatever the case or argument type', () => {
    for (const read of [
      ['GET', 'k'],
      ['get', 'k'],
      [Buffer.from('HgetAll'), 'k'],
      ['SCAN', '0'],
      ['TYPE', 'k'],
      ['PTTL', 'k'],
      ['XRANGE', 's', '-', '+'],
      ['EVAL_RO', 'return 1', '0'],
      ['ZRANGE', 'z', '0', '-1'],
    ]) {
      assert.equal(allowed(...read), true, read.join(' '));
    }
    for (const write of [
      ['SET', 'k', 'v'],
      ['DEL', 'k'],
      ['UNLINK', 'k'],
      ['FLUSHALL'],
      ['EVAL', 'return 1', '0'],
      ['SORT', 'k'],
      ['BITFIELD', 'k', 'GET', 'u8', '0'],
      ['PUBLISH', 'c', 'm'],
      ['KEYS', '*'],
      ['SORT_RO', 'k'],
      ['GEORADIUS', 'g', '0', '0', '1', 'm'],
      ['NOSUCHCOMMAND'],
      ['JSON.SET', 'k', '$', '1'],
    ]) {
      assert.equal(allowed(...write), false, write.join(' '));
    }
  });

  it('judges container commands by their subcommand', () => {
    const cases: Array<[string[], boolean]> = [
      [['CONFIG', 'GET', 'maxmemory'], true],
      [['CONFIG', 'SET', 'maxmemory', '1'], false],
      [['CONFIG', 'RESETSTAT'], false],
      [['CONFIG'], false],
      [['CLIENT', 'LIST'], true],
      [['CLIENT', 'SETNAME', 'x'], true],
      [['CLIENT', 'KILL', 'ID', '1'], false],
      [['CLIENT', 'PAUSE', '10'], false],
      [['CLIENT', 'REPLY', 'OFF'], false],
      [['OBJECT', 'ENCODING', 'k'], true],
      [['MEMORY', 'USAGE', 'k'], true],
      [['MEMORY', 'PURGE'], false],
      [['XINFO', 'STREAM', 's'], true],
      [['XGROUP', 'CREATE', 's', 'g', '$'], false],
      [['SCRIPT', 'EXISTS', 'abc'], true],
      [['SCRIPT', 'FLUSH'], false],
      [['SCRIPT', 'LOAD', 'return 1'], false],
      [['FUNCTION', 'LIST'], true],
      [['FUNCTION', 'DELETE', 'lib'], false],
      [['FUNCTION', 'LOAD', 'x'], false],
      [['CLUSTER', 'INFO'], true],
      [['CLUSTER', 'SHARDS'], true],
      [['CLUSTER', 'SLOTS'], true],
      [['CLUSTER', 'RESET'], false],
      [['CLUSTER', 'FAILOVER'], false],
      [['ACL', 'WHOAMI'], true],
      [['ACL', 'SETUSER', 'x'], false],
      [['SLOWLOG', 'GET'], true],
      [['SLOWLOG', 'RESET'], false],
      [['COMMAND'], true],
      [['COMMAND', 'INFO', 'GET'], true],
      [['MODULE', 'LIST'], true],
      [['MODULE', 'LOAD', '/x.so'], false],
      [['MULTI'], true],
      [['EXEC'], true],
      [['WATCH', 'k'], true],
    ];
    for (const [args, expected] of cases) assert.equal(allowed(...args), expected, args.join(' '));
  });

  it('refuses with a typed error that names the profile and the command; off means everything passes', () => {
    assert.doesNotThrow(() => assertAllowed(['SET', 'k', 'v'], false, 'Prod'));
    assert.doesNotThrow(() => assertAllowed(['GET', 'k'], true, 'Prod'));
    assert.throws(
      () => assertAllowed(['config', 'set', 'x', 'y'], true, 'Prod'),
      (e: unknown) => {
        assert.ok(e instanceof ReadOnlyError);
        assert.equal(e.code, 'READ_ONLY_PROFILE');
        assert.equal(e.command, 'CONFIG SET');
        assert.match(e.message, /^Profile "Prod" is read-only: CONFIG SET is not a read command; nothing was sent\./);
        return true;
      },
    );
    assert.throws(() => assertAllowed([], true), /an empty command was refused/);
    // A hostile command name cannot put control characters into the message.
    assert.equal(commandLabel([Buffer.from('SE\x1b[2JT')]), 'SE?[2JT');
  });
});

describe('value documents read back', () => {
  it("reads binary literals (the reader's \\xNN escapes) byte-exact, numbers as written", () => {
    const bin = Buffer.from([0xff, 0x00, 0x22, 0x5c, 0x41]);
    const text = `// hash\n{\n  ${jsonLiteral(Buffer.from('f'))}: ${jsonLiteral(bin)},\n  ${jsonLiteral(bin)}: "text",\n  "n": 12345678901234567890\n}\n`;
    const v = parseDocument('hash', 'jsonc', text);
    assert.ok(v.type === 'hash');
    assert.deepEqual(v.fields, [
      [Buffer.from('f'), bin],
      [bin, Buffer.from('text')],
      [Buffer.from('n'), Buffer.from('12345678901234567890')],
    ]);
  });

  it('reads a hex dump back to its bytes (offset and ASCII columns ignored, a line may hold more bytes)', () => {
    const all = Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 7) & 0xff));
    const doc = hexDump(all) + '\n';
    const v = parseDocument('string', 'hex', doc);
    assert.ok(v.type === 'string');
    assert.deepEqual(v.bytes, all);
    const more = parseDocument('string', 'hex', '00000000  41 42 |AB|\ncafe beef\n');
    assert.ok(more.type === 'string');
    assert.deepEqual(more.bytes, Buffer.from([0x41, 0x42, 0xca, 0xfe, 0xbe, 0xef]));
    assert.throws(
      () => parseDocument('string', 'hex', '00000000  4g'),
      (e: unknown) => e instanceof DocumentError && /not hex/.test(e.problems[0]!.message) && e.problems[0]!.column === 10,
    );
  });

  it('reports every problem with its line and column', () => {
    assert.throws(
      () => parseDocument('set', 'jsonc', '[\n  "a",\n  "a",\n  {}\n]'),
      (e: unknown) => {
        assert.ok(e instanceof DocumentError);
        assert.deepEqual(
          e.problems.map((p) => [p.line, p.column]),
          [
            [2, 2],
            [3, 2],
          ],
        );
        assert.match(e.message, /^Line 3, column 3: duplicate set member.*\(and 1 more problem\)\. Nothing was written\.$/);
        return true;
      },
    );
    assert.throws(() => parseDocument('hash', 'jsonc', '["not", "an object"]'), /a hash document is a JSON object/);
    assert.throws(() => parseDocument('zset', 'jsonc', '{ "m": true }'), /score must be a number/);
    assert.throws(() => parseDocument('stream', 'jsonc', '{ "abc": { "f": "v" } }'), /not a stream id/);
    assert.throws(() => parseDocument('string', 'json', '{"a": 1,}\n'), /invalid JSON/);
  });

  it('RedisJSON (no lab module: RedisJSON is neither a Debian nor an npm package): a whole document reads back as typed; bad JSON or a cut document is a diagnostic', () => {
    const v = parseDocument('ReJSON-RL', 'json', '{\n  "a": [1, 2.50, "x"],\n  "b": null\n}\n');
    assert.deepEqual(v, { type: 'ReJSON-RL', json: '{\n  "a": [1, 2.50, "x"],\n  "b": null\n}' });
    assert.throws(
      () => parseDocument('ReJSON-RL', 'json', '{\n  "a": 1,\n}\n'),
      (e: unknown) => e instanceof DocumentError && e.problems[0]!.line === 2 && /invalid JSON|JSON/.test(e.problems[0]!.message),
    );
    assert.throws(() => parseDocument('ReJSON-RL', 'text', '{"a": 1'), /only a whole RedisJSON document can be edited/);
  });

  it('accepts scores as numbers or inf words, and * ids for new stream entries', () => {
    const z = parseDocument('zset', 'jsonc', '{ "a": -1.5e3, "b": "+inf", "c": "-inf" }');
    assert.ok(z.type === 'zset');
    assert.deepEqual(
      z.members.map(([m, s]) => [m.toString(), s]),
      [
        ['a', '-1.5e3'],
        ['b', '+inf'],
        ['c', '-inf'],
      ],
    );
    const s = parseDocument('stream', 'jsonc', '{ "1-1": { "f": "v" }, "*": { "g": "w" }, "*2": { "h": "x" } }');
    assert.ok(s.type === 'stream');
    assert.deepEqual(
      s.entries.map((e) => e.id),
      ['1-1', '*', '*'],
    );
  });
});

describe('read-only profiles', () => {
  const base = {
    id: 'p',
    name: 'Prod cache',
    host: 'h',
    port: 6380,
    db: 0,
    tls: false,
    verify: 'full' as const,
    ca: { kind: 'system' as const },
    client: { kind: 'none' as const },
    delimiter: ':',
    source: 'user' as const,
  };

  it('production profiles are read-only unless readOnly says otherwise; the connection options carry it', async () => {
    assert.equal(isReadOnlyProfile({}), false);
    assert.equal(isReadOnlyProfile({ production: true }), true);
    assert.equal(isReadOnlyProfile({ production: true, readOnly: false }), false);
    assert.equal(isReadOnlyProfile({ readOnly: true }), true);
    const ro = await resolveConnectionOptions({ ...base, production: true }, {});
    assert.equal(ro.readOnly, true);
    assert.equal(ro.profileName, 'Prod cache');
    const rw = await resolveConnectionOptions(base, {});
    assert.equal(rw.readOnly, undefined);
  });

  it('team profiles take readOnly and production from .vscode/redis-tls.json', () => {
    const r = parseWorkspaceProfiles(
      JSON.stringify({
        profiles: [
          { name: 'A', host: 'a', readOnly: true },
          { name: 'B', host: 'b', production: true },
          { name: 'C', host: 'c', production: true, readOnly: false },
          { name: 'D', host: 'd', readOnly: 'yes' },
        ],
      }),
      '/ws',
      'ws',
    );
    assert.deepEqual(
      r.profiles.map((p) => [p.name, isReadOnlyProfile(p), p.production === true]),
      [
        ['A', true, false],
        ['B', true, true],
        ['C', false, true],
        ['D', false, false],
      ],
    );
  });
});
