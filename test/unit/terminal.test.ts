import * as assert from 'node:assert/strict';
import { quoteArg, repeatPrefix, splitArgs } from '../../src/core/terminal/args';
import { askFirst, CommandCatalog, isStreaming, parseCommandDocs } from '../../src/core/terminal/commands';
import { formatReply } from '../../src/core/terminal/format';
import { History, isSensitiveLine } from '../../src/core/terminal/history';
import { LineEditor } from '../../src/core/terminal/lineEditor';
import { TypedReplyParser, type TypedReply } from '../../src/core/terminal/resp';
import { isHelloBeyond2, routingKey, toReply } from '../../src/core/terminal/session';
import { ReplyError } from '../../src/core/resp/replyTypes';
import { terminalText } from '../../src/core/terminal/repl';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const words = (line: string): string[] | undefined => splitArgs(line)?.map((a) => a.toString('latin1'));

describe('terminal: redis-cli argument splitting (sdssplitargs)', () => {
  const table: Array<[string, string[] | undefined]> = [
    ['SET a b', ['SET', 'a', 'b']],
    ['  GET   a  ', ['GET', 'a']],
    ['SET k "hello world"', ['SET', 'k', 'hello world']],
    ["SET k 'it\\'s'", ['SET', 'k', "it's"]],
    ["SET k 'a\\nb'", ['SET', 'k', 'a\\nb']],
    ['SET k "a\\nb\\r\\t\\b\\a"', ['SET', 'k', 'a\nb\r\t\b\x07']],
    ['SET k "\\x41\\xff\\x0"', ['SET', 'k', 'A\xffx0']],
    ['SET k "\\"q\\" \\\\"', ['SET', 'k', '"q" \\']],
    ['SET k ""', ['SET', 'k', '']],
    ['SET k foo"bar baz"', ['SET', 'k', 'foobar baz']],
    ['SET k "unterminated', undefined],
    ["SET k 'unterminated", undefined],
    ['SET k "a"b', undefined],
    ["SET k 'a'b", undefined],
    ['', []],
  ];
  for (const [line, expected] of table) {
    it(JSON.stringify(line), () => assert.deepEqual(words(line), expected));
  }
  it('is binary safe: UTF-8 text stays UTF-8, \\xHH gives any byte', () => {
    const args = splitArgs('SET "\\x00\\xc3" "é"') as Buffer[];
    assert.deepEqual([...(args[1] as Buffer)], [0, 0xc3]);
    assert.deepEqual([...(args[2] as Buffer)], [0xc3, 0xa9]);
  });
  it("repeat prefix as redis-cli's repl reads it (strtol base 10, more than one word, > 0)", () => {
    const rep = (line: string): unknown => {
      const r = repeatPrefix(splitArgs(line) as Buffer[]);
      return r === 'invalid' ? r : [r.count, r.rest.map((a) => a.toString('latin1'))];
    };
    assert.deepEqual(rep('3 PING'), [3, ['PING']]);
    assert.deepEqual(rep('+2 INCR x'), [2, ['INCR', 'x']]);
    assert.deepEqual(rep('" 3" PING'), [3, ['PING']]);
    assert.deepEqual(rep('007 GET k'), [7, ['GET', 'k']]);
    assert.deepEqual(rep('PING'), [1, ['PING']]);
    assert.deepEqual(rep('3'), [1, ['3']], 'a lone number is a command');
    assert.deepEqual(rep('3x PING'), [1, ['3x', 'PING']]);
    assert.deepEqual(rep('0x10 PING'), [1, ['0x10', 'PING']]);
    assert.deepEqual(rep('" " PING'), [1, [' ', 'PING']]);
    for (const l of ['0 PING', '-1 PING', '-0 PING', '"" PING', '99999999999999999999 PING', '2147483648 PING'])
      assert.equal(rep(l), 'invalid', l);
  });
  it('quoteArg gives text that splits back to the same bytes', () => {
    for (const raw of [b('plain'), b('with space'), b('q"uote'), b('\x00\xff\n'), b(''), b("it's")]) {
      assert.deepEqual(splitArgs(`GET ${quoteArg(raw)}`)?.[1], raw);
    }
  });
});

function parseAll(input: Buffer, chunk: number, maxBytes = 1 << 20): { replies: TypedReply[]; fatal?: string } {
  const out: { replies: TypedReply[]; fatal?: string } = { replies: [] };
  const p = new TypedReplyParser(
    (r) => out.replies.push(r),
    (reason) => {
      out.fatal = reason;
    },
    { maxBytes },
  );
  for (let i = 0; i < input.length; i += chunk) p.feed(input.subarray(i, i + chunk));
  return out;
}

describe('terminal: typed RESP decoder', () => {
  const wire = b(
    '+OK\r\n$5\r\nhello\r\n:-42\r\n$-1\r\n*-1\r\n-ERR bad\r\n*3\r\n:1\r\n*2\r\n+st\r\n$0\r\n\r\n*0\r\n%1\r\n+k\r\n,1.5\r\n~1\r\n#t\r\n_\r\n(123\r\n=7\r\ntxt:abc\r\n|1\r\n+a\r\n+b\r\n:7\r\n',
  );
  const expected: TypedReply[] = [
    { type: 'status', value: b('OK') },
    { type: 'string', value: b('hello') },
    { type: 'integer', value: '-42' },
    { type: 'nil' },
    { type: 'nil' },
    { type: 'error', value: b('ERR bad') },
    {
      type: 'array',
      items: [
        { type: 'integer', value: '1' },
        {
          type: 'array',
          items: [
            { type: 'status', value: b('st') },
            { type: 'string', value: b('') },
          ],
        },
        { type: 'array', items: [] },
      ],
    },
    {
      type: 'map',
      items: [
        { type: 'status', value: b('k') },
        { type: 'double', value: '1.5' },
      ],
    },
    { type: 'set', items: [{ type: 'bool', value: true }] },
    { type: 'nil' },
    { type: 'bignum', value: '123' },
    { type: 'verbatim', format: 'txt', value: b('abc') },
    { type: 'integer', value: '7' },
  ];
  it('decodes every type whole, and byte by byte, the same', () => {
    assert.deepEqual(parseAll(wire, wire.length).replies, expected);
    assert.deepEqual(parseAll(wire, 1).replies, expected);
    assert.deepEqual(parseAll(wire, 7).replies, expected);
  });
  it('refuses a declared length over the cap, deep nesting and an unknown type byte', () => {
    assert.match(parseAll(b('$2000\r\n'), 3, 1000).fatal ?? '', /exceeds/);
    assert.match(parseAll(b('*1\r\n'.repeat(100)), 5).fatal ?? '', /nested deeper/);
    assert.match(parseAll(b('?what\r\n'), 1).fatal ?? '', /unknown reply type/);
  });
  it('caps a whole reply, not only each declared length: elements past the cap and counts that cannot fit', () => {
    const part = `$400\r\n${'a'.repeat(400)}\r\n`;
    // Each string is under the cap; together they are not.
    assert.match(parseAll(b(`*3\r\n${part.repeat(3)}`), 64, 1000).fatal ?? '', /larger than the 1000-byte cap/);
    assert.match(parseAll(b(`%2\r\n${part.repeat(4)}`), 1000, 1000).fatal ?? '', /larger than the 1000-byte cap/);
    // 400 elements of at least 3 bytes cannot fit in 1000 bytes: refused from the header.
    assert.match(parseAll(b('*400\r\n'), 100, 1000).fatal ?? '', /larger than the 1000-byte cap/);
    assert.match(parseAll(b('~400\r\n'), 100, 1000).fatal ?? '', /larger than the 1000-byte cap/);
    // Pipelined replies each under the cap are fine, however many arrive in one chunk.
    const fine = parseAll(b(`*2\r\n${part.repeat(2)}`.repeat(5)), 100_000, 1000);
    assert.equal(fine.fatal, undefined);
    assert.equal(fine.replies.length, 5);
  });
  it('holds a long bulk string without re-parsing it per chunk', () => {
    const big = Buffer.alloc(300_000, 0x61);
    const input = Buffer.concat([b('$300000\r\n'), big, b('\r\n')]);
    const r = parseAll(input, 1000, 1 << 20);
    assert.equal(r.replies.length, 1);
    assert.equal((r.replies[0] as { value: Buffer }).value.length, 300_000);
  });
});

describe('terminal: reply formats (RESP3 types, beyond what the redis-cli table covers)', () => {
  it('formats maps, sets, doubles, booleans as redis-cli 7.0 does on a TTY', () => {
    const map: TypedReply = {
      type: 'map',
      items: [
        { type: 'string', value: b('a') },
        { type: 'double', value: '1.5' },
        { type: 'string', value: b('b') },
        { type: 'array', items: [{ type: 'bool', value: false }, { type: 'nil' }] },
      ],
    };
    assert.equal(formatReply(map, 'tty').toString(), '1# "a" => (double) 1.5\n2# "b" => \n   1) (false)\n   2) (nil)\n');
    assert.equal(formatReply(map, 'raw').toString(), 'a 1.5\nb (false)\n\n');
    const set: TypedReply = { type: 'set', items: [{ type: 'string', value: b('x') }] };
    assert.equal(formatReply(set, 'tty').toString(), '1~ "x"\n');
    assert.equal(formatReply({ type: 'set', items: [] }, 'tty').toString(), '(empty set)\n');
    assert.equal(formatReply({ type: 'map', items: [] }, 'tty').toString(), '(empty hash)\n');
  });
  it("toReply gives the client's RESP2 shape of RESP3 replies (COMMAND DOCS, SCAN after HELLO 3)", () => {
    const r = toReply({
      type: 'map',
      items: [
        { type: 'string', value: b('k') },
        { type: 'set', items: [{ type: 'status', value: b('x') }] },
        { type: 'verbatim', format: 'txt', value: b('v') },
        {
          type: 'array',
          items: [{ type: 'integer', value: '5' }, { type: 'nil' }, { type: 'bool', value: true }, { type: 'double', value: '1.5' }],
        },
      ],
    });
    assert.deepEqual(r, [b('k'), [b('x')], b('v'), [5, null, 1, b('1.5')]]);
    assert.ok(toReply({ type: 'error', value: b('ERR x') }) instanceof ReplyError);
  });
  it('HELLO asking for RESP3 (or anything but 2) is what switches the decoder', () => {
    assert.equal(isHelloBeyond2(splitArgs('hello 3') as Buffer[]), true);
    assert.equal(isHelloBeyond2(splitArgs('HELLO 3 AUTH u p') as Buffer[]), true);
    assert.equal(isHelloBeyond2(splitArgs('HELLO 2') as Buffer[]), false);
    assert.equal(isHelloBeyond2(splitArgs('HELLO') as Buffer[]), false);
    assert.equal(isHelloBeyond2(splitArgs('GET 3') as Buffer[]), false);
  });
  it('terminalText keeps a reply from driving the terminal', () => {
    assert.equal(terminalText(b('a\x1b[2Jb\nc')), 'a\\x1b[2Jb\r\nc');
    // INFO's CRLF line ends are line breaks; a lone CR (overwriting the line) is shown.
    assert.equal(terminalText(b('# Server\r\nx:1\r\n\rz')), '# Server\r\nx:1\r\n\\x0dz');
  });
});

describe('terminal: history never stores secrets', () => {
  const sensitive = [
    'AUTH pass',
    'auth user pass',
    'HELLO 2 AUTH u p',
    'hello 3 setname x auth u p',
    'ACL SETUSER bob on >secret ~*',
    'acl setuser bob #abc',
    'CONFIG SET requirepass x',
    'config set maxmemory 1 masterauth x',
    'MIGRATE h 1 "" 0 5 AUTH p KEYS a',
    'NODE 1.2.3.4:7000 AUTH x',
    'AUTH "unterminated',
  ];
  const fine = ['GET auth', 'SET k v', 'ACL SETUSER bob on ~* +@all', 'CONFIG SET maxmemory 100mb', 'HELLO 2', 'ACL LIST'];
  for (const l of sensitive) it(`drops: ${l}`, () => assert.equal(isSensitiveLine(l), true));
  for (const l of fine) it(`keeps: ${l}`, () => assert.equal(isSensitiveLine(l), false));
  it('navigates up and down, keeping the draft, and filters what it is given', () => {
    const h = new History(['GET a', 'AUTH x', 'GET b']);
    assert.deepEqual(h.lines, ['GET a', 'GET b']);
    assert.equal(h.add('AUTH y'), false);
    assert.equal(h.add('GET b'), false);
    assert.equal(h.previous('draft'), 'GET b');
    assert.equal(h.previous(''), 'GET a');
    assert.equal(h.previous(''), undefined);
    assert.equal(h.next(), 'GET b');
    assert.equal(h.next(), 'draft');
  });
});

describe('terminal: line editor', () => {
  it('edits with arrows, home/end and Ctrl+A/E/U/W/K', () => {
    const e = new LineEditor();
    e.feed('GET ky');
    e.feed('\x1b[D');
    e.feed('e');
    assert.equal(e.line, 'GET key');
    e.feed('\x01X');
    assert.equal(e.line, 'XGET key');
    e.feed('\x7f\x1b[3~\x05 more words');
    assert.equal(e.line, 'ET key more words');
    e.feed('\x17');
    assert.equal(e.line, 'ET key more ');
    e.feed('\x17\x17');
    assert.equal(e.line, 'ET ');
    e.feed('\x1b[H\x1b[C\x1b[C\x0b');
    assert.equal(e.line, 'ET');
    e.feed('\x15');
    assert.equal(e.line, '');
  });
  it('submits, interrupts, completes and ends as events; history with up/down', () => {
    const h = new History(['PING']);
    const e = new LineEditor(h);
    assert.deepEqual(
      e.feed('\x1b[A').map((x) => x.kind),
      ['changed'],
    );
    assert.equal(e.line, 'PING');
    assert.deepEqual(e.feed('\r'), [{ kind: 'submit', line: 'PING' }]);
    assert.deepEqual(
      e.feed('ab\x03').map((x) => x.kind),
      ['changed', 'interrupt'],
    );
    assert.equal(e.line, '');
    assert.deepEqual(
      e.feed('\t').map((x) => x.kind),
      ['complete'],
    );
    assert.deepEqual(
      e.feed('\x04').map((x) => x.kind),
      ['eof'],
    );
  });
  it('renders the prompt, the line, a grey hint and puts the cursor back', () => {
    const e = new LineEditor();
    e.feed('GET k\x1b[D');
    assert.equal(e.render('h:1> ', ' key'), '\r\x1b[Kh:1> GET k\x1b[90m key\x1b[0m\x1b[5D');
  });
});

describe('terminal: command catalogue, hints, ask-first and streaming', () => {
  // A COMMAND DOCS reply as RESP2 delivers it (flat field/value arrays).
  const docs = [
    b('set'),
    [
      b('summary'),
      b('Set'),
      b('arguments'),
      [
        [b('name'), b('key'), b('type'), b('key')],
        [b('name'), b('value'), b('type'), b('string')],
        [
          b('name'),
          b('condition'),
          b('type'),
          b('oneof'),
          b('flags'),
          [b('optional')],
          b('arguments'),
          [
            [b('name'), b('nx'), b('type'), b('pure-token'), b('token'), b('NX')],
            [b('name'), b('xx'), b('type'), b('pure-token'), b('token'), b('XX')],
          ],
        ],
        [b('name'), b('get'), b('type'), b('pure-token'), b('token'), b('GET'), b('flags'), [b('optional')]],
      ],
    ],
    b('config'),
    [
      b('summary'),
      b('x'),
      b('subcommands'),
      [
        b('config|set'),
        [
          b('arguments'),
          [
            [
              b('name'),
              b('data'),
              b('type'),
              b('block'),
              b('flags'),
              [b('multiple')],
              b('arguments'),
              [
                [b('name'), b('parameter'), b('type'), b('string')],
                [b('name'), b('value'), b('type'), b('string')],
              ],
            ],
          ],
        ],
      ],
    ],
    b('del'),
    [b('arguments'), [[b('name'), b('key'), b('type'), b('key'), b('flags'), [b('multiple')]]]],
  ];
  const catalog = new CommandCatalog(parseCommandDocs(docs));
  it('builds redis-cli synopses from COMMAND DOCS', () => {
    assert.deepEqual(
      catalog.docs.map((d) => [d.name, d.params]),
      [
        ['CONFIG', ''],
        ['CONFIG SET', 'parameter value [parameter value ...]'],
        ['DEL', 'key [key ...]'],
        ['SET', 'key value [NX|XX] [GET]'],
      ],
    );
  });
  it('hints what is left to type, as redis-cli does', () => {
    assert.equal(catalog.hint('set'), ' key value [NX|XX] [GET]');
    assert.equal(catalog.hint('SET '), 'key value [NX|XX] [GET]');
    assert.equal(catalog.hint('SET k'), ' value [NX|XX] [GET]');
    assert.equal(catalog.hint('SET k v '), '[NX|XX] [GET]');
    assert.equal(catalog.hint('config set '), 'parameter value [parameter value ...]');
    assert.equal(catalog.hint('nosuch '), '');
    assert.deepEqual(catalog.namesStartingWith('co'), ['CONFIG', 'CONFIG SET']);
  });
  it('asks first for the destructive and expensive commands', () => {
    for (const l of [
      'FLUSHALL',
      'flushdb async',
      'KEYS *',
      'DEBUG SLEEP 0',
      'SHUTDOWN',
      'config set maxmemory 1',
      'SCRIPT FLUSH',
      'function flush',
      'CLUSTER RESET',
      'SWAPDB 0 1',
    ]) {
      assert.ok(askFirst(splitArgs(l) as Buffer[]), l);
    }
    for (const l of ['GET k', 'CONFIG GET maxmemory', 'SCRIPT EXISTS x', 'CLUSTER INFO'])
      assert.equal(askFirst(splitArgs(l) as Buffer[]), undefined, l);
    assert.equal(isStreaming(splitArgs('psubscribe a*') as Buffer[]), true);
    assert.equal(isStreaming(splitArgs('PUBLISH a b') as Buffer[]), false);
  });
  it('routes cluster commands by their key, not by scripts or patterns', () => {
    const key = (l: string): string | undefined => routingKey(splitArgs(l) as Buffer[])?.toString();
    assert.equal(key('GET user:1'), 'user:1');
    assert.equal(key('KEYS user:*'), undefined);
    assert.equal(key('EVAL "return 1" 1 k1'), 'k1');
    assert.equal(key('EVAL "return 1" 0'), undefined);
    assert.equal(key('OBJECT ENCODING k'), 'k');
    assert.equal(key('PUBLISH ch m'), undefined);
  });
});
