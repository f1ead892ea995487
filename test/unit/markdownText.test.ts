// Plain text in hovers and tooltips: escaped for Markdown, spaces kept breakable (VS Code's own
// appendText makes every space a non-breaking one, so hovers broke words in the middle).
import * as assert from 'node:assert/strict';
import { escapeMarkdownText } from '../../src/platform/markdownText';

/** What a reader sees: the escapes undone (CommonMark renders "\x" as "x" for ASCII punctuation). */
const rendered = (md: string): string => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');

describe('escapeMarkdownText (hover and tooltip text)', () => {
  it('keeps ordinary, breakable spaces between words: no &nbsp;, no word split or joined', () => {
    const text = 'The certificate is not valid for this host name: it lists redis.internal.example.com and *.cache.example.com';
    const md = escapeMarkdownText(text);
    assert.ok(!md.includes('&nbsp;') && !md.includes('\u00a0'), md);
    assert.deepEqual(rendered(md).split(' '), text.split(' '), 'every word boundary is a plain space, and only there');
  });

  it('escapes what Markdown would read inside a line, so server strings render literally', () => {
    const text = '*bold* _x_ `code` [link](http://evil) <img src=x> a # h | t ~ $(icon) 1. a & b \\ key:1:name 2026-11-29';
    const md = escapeMarkdownText(text);
    assert.equal(rendered(md), text);
    // Take out every escaped pair: no inline Markdown character may be left on its own.
    assert.doesNotMatch(md.replace(/\\./g, ''), /[*_`[\]<>|~$&\\]/, md);
    assert.match(md, /key:1:name 2026-11-29$/, 'nothing else is touched');
  });

  it('escapes what would start a block at the beginning of a line: heading, quote, list, rule, ordered list', () => {
    const text = '# heading\n> quote\n- item\n+ item\n---\n===\n12. twelve\n3) three';
    const md = escapeMarkdownText(text);
    assert.equal(rendered(md).replace(/\n\n/g, '\n'), text);
    for (const line of md.split('\n\n')) assert.match(line, /^(\\[#>+=-]|\d+\\[.)])/, line);
  });

  it('a line break starts a new paragraph; indentation does not become a code block; tabs are spaces', () => {
    assert.equal(escapeMarkdownText('one\n    two\tthree'), 'one\n\ntwo three');
    assert.equal(escapeMarkdownText('a\r\nb'), 'a\n\nb');
  });
});
