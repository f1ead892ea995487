// `npm run docs:screenshots`: runs the e2e layer (which writes test/artifacts/e2e-*.png from the real
// workbench) and copies the screenshots the README shows into docs/images/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './lib/vscode-host.mjs';

export const README_SCREENSHOTS = [
  'e2e-first-run.png',
  'e2e-key-tree.png',
  'e2e-cert-panel.png',
  'e2e-add-connection.png',
  'e2e-walkthrough.png',
  'e2e-terminal.png',
  'e2e-edit-hash.png',
  'e2e-cluster-nodes.png',
  'e2e-redis-conf.png',
];

const r = spawnSync(process.execPath, ['scripts/test.mjs', 'e2e'], { cwd: PROJECT_DIR, stdio: 'inherit' });
if (r.status !== 0) console.error('docs:screenshots: the e2e layer failed; copying what it wrote');
const dest = join(PROJECT_DIR, 'docs', 'images');
mkdirSync(dest, { recursive: true });
let copied = 0;
for (const name of README_SCREENSHOTS) {
  const src = join(PROJECT_DIR, 'test', 'artifacts', name);
  if (!existsSync(src)) {
    console.log(`docs:screenshots: missing ${name}`);
    continue;
  }
  copyFileSync(src, join(dest, name.replace(/^e2e-/, '')));
  copied++;
}
console.log(`docs:screenshots: ${copied} of ${README_SCREENSHOTS.length} copied to docs/images/`);
process.exit(r.status === 0 ? 0 : 1);
