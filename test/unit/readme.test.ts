import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { regenerate, settingsTable, troubleshootingTable } from '../docs/readmeTables';
import { DIAGNOSIS_CODES } from '../../src/core/diagnosis/problem';

const projectDir = join(__dirname, '..', '..', '..');

describe('README generated sections', () => {
  it('match package.json settings and the diagnosis catalogue (run `npm run docs:readme` after changing either)', () => {
    const readme = readFileSync(join(projectDir, 'README.md'), 'utf8');
    assert.equal(regenerate(readme, projectDir), readme);
  });

  it('list every diagnosis code and every setting', () => {
    const table = troubleshootingTable();
    for (const code of DIAGNOSIS_CODES) assert.match(table, new RegExp(`\\| \`${code}\` \\|`));
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
    const settings = settingsTable(pkg);
    for (const name of Object.keys(pkg.contributes.configuration.properties)) assert.ok(settings.includes(`\`${name}\``), name);
  });

  it('shows exactly the screenshots `npm run docs:screenshots` copies to docs/images/ (and the package carries them)', () => {
    const readme = readFileSync(join(projectDir, 'README.md'), 'utf8');
    const script = readFileSync(join(projectDir, 'scripts', 'docs-screenshots.mjs'), 'utf8');
    const list = /README_SCREENSHOTS = \[([^\]]*)\]/.exec(script)?.[1] ?? '';
    const copied = [...list.matchAll(/'e2e-([\w-]+\.png)'/g)].map((m) => m[1]).sort();
    const shown = [...readme.matchAll(/!\[[^\]]+\]\(docs\/images\/([\w-]+\.png)\)/g)].map((m) => m[1]).sort();
    assert.ok(copied.length > 0);
    assert.deepEqual(shown, copied);
    assert.match(readFileSync(join(projectDir, '.vscodeignore'), 'utf8'), /^!docs\/images\/\*\.png$/m);
  });

  it('escapes table cells so a pipe in a description cannot break a row', () => {
    const t = settingsTable({ contributes: { configuration: { properties: { a: { default: 1, description: 'x | y\nz' } } } } });
    assert.ok(t.endsWith('| `a` | `1` |  | x \\| y z |'), t);
  });
});
