// Opening the real VS Code workbench (code-server + headless Chromium) with the extension under
// development loaded. Used by the vscode-host layer, and by the e2e tests through test/e2e/harness.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';
import { PROJECT_DIR, startCodeServer } from './vscode-host.mjs';

/**
 * Starts code-server (env vars reach the extension host), launches Chromium and opens the workbench.
 * Options: env, settings (user settings.json entries), workspace (folder to open), extensionTestsPath,
 * viewport, beforeGoto(page) (e.g. to expose functions), workspaceTrust (true: workspace trust on, the
 * workbench asks whether to trust the folder; default off as in every other run), installed (true: the
 * project is loaded as an installed extension, not as the extension under development, so VS Code's
 * enablement rules such as Restricted Mode's apply to it; not with extensionTestsPath). Returns { page, browser, host, url, close() }.
 * close() always stops both, also after failures; call it in `after`.
 */
export async function openWorkbench({
  env = {},
  settings = {},
  workspace,
  extensionTestsPath,
  runDir,
  workspaceTrust = false,
  installed = false,
  viewport = { width: 1400, height: 900 },
  beforeGoto,
  goto = true,
} = {}) {
  const host = await startCodeServer({ env, settings, workspace, runDir, workspaceTrust, installExtension: installed });
  let browser;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const consoleLines = [];
    page.on('console', (msg) => {
      consoleLines.push(`[${msg.type()}] ${msg.text()}`);
      if (consoleLines.length > 1000) consoleLines.shift();
    });
    page.on('pageerror', (err) => consoleLines.push(`[pageerror] ${err.message}`));
    if (beforeGoto) await beforeGoto(page);
    const url = host.workbenchUrl({
      ...(extensionTestsPath ? { extensionTestsPath } : {}),
      ...(installed ? { extensionDevelopmentPath: null } : {}),
    });
    if (goto) await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let closed;
    const close = () =>
      (closed ??= (async () => {
        await browser?.close().catch(() => {});
        await host.stop();
      })());
    return { page, browser, context, host, url, consoleLines, close };
  } catch (err) {
    await browser?.close().catch(() => {});
    await host.stop();
    throw err;
  }
}

/** Waits until the workbench is up and the activity bar shows the extension's view container. */
export async function waitForWorkbench(page, { timeoutMs = 60_000 } = {}) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page
    .getByRole('tab', { name: /Redis TLS/ })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens the "Redis TLS" view container from the activity bar. */
export async function openRedisTlsView(page, { timeoutMs = 60_000 } = {}) {
  await waitForWorkbench(page, { timeoutMs });
  const tab = page.getByRole('tab', { name: /Redis TLS/ }).first();
  const selected = await tab.getAttribute('aria-selected');
  if (selected !== 'true') {
    await tab.click();
    await page.mouse.move(700, 500); // no hover tooltip on the activity bar in screenshots
  }
  // With a single view in the container the "Connections" pane header is hidden: wait for the viewlet.
  await page.locator('[id="workbench.view.extension.redisTls"]').waitFor({ state: 'visible', timeout: timeoutMs });
  await waitForIdle(page, { timeoutMs: Math.min(timeoutMs, 30_000) });
}

/**
 * Best effort: waits until the status bar no longer says "Activating Extensions..." and the side bar
 * shows no progress bar (returns quietly after timeoutMs; the caller's own checks decide).
 */
export async function waitForIdle(page, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const busy = page.locator('#workbench\\.parts\\.statusbar', { hasText: /Activating Extensions/ });
  const progress = page.locator('#workbench\\.parts\\.sidebar .monaco-progress-container.active');
  while (Date.now() < deadline) {
    if ((await busy.count()) === 0 && (await progress.count()) === 0) return;
    await page.waitForTimeout(200);
  }
}

/** Runs a command through the command palette by its label, e.g. "Redis TLS: Add Connection". */
export async function runCommand(page, label, { timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  // The palette lists the commands known when it opens: while the extension host is still loading
  // the extension, reopen it until the command shows up.
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
    await input.fill(`>${label}`);
    const left = deadline - Date.now();
    try {
      await row.waitFor({ state: 'visible', timeout: Math.max(1000, Math.min(5000, left)) });
      break;
    } catch (err) {
      if (left <= 5000) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await row.click();
}

/** Saves a PNG of the page to test/artifacts/<name>.png and returns its absolute path. */
export async function screenshot(page, name) {
  const dir = join(PROJECT_DIR, 'test', 'artifacts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
