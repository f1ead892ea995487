// Shared by the benchmarks (scripts/bench-*.mjs): build dist/, compile the lab and core into out/,
// and the median of a list of timings.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** `npm run build` (when `build`), then `tsc -p tsconfig.test.json` (it emits even when unrelated files fail to type-check); throws when a needed file is missing. */
export function prepareBench(root, { build = true, need = [] } = {}) {
  if (build && spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0) throw new Error('npm run build failed');
  spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: root, stdio: 'ignore' });
  for (const f of need) if (!existsSync(join(root, f))) throw new Error(`${f} missing after compiling`);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Counts the lines (newline bytes) a child process writes to `stream`; read `.lines` when it closed. */
export function countLines(stream) {
  const counter = { lines: 0 };
  stream.on('data', (b) => {
    let i = -1;
    while ((i = b.indexOf(10, i + 1)) !== -1) counter.lines++;
  });
  return counter;
}
