// Helpers for e2e tests (test/e2e/*.e2e.ts): Playwright against the real VS Code workbench
// (code-server + headless Chromium) with this extension loaded from the project folder.
//
// A test file is a plain mocha file:
//
//   import { openWorkbench, openRedisTlsView, runCommand, screenshot, Workbench } from './harness';
//   describe('my feature (e2e)', () => {
//     let wb: Workbench;
//     before(async () => { wb = await openWorkbench({ env: { MY_PORT: '1234' } }); });
//     after(async () => { await wb?.close(); });
//     it('shows something', async () => {
//       await openRedisTlsView(wb.page);
//       await runCommand(wb.page, 'Redis TLS: Add Connection');
//       await wb.page.getByRole('treeitem', { name: /.../ }).waitFor();
//       await screenshot(wb.page, 'e2e-my-feature');   // -> test/artifacts/e2e-my-feature.png
//     });
//   });
//
// Each openWorkbench() starts its own code-server (fresh profile, settings and env) and Chromium;
// `env` reaches the extension host (process.env there), `settings` goes into the user settings.json.
// close() stops both (also call it when before() failed half-way: it is safe to call on undefined wb?.).
// Run one file: `npx tsc -p tsconfig.test.json && npx mocha --timeout 120000 out/test/e2e/welcome.e2e.js`
// (needs `node scripts/build.mjs` first), or `node scripts/test.mjs e2e --grep welcome`.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export interface OpenWorkbenchOptions {
  /** Environment variables for code-server and so for the extension host. */
  env?: Record<string, string>;
  /** Entries for the user settings.json (e.g. 'redisTls.connections': [...]). */
  settings?: Record<string, unknown>;
  /** Folder to open (default: an empty folder of the run). */
  workspace?: string;
  viewport?: { width: number; height: number };
  /**
   * true: start code-server without --disable-workspace-trust and with security.workspace.trust.enabled
   * on, so the workbench asks whether to trust the folder (Restricted Mode tests). Default false.
   */
  workspaceTrust?: boolean;
  /**
   * true: the project is linked into the extensions folder and loaded as an installed extension, not
   * as the extension under development (which VS Code never disables, whatever the workspace trust).
   */
  installed?: boolean;
}

export interface HostHandle {
  port: number;
  baseUrl: string;
  runDir: string;
  workspace: string;
  /** Last lines code-server printed. */
  logs: string[];
}

export interface Workbench {
  page: Page;
  browser: Browser;
  context: BrowserContext;
  host: HostHandle;
  url: string;
  /** Browser console lines of the workbench page. */
  consoleLines: string[];
  close(): Promise<void>;
}

interface WorkbenchModule {
  openWorkbench(opts: OpenWorkbenchOptions): Promise<Workbench>;
  waitForWorkbench(page: Page, opts?: { timeoutMs?: number }): Promise<void>;
  openRedisTlsView(page: Page, opts?: { timeoutMs?: number }): Promise<void>;
  runCommand(page: Page, label: string, opts?: { timeoutMs?: number }): Promise<void>;
  waitForIdle(page: Page, opts?: { timeoutMs?: number }): Promise<void>;
  screenshot(page: Page, name: string): Promise<string>;
}

// scripts/lib/workbench.mjs is an ES module; this file compiles to CommonJS, where TypeScript would turn
// import() into require(). Keep a real dynamic import.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
let lib: Promise<WorkbenchModule> | undefined;
function workbenchLib(): Promise<WorkbenchModule> {
  const file = join(__dirname, '..', '..', '..', 'scripts', 'lib', 'workbench.mjs');
  lib ??= importEsm(pathToFileURL(file).href) as Promise<WorkbenchModule>;
  return lib;
}

/** Starts code-server + Chromium and opens the workbench with the extension loaded. */
export async function openWorkbench(opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  return (await workbenchLib()).openWorkbench(opts);
}

/** Waits until the workbench is up and the "Redis TLS" activity-bar tab is visible. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  return (await workbenchLib()).waitForWorkbench(page, { timeoutMs });
}

/** Opens the "Redis TLS" view container (activity bar) and waits for its "Connections" view. */
export async function openRedisTlsView(page: Page, timeoutMs = 60_000): Promise<void> {
  return (await workbenchLib()).openRedisTlsView(page, { timeoutMs });
}

/** Runs a command from the command palette by its label, e.g. 'Redis TLS: Add Connection'. */
export async function runCommand(page: Page, label: string, timeoutMs = 30_000): Promise<void> {
  return (await workbenchLib()).runCommand(page, label, { timeoutMs });
}

/** Best effort: waits until no extension is activating and the side bar shows no progress bar. */
export async function waitForIdle(page: Page, timeoutMs = 30_000): Promise<void> {
  return (await workbenchLib()).waitForIdle(page, { timeoutMs });
}

/** Saves test/artifacts/<name>.png (gitignored) and returns its absolute path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  return (await workbenchLib()).screenshot(page, name);
}

/** The Connections-tree row whose label is exactly `name`. */
export function treeRow(page: Page, name: string): Locator {
  return page
    .locator('.pane-body .monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    })
    .first();
}

/** Expands the tree row labelled `name` (clicks it unless already expanded) and waits until it is. */
export async function expandRow(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  const r = treeRow(page, name);
  await r.waitFor({ state: 'visible', timeout: timeoutMs });
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.click();
  // Read through the locator each time: the workbench may render the row anew once the extension
  // answers (a connection that connected), and an element handle of the old row would never expand.
  const end = Date.now() + timeoutMs;
  while ((await r.getAttribute('aria-expanded', { timeout: timeoutMs })) !== 'true') {
    if (Date.now() > end) throw new Error(`the tree row "${name}" did not expand within ${timeoutMs} ms`);
    await page.waitForTimeout(50);
  }
}

/** Waits for a QuickPick whose placeholder contains `placeholder`, filters by `item`, clicks the row. */
export async function pickItem(page: Page, placeholder: string, item: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator(`.quick-input-widget input.input[placeholder*="${placeholder}"]`);
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(item);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: item }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** Waits for an InputBox whose prompt contains `prompt`, types `value`, presses Enter. */
export async function typeInto(page: Page, prompt: string, value: string, timeoutMs = 30_000): Promise<void> {
  // The prompt must START the box's message, case-sensitively: a substring match let "Port" match the
  // host step's "(host:port also works)", and the port went into the box before it.
  const startsWith = new RegExp(`^${prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  const widget = page.locator('.quick-input-widget', { has: page.locator('.quick-input-message', { hasText: startsWith }) });
  await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  const input = widget.locator('input.input');
  await input.fill(value);
  await input.press('Enter');
}

/** Opens a workspace file through the palette's Quick Open and waits for its tab. */
export async function openFile(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(name);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Drags the side bar's edge `by` pixels wider, so long row descriptions stay readable in screenshots. */
export async function widenSideBar(page: Page, by = 180): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  const x = sidebar.x + sidebar.width;
  await page.mouse.move(x, 300);
  await page.mouse.down();
  await page.mouse.move(x + by, 300, { steps: 5 });
  await page.mouse.up();
}

/** A webview's document (the active one): use like a Page for locators. */
export function webviewFrame(page: Page) {
  return page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
}

/**
 * Call inside a describe(): after each failed test, saves test/artifacts/<prefix>-failure-<n>.png of
 * the workbench (when it is open) so a failure can be looked at.
 */
export function captureFailures(prefix: string, workbench: () => Workbench | undefined): void {
  let n = 0;
  afterEach(async function () {
    const wb = workbench();
    if (this.currentTest?.state !== 'failed' || !wb) return;
    try {
      const file = await screenshot(wb.page, `${prefix}-failure-${++n}`);
      console.log(`      failure screenshot: ${file}`);
    } catch {
      // the page may be gone
    }
  });
}
