import * as assert from 'node:assert/strict';
import { hexDump, isText, jsonLiteral, prettyJson, scoreLiteral } from '../../src/core/keys/format';

describe('value formatting', () => {
  it('pretty-prints JSON objects and arrays, keeping every literal as stored', () => {
    const text = '{"id":12345678901234567890,"f":1.10,"s":"a,b:{c}","e":{},"l":[1,[]],"esc":"q\\"x"}';
    const pretty = prettyJson(text);
    assert.ok(pretty);
    assert.match(pretty, /"id": 12345678901234567890,/, 'big integers are not rounded');
    assert.match(pretty, /"f": 1\.10,/);
    assert.match(pretty, /"s": "a,b:\{c\}"/);
    assert.match(pretty, /"e": \{\}/);
    assert.match(pretty, /"esc": "q\\"x"/);
    assert.deepEqual(JSON.parse(pretty), JSON.parse(text));
    assert.equal(pretty.split('\n')[1], '  "id": 12345678901234567890,');
  });

  it('does not treat scalars, broken or hostile JSON as JSON', () => {
    assert.equal(prettyJson('42'), undefined);
    assert.equal(prettyJson('"text"'), undefined);
    assert.equal(prettyJson('{"a":'), undefined);
    assert.equal(prettyJson('['.repeat(10) + ']'.repeat(9)), undefined);
    assert.equal(prettyJson('{"__proto__":{"x":1}}')?.includes('"__proto__"'), true);
  });

  it('tells text from binary', () => {
    assert.equal(isText(Buffer.from('line1\nline2\ttab\r\n')), true);
    assert.equal(isText(Buffer.from('ünïcödé')), true);
    assert.equal(isText(Buffer.from([0x00, 0x01])), false);
    assert.equal(isText(Buffer.from([0xc3, 0x28])), false);
    assert.equal(isText(Buffer.from('\x1b[31mred')), false, 'terminal escapes are binary');
  });

  it('dumps bytes in hex with offsets and printable ASCII', () => {
    const dump = hexDump(Buffer.from('Hello, binary\x00\x01\xff world!'), 0x20);
    const lines = dump.split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[0], '00000020  48 65 6c 6c 6f 2c 20 62  69 6e 61 72 79 00 01 c3  |Hello, binary...|');
    assert.match(
      lines[1] as string,
      /^00000030 {2}bf 20 77 6f 72 6c 64 21 +\|\. world!\|$/,
      'the UTF-8 tail byte of U+00FF is not printable ASCII',
    );
    assert.equal(hexDump(Buffer.alloc(0)), '');
  });

  it('renders strings as JSON literals, binary escaped and marked', () => {
    assert.equal(jsonLiteral(Buffer.from('a "quote"\n')), '"a \\"quote\\"\\n"');
    assert.equal(jsonLiteral(Buffer.from([0xff, 0x41])), '"\\\\xffA" /* binary, \\xNN escaped */');
    assert.equal(jsonLiteral(Buffer.from('*/ evil')), '"*/ evil"', 'text never leaves its string literal');
  });

  it('renders scores as numbers only when they are JSON numbers', () => {
    assert.equal(scoreLiteral(Buffer.from('1.5')), '1.5');
    assert.equal(scoreLiteral(Buffer.from('-3')), '-3');
    assert.equal(scoreLiteral(Buffer.from('1.0000000000000001e+20')), '1.0000000000000001e+20');
    assert.equal(scoreLiteral(Buffer.from('inf')), '"inf"');
    assert.equal(scoreLiteral(Buffer.from('-inf')), '"-inf"');
  });
});
