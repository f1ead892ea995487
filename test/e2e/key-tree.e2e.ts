// e2e: the key browser in the real workbench against a lab TLS redis-server seeded with every type:
// expanded namespaces with type icons and TTLs (e2e-key-tree.png), a hash opened as a read-only
// document (e2e-value.png).
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection } from '../../src/core/client/connection';
import { seedKeyBrowser } from '../integration/keysSeed';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import {
  captureFailures,
  expandRow,
  openRedisTlsView,
  treeRow,
  openWorkbench,
  screenshot,
  waitForIdle,
  Workbench,
  widenSideBar,
} from './harness';

const TIMEOUT = 30_000;

describe('key tree (e2e)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;

  before(async () => {
    const lab = await getLab();
    server = await startRedis({ kind: 'tls' });
    const seed = await RedisConnection.open({ host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seedKeyBrowser(seed);
    await seed.close();
    // A team-shared profile (no secrets needed): verified TLS with the lab CA file.
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-keys-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify({ profiles: [{ name: 'Lab TLS', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath }] }, null, 2),
    );
    wb = await openWorkbench({ workspace, settings: { 'redisTls.scanPageSize': 5000 }, viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  captureFailures('e2e-key-tree', () => wb);

  it('expands a verified connection into namespaces with type icons and TTLs (e2e-key-tree.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openRedisTlsView(page);
    // A wider side bar, so the connection's TLS state is readable in the screenshot.
    await widenSideBar(page);
    await expandRow(page, 'Lab TLS');
    await expandRow(page, 'db0');
    await expandRow(page, 'user');
    await expandRow(page, '1');
    await expandRow(page, '2');
    await expandRow(page, 'app');
    await expandRow(page, 'config');
    assert.equal(await treeRow(page, 'app').locator('.codicon-folder').count(), 1, 'folder icon');
    const session = treeRow(page, 'session');
    await session.waitFor({ state: 'visible', timeout: TIMEOUT });
    // Seeded with EX 3600: whatever time the run took, it shows as minutes (and seconds) below an hour.
    assert.match(await session.innerText(), /TTL (?:1h|[1-5]?\dm(?: [1-5]?\ds)?)\b/);
    assert.equal(await session.locator('.codicon-symbol-string').count(), 1, 'string icon');
    assert.equal(await treeRow(page, 'profile').locator('.codicon-symbol-object').count(), 1, 'hash icon');
    assert.match(await treeRow(page, 'Lab TLS').innerText(), /verified/);
    assert.match(await treeRow(page, 'db0').innerText(), /1,218 keys/);
    await waitForIdle(page);
    const file = await screenshot(page, 'e2e-key-tree');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });

  it('opens a hash as a read-only document (e2e-value.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    await treeRow(page, 'profile').click();
    const editor = page.locator('.editor-instance .view-lines');
    await page.locator('.editor-instance .view-lines', { hasText: 'ada@example.com' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const text = (await editor.first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /hash user:1:profile/);
    assert.match(text, /"name": "Ada"/);
    const tab = page.locator('.tabs-container .tab', { hasText: 'user:1:profile' });
    await tab.waitFor({ state: 'visible', timeout: TIMEOUT });
    await waitForIdle(page);
    const file = await screenshot(page, 'e2e-value');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });
});
