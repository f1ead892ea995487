// e2e: editing values in the real workbench against a lab TLS redis-server: a hash document edited
// before saving (e2e-edit-hash.png), the "changed on the server since you opened it" prompt with
// Compare after another client changed the value (e2e-edit-conflict.png), and a production profile
// that is read-only: its badge, and an edit refused in its read-only document (e2e-read-only.png).
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, openRedisTlsView, openWorkbench, screenshot, waitForIdle, Workbench, widenSideBar } from './harness';

const TIMEOUT = 30_000;

/** The tree row whose label is exactly `name`, the `nth` such row (0: the first). */
function row(page: Page, name: string, nth = 0): Locator {
  return page
    .locator('.pane-body .monaco-list-row', {
      has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
    })
    .nth(nth);
}

async function expand(page: Page, name: string, nth = 0): Promise<void> {
  const r = row(page, name, nth);
  await r.waitFor({ state: 'visible', timeout: TIMEOUT });
  if ((await r.getAttribute('aria-expanded')) !== 'true') await r.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await r.elementHandle(), { timeout: TIMEOUT });
}

async function shot(page: Page, name: string): Promise<void> {
  await waitForIdle(page);
  const file = await screenshot(page, name);
  assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
}

describe('editing values (e2e)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;
  let direct: RedisConnection | undefined;

  before(async () => {
    const lab = await getLab();
    server = await startRedis({ kind: 'tls' });
    direct = await RedisConnection.open({ host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await direct.send(['HSET', 'customer', 'name', 'Ada', 'plan', 'gold', 'city', 'London']);
    await direct.send(['EXPIRE', 'customer', 3600]);
    await direct.send(['SET', 'motd', 'production data: hands off']);
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-edit-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify(
        {
          profiles: [
            { name: 'Lab TLS', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath },
            { name: 'Lab production', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath, production: true },
          ],
        },
        null,
        2,
      ),
    );
    wb = await openWorkbench({
      workspace,
      settings: { 'files.autoSave': 'off', 'workbench.hover.delay': 60000 },
      viewport: { width: 1400, height: 900 },
    });
  });

  after(async () => {
    await wb?.close();
    await direct?.close();
    await server?.stop();
  });

  captureFailures('e2e-edit', () => wb);

  it('edits a hash document (e2e-edit-hash.png), then a save after another client changed it asks (e2e-edit-conflict.png)', async () => {
    assert.ok(wb && direct);
    const { page } = wb;
    await openRedisTlsView(page);
    // A wider side bar, so the connections' badges are readable in the screenshots.
    await widenSideBar(page, 200);
    // The pointer away from the tree: no hover highlight in the screenshots.
    await page.mouse.move(900, 700);
    await expand(page, 'Lab TLS');
    await expand(page, 'db0');
    await row(page, 'customer').click();
    const lines = page.locator('.editor-instance .view-lines', { hasText: '"London"' });
    await lines.waitFor({ state: 'visible', timeout: TIMEOUT });
    // Select the word London and type over it: the editor is writable for this profile.
    await page
      .locator('.editor-instance .view-line span span', { hasText: /London/ })
      .first()
      .dblclick();
    await page.keyboard.type('Paris');
    await page.locator('.tabs-container .tab.dirty', { hasText: 'customer' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match((await page.locator('.editor-instance .view-lines').first().innerText()).replace(/\u00a0/g, ' '), /"city": "Paris"/);
    await shot(page, 'e2e-edit-hash');

    // Another client changes the same field; the save must not overwrite it silently.
    await direct.send(['HSET', 'customer', 'city', 'Berlin']);
    await page.keyboard.press('Control+s');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await dialog.innerText(), /changed on the server since you opened it/);
    await dialog.getByRole('button', { name: 'Compare' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    await shot(page, 'e2e-edit-conflict');
    await dialog.getByRole('button', { name: 'Compare' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'server ↔ yours' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(String(await direct.send(['HGET', 'customer', 'city'])), 'Berlin', 'their change survives');
    assert.ok(((await direct.send(['TTL', 'customer'])) as number) > 3000, 'TTL untouched');
    await shot(page, 'e2e-edit-compare');
  });

  it('shows a production profile as read-only and refuses an edit (e2e-read-only.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    await page.keyboard.press('Escape');
    const production = row(page, 'Lab production');
    await production.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await production.innerText(), /PRODUCTION · read-only/);
    await expand(page, 'Lab production');
    await expand(page, 'db0', 1);
    await row(page, 'motd', 1).click();
    const lines = page.locator('.editor-instance .view-lines', { hasText: 'hands off' });
    await lines.waitFor({ state: 'visible', timeout: TIMEOUT });
    await lines.click();
    await page.keyboard.press('End');
    await page.keyboard.type('x');
    await page.locator('.monaco-editor-overlaymessage', { hasText: /read-only/i }).waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(String(await direct!.send(['GET', 'motd'])), 'production data: hands off');
    await page.locator('.statusbar-item', { hasText: 'production, read-only' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    await shot(page, 'e2e-read-only');
  });
});
