// Entry point of the vscode-host test layer. The workbench loads this module as `extensionTestsPath`
// (see scripts/lib/host-layer.mjs) and calls run() inside the real extension host; the promise's
// outcome becomes the exit code reported through window.codeAutomationExit.
// Results also go to $RTE_HOST_RESULT_FILE (JSON) and to a `HOST-RESULT {...}` console line.
import Mocha from 'mocha';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HostResult {
  passed: number;
  failed: number;
  pending: number;
  /** Human-readable spec-like lines, failures with their error and stack. */
  lines: string[];
}

/** The compiled *.test.js files next to this module whose TypeScript source still exists. */
function testFiles(): string[] {
  const root = join(__dirname, '..', '..', '..');
  return readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .filter((f) => existsSync(join(root, 'test', 'host', f.replace(/\.js$/, '.ts'))))
    .sort()
    .map((f) => join(__dirname, f));
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: Mocha.reporters.Base });
  if (process.env.RTE_TEST_GREP) mocha.grep(process.env.RTE_TEST_GREP);
  for (const f of testFiles()) mocha.addFile(f);
  const result: HostResult = { passed: 0, failed: 0, pending: 0, lines: [] };
  const report = (): void => {
    const json = JSON.stringify(result);
    if (process.env.RTE_HOST_RESULT_FILE) writeFileSync(process.env.RTE_HOST_RESULT_FILE, json);
    console.log(`HOST-RESULT ${JSON.stringify({ passed: result.passed, failed: result.failed, pending: result.pending })}`);
  };
  try {
    await mocha.loadFilesAsync();
  } catch (err) {
    result.failed++;
    result.lines.push(`could not load the host tests: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    report();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (t) => {
      result.passed++;
      result.lines.push(`  ok   ${t.fullTitle()}`);
    });
    runner.on('pending', (t) => {
      result.pending++;
      result.lines.push(`  skip ${t.fullTitle()}`);
    });
    runner.on('fail', (t, err: Error) => {
      result.failed++;
      result.lines.push(`  FAIL ${t.fullTitle()}`, `       ${(err.stack ?? err.message).split('\n').join('\n       ')}`);
    });
  });
  report();
  if (result.failed > 0) throw new Error(`${result.failed} in-host test(s) failed`);
  if (result.passed === 0) throw new Error('no in-host tests ran');
}
