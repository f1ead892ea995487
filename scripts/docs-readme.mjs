// `npm run docs:readme`: rewrites the README's generated tables (settings from package.json, every
// diagnosis code from the catalogue). test/unit/readme.test.ts fails when they drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { PROJECT_DIR } from './lib/vscode-host.mjs';

const require = createRequire(import.meta.url);
const compiled = join(PROJECT_DIR, 'out', 'test', 'docs', 'readmeTables.js');
const { regenerate } = require(compiled);
const path = join(PROJECT_DIR, 'README.md');
const before = readFileSync(path, 'utf8');
const after = regenerate(before, PROJECT_DIR);
if (after === before) console.log('docs:readme: README.md is up to date');
else {
  writeFileSync(path, after);
  console.log('docs:readme: README.md tables regenerated');
}
