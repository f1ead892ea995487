// e2e (issue #15): a click on a key while Refresh waits on a slow server. Before the fix the workbench
// said "Actual command not found, wanted to execute redisTls.keys.openValue …": VS Code drops the
// commands of a row's children as soon as it asks for new children, and Refresh made it ask at once
// while the server was slow. Now Refresh reads first and the click opens the value.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab } from '../lab/certs';
import { startProxy, type LabProxy } from '../lab/proxy';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, expandRow, openRedisTlsView, openWorkbench, runCommand, treeRow, Workbench } from './harness';

const TIMEOUT = 30_000;

describe('slow refresh (e2e)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;
  let proxy: LabProxy | undefined;

  before(async () => {
    const lab = await getLab();
    server = await startRedis({ kind: 'tls' });
    const seed = await RedisConnection.open({ host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seed.send(['MSET', 'click:a', 'first', 'click:b', 'second']);
    await seed.close();
    proxy = await startProxy({ host: server.host, port: server.port });
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-slow-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify(
        { profiles: [{ name: 'Slow TLS', host: '127.0.0.1', port: proxy.port, servername: 'localhost', caFile: lab.rootCa.certPath }] },
        null,
        2,
      ),
    );
    wb = await openWorkbench({ workspace, viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    proxy?.release();
    await wb?.close();
    await proxy?.stop();
    await server?.stop();
  });

  captureFailures('e2e-slow-refresh', () => wb);

  it('a key clicked while Refresh waits on a slow server opens its value (no "Actual command not found")', async () => {
    assert.ok(wb && proxy);
    const { page } = wb;
    await openRedisTlsView(page);
    await expandRow(page, 'Slow TLS');
    await expandRow(page, 'db0');
    await expandRow(page, 'click');
    await treeRow(page, 'a').waitFor({ state: 'visible', timeout: TIMEOUT });
    proxy.hold();
    await runCommand(page, 'Redis TLS: Refresh');
    // The refresh's first request reached the server (its answer is held): the refresh is under way.
    for (let i = 0; proxy.heldChunks === 0; i++) {
      if (i > 300) throw new Error('the refresh sent nothing to the server');
      await page.waitForTimeout(50);
    }
    // Not a condition that can be seen from outside: the extension host passes a change to the
    // workbench 200 ms after it hears of it (its debounce). The click lands after that.
    await page.waitForTimeout(500);
    await treeRow(page, 'a').click();
    proxy.release();
    const tab = page.locator('.tabs-container .tab', { hasText: 'click:a' });
    const failure = page.locator('.notifications-toasts', { hasText: 'Actual command not found' });
    await Promise.race([
      tab.first().waitFor({ state: 'visible', timeout: TIMEOUT }),
      failure.first().waitFor({ state: 'visible', timeout: TIMEOUT }),
    ]);
    assert.equal(await failure.count(), 0, 'no "Actual command not found"');
    assert.ok((await tab.count()) > 0, 'the value opened');
  });

  it('a slow value read shows a notification whose Cancel stops it; the session stays usable (#9)', async () => {
    assert.ok(wb && proxy);
    const { page } = wb;
    await runCommand(page, 'View: Close All Editors');
    proxy.hold();
    try {
      await treeRow(page, 'b').click();
      const reading = page.locator('.notifications-toasts .notification-toast', { hasText: 'Reading click:b' });
      await reading.first().waitFor({ state: 'visible', timeout: TIMEOUT });
      await reading.first().getByRole('button', { name: 'Cancel' }).click();
      await page
        .locator('.notifications-toasts', { hasText: /Reading click:b was cancelled/ })
        .first()
        .waitFor({ state: 'visible', timeout: TIMEOUT });
    } finally {
      proxy.release();
    }
    await treeRow(page, 'b').click();
    await page.locator('.tabs-container .tab', { hasText: 'click:b' }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
  });
});
