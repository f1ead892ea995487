// e2e: the Redis TLS view in the real workbench shows its welcome content when nothing is configured.
import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { captureFailures, openRedisTlsView, openWorkbench, screenshot, Workbench } from './harness';

describe('welcome view (e2e)', () => {
  let wb: Workbench | undefined;

  before(async () => {
    wb = await openWorkbench();
  });

  after(async () => {
    await wb?.close();
  });

  captureFailures('e2e-welcome', () => wb);

  it('shows the Redis TLS view with its welcome content and saves e2e-welcome.png', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openRedisTlsView(page);
    const welcome = page.locator('.welcome-view-content', { hasText: 'No Redis connections yet' });
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    const addButton = welcome.getByRole('button', { name: 'Add Connection' });
    await addButton.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await addButton.count(), 1);
    assert.match((await welcome.innerText()).replace(/\s+/g, ' '), /No Redis connections yet/);
    const tab = page.getByRole('tab', { name: /Redis TLS/ }).first();
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const file = await screenshot(page, 'e2e-welcome');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });
});
