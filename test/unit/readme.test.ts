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

  it('escapes table cells so a pipe in a description cannot break a row', () => {
    const t = settingsTable({ contributes: { configuration: { properties: { a: { default: 1, description: 'x | y\nz' } } } } });
    assert.ok(t.endsWith('| `a` | `1` |  | x \\| y z |'), t);
  });
});
