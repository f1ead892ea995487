// `npm run package`: a production build, then out/redis-tls-explorer.vsix (offline), then its size and
// the list of files in it (the .vscodeignore allowlist decides what goes in).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from './lib/vscode-host.mjs';

const vsce = join(PROJECT_DIR, 'node_modules', '.bin', 'vsce');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: PROJECT_DIR, encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`package: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  return r.stdout;
};

run(process.execPath, ['scripts/build.mjs', '--production'], { stdio: 'inherit' });
mkdirSync(join(PROJECT_DIR, 'out'), { recursive: true });
const vsix = join(PROJECT_DIR, 'out', 'redis-tls-explorer.vsix');
// The README's screenshots are relative (docs/images/, packed too): no repository URL to rewrite them to.
const flags = ['--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links'];
run(vsce, ['package', ...flags, '-o', vsix]);
const files = run(vsce, ['ls', '--no-dependencies'])
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`package: ${vsix} ${kib(statSync(vsix).size)}, ${files.length} files:`);
for (const f of files) console.log(`  ${f.padEnd(48)} ${kib(statSync(join(PROJECT_DIR, f)).size)}`);
