// Runs mocha over the given compiled test files in this (child) process with the spec reporter and
// prints one machine-readable line at the end: MOCHA-RESULT {"passed":N,"failed":N,"pending":N}.
// Usage: node scripts/lib/mocha-child.mjs --timeout 30000 [--grep RE] file.js...
import Mocha from 'mocha';

const args = process.argv.slice(2);
let timeout = 10_000;
let grep;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--timeout') timeout = Number(args[++i]);
  else if (args[i] === '--grep') grep = args[++i];
  else files.push(args[i]);
}

const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout, color: Boolean(process.stdout.isTTY), ...(grep ? { grep } : {}) });
for (const f of files) mocha.addFile(f);

let passed = 0;
let failed = 0;
let pending = 0;
try {
  await mocha.loadFilesAsync();
} catch (err) {
  console.error(`could not load the test files: ${err?.stack ?? err}`);
  console.log(`MOCHA-RESULT ${JSON.stringify({ passed: 0, failed: 1, pending: 0, loadError: true })}`);
  process.exit(1);
}
const runner = mocha.run(() => {
  console.log(`MOCHA-RESULT ${JSON.stringify({ passed, failed, pending })}`);
  // Leftover handles (sockets, timers) must not keep the layer alive.
  setTimeout(() => process.exit(failed ? 1 : 0), 100).unref();
  process.exitCode = failed ? 1 : 0;
});
// RTE_TEST_TITLES=1 (scripts/test-reliability.mjs): one line per test, in the host layer's format.
const titles = process.env.RTE_TEST_TITLES === '1';
runner.on('pass', (t) => {
  passed++;
  if (titles) console.log(`  ok   ${t.fullTitle()}`);
});
runner.on('fail', (t) => {
  failed++;
  if (titles) console.log(`  FAIL ${t.fullTitle()}`);
});
runner.on('pending', () => pending++);
