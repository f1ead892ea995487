// The test runner behind `npm test`.
//   node scripts/test.mjs [unit] [integration] [vscode-host] [e2e] [--grep RE] [--verbose]
// Builds the extension, compiles the tests into out/, then runs the layers in that order (all four
// when none is named). Every layer prints exactly one line `LAYER: N passed, N failed`; the last line
// is the total `N passed, N failed`. A layer that finds no tests or lacks a prerequisite counts as
// failed and names what is missing. Exit code 0 only when every layer ran and passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnGroup, hasCommand } from './lib/procs.mjs';
import { PROJECT_DIR, PrerequisiteError, ensureCodeServer } from './lib/vscode-host.mjs';
import { chromiumPath } from './lib/chromium.mjs';
import { runHostLayer } from './lib/host-layer.mjs';

const LAYERS = ['unit', 'integration', 'vscode-host', 'e2e'];
const ALIASES = { host: 'vscode-host' };
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const grepIdx = argv.indexOf('--grep');
const grep = grepIdx >= 0 ? argv[grepIdx + 1] : undefined;
const named = argv.filter((a, i) => !a.startsWith('--') && !(grepIdx >= 0 && i === grepIdx + 1)).map((a) => ALIASES[a] ?? a);
for (const n of named) {
  if (!LAYERS.includes(n)) {
    console.error(`unknown layer "${n}"; layers: ${LAYERS.join(', ')}`);
    process.exit(2);
  }
}
const selected = named.length ? LAYERS.filter((l) => named.includes(l)) : LAYERS;
if (grep) process.env.RTE_TEST_GREP = grep;

/** Per-layer settings: where the compiled tests are, which suffix, mocha timeout, layer time limit. */
const CONFIG = {
  unit: { dir: 'test/unit', suffix: '.test', timeout: 10_000, limitMs: 5 * 60_000 },
  integration: { dir: 'test/integration', suffix: '.test', timeout: 30_000, limitMs: 15 * 60_000 },
  'vscode-host': { dir: 'test/host', suffix: '.test' },
  e2e: { dir: 'test/e2e', suffix: '.e2e', timeout: 120_000, limitMs: 20 * 60_000 },
};

const t = (ms) => `${(ms / 1000).toFixed(1)} s`;

function run(cmd, args, what) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: PROJECT_DIR, stdio: 'inherit' });
  if (r.status !== 0) return `${what} failed (exit ${r.status ?? r.signal})`;
  console.log(`  (${what} took ${t(Date.now() - t0)})`);
  return null;
}

/**
 * Compiled test files of a layer whose TypeScript source still exists (out/ may hold stale files
 * of deleted tests; out/ is shared by everyone working in this tree, so it is not wiped).
 */
function testFiles(layer) {
  const { dir, suffix } = CONFIG[layer];
  const outDir = join(PROJECT_DIR, 'out', dir);
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(`${suffix}.js`))
    .filter((f) => existsSync(join(PROJECT_DIR, dir, f.replace(/\.js$/, '.ts'))))
    .sort()
    .map((f) => join(outDir, f));
}

/** redis-server built with TLS, and openssl; returns the missing prerequisite's name or null. */
function integrationPrerequisite() {
  const redis = hasCommand('redis-server');
  if (!redis) return 'redis-server (apt-get install redis-server)';
  const ldd = spawnSync('ldd', [redis], { encoding: 'utf8' });
  const tlsModule = ['/usr/lib/redis/modules/redis-tls.so'].some((p) => existsSync(p));
  if (!/libssl/.test(ldd.stdout ?? '') && !tlsModule) return 'redis-server with TLS support (it is not linked with libssl)';
  if (!hasCommand('openssl')) return 'openssl (apt-get install openssl)';
  return null;
}

/** Runs mocha in a child process group; parses its MOCHA-RESULT line. */
async function runMochaLayer(layer, files) {
  const { timeout, limitMs } = CONFIG[layer];
  const args = [
    join(PROJECT_DIR, 'scripts', 'lib', 'mocha-child.mjs'),
    '--timeout',
    String(timeout),
    ...(grep ? ['--grep', grep] : []),
    ...files,
  ];
  let result = null;
  const child = spawnGroup(process.execPath, args, {
    cwd: PROJECT_DIR,
    env: { ...process.env, RTE_TEST_LAYER: layer, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    name: `mocha ${layer}`,
    onLine: (line) => {
      const m = /^MOCHA-RESULT (\{.*\})$/.exec(line);
      if (m) result = JSON.parse(m[1]);
      else console.log(line);
    },
  });
  let timer;
  const limit = new Promise((r) => (timer = setTimeout(() => r('timeout'), limitMs)));
  const outcome = await Promise.race([child.exited, limit]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    await child.stop(10_000);
    return { passed: result?.passed ?? 0, failed: (result?.failed ?? 0) + 1, note: `timed out after ${t(limitMs)}` };
  }
  // Whatever the tests left behind in the child's process group goes now.
  await child.stop(2000);
  if (!result)
    return {
      passed: 0,
      failed: 1,
      note: `mocha exited with ${JSON.stringify({ code: outcome.code, signal: outcome.signal })} without results`,
    };
  if (outcome.code !== 0 && result.failed === 0) return { ...result, failed: 1, note: `mocha exit code ${outcome.code}` };
  return result;
}

async function runLayer(layer) {
  const files = testFiles(layer);
  if (!files.length) return { passed: 0, failed: 1, note: `no tests found (${CONFIG[layer].dir}/**/*${CONFIG[layer].suffix}.ts)` };
  if (layer === 'integration') {
    const missing = integrationPrerequisite();
    if (missing) return { passed: 0, failed: 1, note: `prerequisite missing: ${missing}` };
  }
  if (layer === 'vscode-host' || layer === 'e2e') {
    if (!chromiumPath()) return { passed: 0, failed: 1, note: 'prerequisite missing: chromium (apt-get install chromium)' };
    try {
      await ensureCodeServer();
    } catch (err) {
      if (err instanceof PrerequisiteError) {
        console.error(err.message);
        return { passed: 0, failed: 1, note: `prerequisite missing: ${err.prerequisite}` };
      }
      throw err;
    }
  }
  if (layer === 'vscode-host') {
    console.log(`  ${files.map((f) => relative(PROJECT_DIR, f)).join(', ')}`);
    const r = await runHostLayer({ files, verbose });
    for (const line of r.lines ?? []) if (line) console.log(line);
    return r;
  }
  return runMochaLayer(layer, files);
}

const results = [];
const started = Date.now();
console.log(`test: layers ${selected.join(', ')}${CI ? ' (CI)' : ''}`);
const buildError = run(process.execPath, ['scripts/build.mjs'], 'build');
// tsc still emits when it reports type errors: the layers run anyway (so everyone sees their tests),
// and the errors count as one failure in the total.
const compileError = buildError
  ? null
  : run(
      process.execPath,
      [join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.test.json'],
      'test compilation (tsc -p tsconfig.test.json)',
    );

for (const layer of selected) {
  console.log(`\n=== ${layer} ===`);
  const t0 = Date.now();
  let r;
  if (buildError) r = { passed: 0, failed: 1, note: buildError };
  else {
    try {
      r = await runLayer(layer);
    } catch (err) {
      console.error(err?.stack ?? String(err));
      r = { passed: 0, failed: 1, note: `could not run: ${err?.message?.split('\n')[0] ?? err}` };
    }
  }
  if (r.passed + r.failed === 0) r = { ...r, failed: 1, note: `no tests ran${grep ? ` (--grep ${grep})` : ''}` };
  const seconds = Date.now() - t0;
  results.push({ layer, ...r, seconds });
  console.log(`  (${layer} took ${t(seconds)}${r.pending ? `, ${r.pending} pending` : ''})`);
  console.log(`${layer}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
}

const passed = results.reduce((s, r) => s + r.passed, 0);
let failed = results.reduce((s, r) => s + r.failed, 0);
if (compileError) {
  failed++;
  console.log(`\n${compileError}: the type errors printed above count as 1 failure`);
}
console.log(`\n=== summary (${t(Date.now() - started)}) ===`);
for (const r of results)
  console.log(
    `  ${r.layer.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(4)} failed  ${t(r.seconds)}${r.note ? `  ${r.note}` : ''}`,
  );
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
