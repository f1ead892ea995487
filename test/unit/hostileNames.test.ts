// Hostile key names (issue #9): a name that holds control text is never shown or copied raw.
import * as assert from 'node:assert/strict';
import { copyableName, displayBytes, isPlainText, quoteBytes, unescapeBytes } from '../../src/core/keys/bytes';
import { HOSTILE_NAMES, UNSAFE } from '../integration/hostileNames';

describe('hostile: names (core escaping)', () => {
  it('hostile: names isPlainText checks every byte, not only those before the first non-ASCII one', () => {
    for (const name of HOSTILE_NAMES) assert.equal(isPlainText(name), false, JSON.stringify(name.toString('latin1')));
    assert.equal(isPlainText(Buffer.from('user:1:naïve')), true);
    assert.equal(isPlainText(Buffer.from('日本:キー')), true);
  });

  it('hostile: names are shown escaped by the one display function, with no control, bidi or invisible character left', () => {
    for (const name of HOSTILE_NAMES) {
      const shown = displayBytes(name);
      assert.doesNotMatch(shown, UNSAFE, shown);
      assert.deepEqual(unescapeBytes(shown), name, 'the escapes are exact');
    }
    assert.equal(displayBytes(Buffer.from('é\nrm -rf ~\n')), '\\xc3\\xa9\\nrm -rf ~\\n');
    assert.equal(displayBytes(Buffer.from('é\x1b]52;')), '\\xc3\\xa9\\x1b]52;');
  });

  it("hostile: names Copy Key Name gives redis-cli's quoted form for them, the plain name otherwise", () => {
    for (const name of HOSTILE_NAMES) {
      const copied = copyableName(name);
      assert.equal(copied, quoteBytes(name));
      assert.doesNotMatch(copied, UNSAFE);
      assert.deepEqual(unescapeBytes(copied), name);
    }
    assert.equal(copyableName(Buffer.from('é\nrm -rf ~\n')), '"\\xc3\\xa9\\nrm -rf ~\\n"');
    assert.equal(copyableName(Buffer.from('user:1:naïve')), 'user:1:naïve');
  });
});
