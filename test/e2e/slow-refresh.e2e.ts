// e2e (issues #15 and #9) against a server behind the lab proxy, which can hold its replies:
// - rows clicked while Refresh waits on the slow server, and while the answer arrives, open their
//   values. Before the fix a click that landed after VS Code had dropped the old rows' command
//   arguments (as it asks for the new rows) said "Actual command not found, wanted to execute
//   redisTls.keys.openValue"; key rows now carry no arguments and the command reads the selection.
// - a slow value read shows a notification whose Cancel stops the read; the session stays usable.
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

  it('keys clicked while Refresh waits on a slow server and while its answer arrives open their values (#15)', async () => {
    assert.ok(wb && proxy && server);
    const { page } = wb;
    await openRedisTlsView(page);
    await expandRow(page, 'Slow TLS');
    await expandRow(page, 'db0');
    await expandRow(page, 'click');
    await treeRow(page, 'a').waitFor({ state: 'visible', timeout: TIMEOUT });
    // A key the Refresh will find: its row appearing says the refresh reached the tree.
    const lab = await getLab();
    const seed = await RedisConnection.open({ host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seed.send(['SET', 'click:c', 'third']);
    await seed.close();
    proxy.hold();
    try {
      await runCommand(page, 'Redis TLS: Refresh');
      // The refresh's first request reached the server (its answer is held): the refresh is under way.
      for (let i = 0; proxy.heldChunks === 0; i++) {
        if (i > 300) throw new Error('the refresh sent nothing to the server');
        await new Promise((r) => setTimeout(r, 50));
      }
      await treeRow(page, 'a').click();
    } finally {
      proxy.release();
    }
    // Clicks while the refresh's answer reaches the tree: VS Code reloads the rows meanwhile.
    for (let i = 0; i < 4; i++) await treeRow(page, 'a').click({ timeout: TIMEOUT });
    await treeRow(page, 'c').waitFor({ state: 'visible', timeout: TIMEOUT });
    await treeRow(page, 'c').click();
    // Values open as preview editors, each replacing the one before: the last one clicked shows.
    await page.locator('.tabs-container .tab', { hasText: 'click:c' }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    // The value of click:c opened after every earlier click was answered: an error would show by now.
    assert.equal(
      await page.locator('.notifications-toasts', { hasText: 'Actual command not found' }).count(),
      0,
      'no "Actual command not found"',
    );
    await runCommand(page, 'View: Close All Editors');
  });
});
