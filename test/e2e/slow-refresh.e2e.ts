// e2e (issue #9): a value read from a slow server (the lab proxy holds its replies) shows a
// notification whose Cancel stops the read; the session stays usable. (The click during a slow
// Refresh of issue #15 is proved in the extension host, test/host/truthTree.test.ts: here, in the
// workbench, its timing could not be made deterministic.)
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab } from '../lab/certs';
import { startProxy, type LabProxy } from '../lab/proxy';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, expandRow, openRedisTlsView, openWorkbench, treeRow, Workbench } from './harness';

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

  it('a slow value read shows a notification whose Cancel stops it; the session stays usable (#9)', async () => {
    assert.ok(wb && proxy);
    const { page } = wb;
    await openRedisTlsView(page);
    await expandRow(page, 'Slow TLS');
    await expandRow(page, 'db0');
    await expandRow(page, 'click');
    await treeRow(page, 'b').waitFor({ state: 'visible', timeout: TIMEOUT });
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
