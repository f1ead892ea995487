// e2e: the first run as `npm start` gives it: the demo servers of scripts/lib/demo.mjs (about 100,000
// keys in nested namespaces, broken demos, a cluster) and their workspace profiles, in the real
// workbench. The demo tree paged (e2e-first-run.png), then the walkthrough, whose steps complete as the
// user does them: the demo connection and a key opened before the walkthrough was, then Inspect and the
// quick fix of the broken demo (e2e-walkthrough.png).
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  captureFailures,
  expandRow,
  openRedisTlsView,
  openWorkbench,
  runCommand,
  screenshot,
  treeRow,
  waitForIdle,
  widenSideBar,
  Workbench,
} from './harness';

const TIMEOUT = 60_000;

interface Demo {
  why?: string;
  profiles: unknown[];
  env: Record<string, string>;
  stop(): Promise<void>;
}
interface DemoModule {
  startDemo(opts: { log: (m: string) => void }): Promise<Demo>;
  writeDemoProfiles(workspace: string, profiles: unknown[]): string;
}
// scripts/lib/demo.mjs is an ES module; keep a real dynamic import in this CommonJS output.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

describe('first run: the npm start demo (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let demo: Demo | undefined;
  const progress: string[] = [];
  let demoSeconds = 0;

  before(async () => {
    const file = join(__dirname, '..', '..', '..', 'scripts', 'lib', 'demo.mjs');
    const lib = (await importEsm(pathToFileURL(file).href)) as DemoModule;
    const t0 = Date.now();
    const started = await lib.startDemo({ log: (m) => progress.push(m) });
    demoSeconds = (Date.now() - t0) / 1000;
    if (started.why) throw new Error(`the demo cannot start: ${started.why}`);
    demo = started;
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-first-run-'));
    lib.writeDemoProfiles(workspace, started.profiles);
    wb = await openWorkbench({ workspace, env: started.env, viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await wb?.close();
    await demo?.stop();
  });

  captureFailures('e2e-first-run', () => wb);

  it('the demo says what it is doing and is ready in under 20 s: every type, big values, mutual TLS with a passphrase, broken demos, a cluster', () => {
    assert.ok(demoSeconds < 20, `the demo took ${demoSeconds} s`);
    for (const step of [
      /certificates generated/,
      /5 redis-server processes started/,
      /100,000 keys in nested namespaces written/,
      /50,000-field hash and a 10,000-entry stream written/,
      /3-node TLS cluster ready/,
    ])
      assert.ok(
        progress.some((l) => step.test(l)),
        `${step} in: ${progress.join(' | ')}`,
      );
    const names = (demo?.profiles as Array<{ name: string; keyFile?: string; encryptedKey?: boolean }>).map((p) => p.name);
    assert.deepEqual(names, [
      'Demo: verified TLS',
      'Demo: mutual TLS (key with passphrase)',
      'Demo: TLS cluster (3 nodes)',
      'Demo: wrong host name',
      'Demo: expired certificate',
      'Demo: TLS to a plaintext port',
    ]);
    assert.equal((demo?.profiles as Array<{ encryptedKey?: boolean }>)[1]?.encryptedKey, true);
  });

  it('shows the demo connections and pages the 100,000-key demo database (e2e-first-run.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openRedisTlsView(page);
    await widenSideBar(page);
    // Profiles with a group sit in its folder.
    const verified = treeRow(page, 'Demo: verified TLS');
    if (!(await verified.isVisible())) await expandRow(page, 'Demo', TIMEOUT);
    await expandRow(page, 'Demo: verified TLS', TIMEOUT);
    await expandRow(page, 'db0', TIMEOUT);
    // About 100,000 keys, of which the first SCAN page is loaded: the paging is visible.
    assert.match(await treeRow(page, 'db0').innerText(), /db0\s*1\d\d,\d{3} keys/);
    const loadMore = treeRow(page, 'Load more…');
    await loadMore.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await loadMore.innerText(), /[\d,]+ keys loaded/);
    await expandRow(page, 'app', TIMEOUT);
    await expandRow(page, 'eu-west', TIMEOUT);
    await treeRow(page, 'session').waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await treeRow(page, 'Demo: verified TLS').innerText(), /verified/);
    await waitForIdle(page);
    const file = await screenshot(page, 'e2e-first-run');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });

  it('opens a demo key, then the walkthrough, whose steps complete as the user does them (e2e-walkthrough.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    // Load All (the inline action of "Load more…"), then open a key of the demo namespace.
    const loadMore = treeRow(page, 'Load more…');
    await loadMore.hover();
    await loadMore.locator('.action-label[aria-label^="Load All Keys"]').click();
    await loadMore.waitFor({ state: 'detached', timeout: TIMEOUT });
    await expandRow(page, 'demo', TIMEOUT);
    await treeRow(page, 'greeting').click();
    await page
      .locator('.editor-instance .view-lines', { hasText: 'Hello over verified TLS' })
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    await runCommand(page, 'Welcome: Open Walkthrough');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Redis TLS Explorer' }).first();
    await pick.waitFor({ state: 'visible', timeout: TIMEOUT });
    await pick.click();
    // Steps the user did before the walkthrough was first opened are done (VS Code creates its walkthrough
    // service only then): the demo connection opened, a demo key opened from the tree.
    const connect = page.locator('.getting-started-step', { hasText: 'Add a connection' }).first();
    await connect.waitFor({ state: 'visible', timeout: TIMEOUT });
    // The step's check mark: a codicon with the class "complete" once the step is done.
    const done = (step: string) => page.locator(`.codicon.complete[data-done-step-id$="${step}"]`);
    await done('connect').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    assert.equal(await done('browse').count(), 1, '"Browse keys" is done');
    assert.equal(await done('inspect').count(), 0, '"Inspect a certificate" is not done yet');
    await waitForIdle(page);
    const file = await screenshot(page, 'e2e-walkthrough');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });

  it("the walkthrough's Inspect and Fix steps complete from the broken demo's quick fixes (commands that reach the workbench as delegations)", async () => {
    assert.ok(wb);
    const { page } = wb;
    await openRedisTlsView(page);
    if (!(await treeRow(page, 'Demo: wrong host name').isVisible())) await expandRow(page, 'Demo: broken on purpose', TIMEOUT);
    await expandRow(page, 'Demo: wrong host name', TIMEOUT);
    await treeRow(page, 'The certificate is not valid for this host name').waitFor({ state: 'visible', timeout: TIMEOUT });
    // The squiggle on .vscode/redis-tls.json, reached from the Problems panel; its quick fixes.
    await runCommand(page, 'View: Focus Problems');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'Demo: wrong host name' }).first();
    await problem.waitFor({ state: 'visible', timeout: TIMEOUT });
    const quickFix = async (title: string): Promise<void> => {
      await problem.click();
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: 'redis-tls.json' }).waitFor({ state: 'visible', timeout: TIMEOUT });
      // The cursor on the squiggle, in a focused editor: then the quick-fix menu, by keyboard (its rows
      // sit under a pointer block). Asked again when the menu came up before the actions (a busy host).
      await page.locator('.editor-instance .monaco-editor.focused').waitFor({ state: 'visible', timeout: TIMEOUT });
      const row = page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+.');
        try {
          await row.waitFor({ state: 'visible', timeout: 10_000 });
          break;
        } catch (e) {
          if (attempt === 3) throw e;
          await page.keyboard.press('Escape');
        }
      }
      for (let i = 0; i < 10 && !/\bfocused\b/.test((await row.getAttribute('class')) ?? ''); i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    };
    await quickFix('Inspect the server certificate');
    await page
      .locator('.tabs-container .tab', { hasText: 'Certificate: Demo: wrong host name' })
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    await quickFix('Set "servername"');
    await page.keyboard.press('Control+S');
    // The saved file is read again (the failure of the old profile leaves Problems); the profile then
    // connects again (Retry in the tree, a row command, when it offers one).
    await problem.waitFor({ state: 'detached', timeout: TIMEOUT });
    const verified = treeRow(page, 'Demo: wrong host name').filter({ hasText: 'verified' });
    const retry = treeRow(page, 'Retry');
    await verified.or(retry).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    if (!(await verified.isVisible())) await retry.click();
    await verified.waitFor({ state: 'visible', timeout: TIMEOUT });
    await runCommand(page, 'Welcome: Open Walkthrough');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Redis TLS Explorer' }).first().click();
    const done = (step: string) => page.locator(`.codicon.complete[data-done-step-id$="${step}"]`);
    await done('inspect').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    await done('fix').first().waitFor({ state: 'attached', timeout: TIMEOUT });
  });
});
