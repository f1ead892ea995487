// The vscode-host layer: mocha tests (out/test/host/**/*.test.js) inside the real VS Code extension
// host. code-server runs the extension under development and loads out/test/host/index.js as
// extensionTestsPath; the result comes back through window.codeAutomationExit, and the counts through
// a JSON file named by $RTE_HOST_RESULT_FILE (also a `HOST-RESULT {...}` log line as fallback).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkbench } from './workbench.mjs';
import { PROJECT_DIR } from './vscode-host.mjs';

export const HOST_TIMEOUT_MS = Number(process.env.RTE_HOST_TIMEOUT_MS || 900_000);

/** Returns { passed, failed, pending, note, lines }; never throws for test failures. */
export async function runHostLayer({ files, verbose = false }) {
  const index = join(PROJECT_DIR, 'out', 'test', 'host', 'index.js');
  if (!existsSync(index)) return { passed: 0, failed: 1, note: 'out/test/host/index.js missing (test compilation?)' };
  if (!files.length) return { passed: 0, failed: 1, note: 'no tests found in out/test/host' };
  const runDir = mkdtempSync(join(tmpdir(), 'rte-host-'));
  const resultFile = join(runDir, 'host-result.json');
  const automationLog = [];
  let wb;
  let timer;
  try {
    let exitCode;
    const exited = new Promise((resolve) => (exitCode = resolve));
    wb = await openWorkbench({
      runDir,
      env: { RTE_HOST_RESULT_FILE: resultFile, RTE_TEST_LAYER: 'vscode-host' },
      extensionTestsPath: index,
      beforeGoto: async (page) => {
        await page.exposeFunction('codeAutomationLog', (type, args) => {
          const text = Array.isArray(args) ? args.map(String).join(' ') : String(args);
          automationLog.push(`[${type}] ${text}`);
          if (verbose) console.log(`  host> ${text}`);
        });
        await page.exposeFunction('codeAutomationExit', (code) => exitCode(Number(code)));
      },
    });
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), HOST_TIMEOUT_MS)));
    const code = await Promise.race([exited, timeout]);
    let result = null;
    if (existsSync(resultFile)) result = JSON.parse(readFileSync(resultFile, 'utf8'));
    else {
      const marker = [...automationLog, ...wb.consoleLines]
        .reverse()
        .map((l) => /HOST-RESULT (\{.*\})/.exec(l))
        .find(Boolean);
      if (marker) result = { ...JSON.parse(marker[1]), lines: [] };
    }
    const dump = () => {
      const tail = [...wb.consoleLines.slice(-30), ...automationLog.slice(-30), ...wb.host.logs.slice(-30)];
      return tail.length ? `last log lines:\n${tail.map((l) => `    ${l}`).join('\n')}` : '';
    };
    if (code === 'timeout') {
      return {
        passed: result?.passed ?? 0,
        failed: (result?.failed ?? 0) + 1,
        note: `timed out after ${HOST_TIMEOUT_MS / 1000} s waiting for the extension host tests`,
        lines: [...(result?.lines ?? []), dump()],
      };
    }
    if (!result) {
      return { passed: 0, failed: 1, note: `the extension host exited with code ${code} without reporting results`, lines: [dump()] };
    }
    const extra = code !== 0 && result.failed === 0 ? 1 : 0;
    return {
      passed: result.passed,
      failed: result.failed + extra,
      pending: result.pending,
      note: extra ? `extension host exit code ${code}` : undefined,
      lines: [...result.lines, ...(extra ? [dump()] : [])],
      exitCode: code,
    };
  } finally {
    clearTimeout(timer);
    await wb?.close();
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  }
}
