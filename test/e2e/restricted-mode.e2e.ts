// e2e: Restricted Mode in the real workbench (code-server started with workspace trust on, the project
// loaded as an installed extension: VS Code never disables an extension under development, so only
// an installed one shows what capabilities.untrustedWorkspaces does). A folder holding
// .vscode/redis-tls.json (a workspace profile for a lab TLS redis-server) and an expired certificate
// file is opened and the trust prompt is answered "No, I don't trust the authors": the extension
// still runs ("limited"), the workspace profile is not listed, a user profile to the same server
// connects and browses keys, and the expired certificate gets no diagnostic. Trusting the folder
// (Manage Workspace Trust > Trust) brings both back. Saves e2e-restricted-mode.png.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import {
  captureFailures,
  expandRow,
  openRedisTlsView,
  openWorkbench,
  runCommand,
  screenshot,
  treeRow,
  waitForIdle,
  Workbench,
  pickItem,
  typeInto,
  openFile,
} from './harness';

const TIMEOUT = 30_000;
const KEY = 'restricted-mode-e2e';

describe('restricted mode (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;
  let lab: LabCerts;
  let workspace: string | undefined;

  before(async () => {
    lab = await getLab();
    server = await startRedis({ kind: 'tls' });
    const seed = await RedisConnection.open({ host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seed.send(['SET', KEY, 'browsed in Restricted Mode']);
    await seed.close();
    workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-trust-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify({ profiles: [{ name: 'Team Lab', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath }] }, null, 2),
    );
    writeFileSync(join(workspace, 'expired.crt'), `# The server certificate deployed last year\n${lab.expiredServer.cert}`);
    wb = await openWorkbench({ workspace, workspaceTrust: true, installed: true, viewport: { width: 1400, height: 900 } });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  captureFailures('e2e-restricted-mode', () => wb);

  it('in Restricted Mode lists no workspace profile, browses keys with a user profile, and adds no certificate diagnostic (e2e-restricted-mode.png)', async () => {
    assert.ok(wb && server);
    const { page } = wb;
    // The real trust prompt of the workbench (a modal, shown once for a folder never trusted).
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'Do you trust the authors of the files in this folder?' });
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    await dialog.locator('.monaco-button', { hasText: "No, I don't trust the authors" }).click();
    await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.doesNotMatch(await page.title(), /Extension Development Host/, 'loaded as an installed extension');
    // "limited": VS Code keeps the extension enabled in Restricted Mode (without the declaration it
    // disables it and the view container never appears).
    await openRedisTlsView(page).catch((err: unknown) => {
      throw new Error(`the Redis TLS view did not appear in Restricted Mode (extension disabled?): ${String(err)}`);
    });
    await openFile(page, 'expired.crt');

    // A user profile to the same server, typed through Add Connection.
    await runCommand(page, 'Redis TLS: Add Connection');
    await pickItem(page, 'How do you want to start', 'Enter the connection details');
    await pickItem(page, 'What do you connect to', 'A Redis server or a Redis Cluster');
    await typeInto(page, 'Host name or IP address', 'localhost');
    await typeInto(page, 'Port', String(server.port));
    await pickItem(page, 'Transport security', 'verify the certificate chain and host name');
    await typeInto(page, 'Server name for SNI', '');
    await pickItem(page, 'Which certificate authorities', 'CA file, linked');
    await pickItem(page, 'CA certificate (PEM)', 'Type a path');
    await typeInto(page, 'CA certificate (PEM): absolute path', lab.caBundle.certPath);
    await pickItem(page, 'Client certificate (mutual TLS)', 'No client certificate');
    await typeInto(page, 'ACL user name', '');
    await typeInto(page, 'Password or access key', '');
    await typeInto(page, 'Database number', '0');
    await pickItem(page, 'Is this a production connection', 'Writes allowed');
    await typeInto(page, 'Name of this connection', 'My Lab');
    await page.locator('.quick-input-widget input.input[placeholder*="Review and save"]').waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Save and Connect' }).first().click();
    await page.locator('.notifications-toasts', { hasText: 'Connected to My Lab' }).waitFor({ state: 'visible', timeout: TIMEOUT });

    // The user profile browses keys.
    await expandRow(page, 'My Lab');
    await expandRow(page, 'db0');
    await treeRow(page, KEY).waitFor({ state: 'visible', timeout: TIMEOUT });
    // The workspace profile is not listed at all (the store has read the folder long before the
    // user profile connected: it did so when the extension activated).
    assert.equal(await treeRow(page, 'Team Lab').count(), 0, 'the workspace profile is off in Restricted Mode');
    assert.equal(await page.locator('.pane-body .monaco-list-row', { hasText: /workspace/ }).count(), 0);

    // The expired certificate, open in the editor all this time, has no diagnostic: no squiggle and
    // nothing in the Problems panel.
    await runCommand(page, 'View: Focus Problems');
    const problems = page.locator('.markers-panel');
    await problems.waitFor({ state: 'visible', timeout: TIMEOUT });
    await waitForIdle(page);
    assert.equal(await page.locator('.monaco-editor .squiggly-error').count(), 0, 'no squiggle on expired.crt');
    assert.equal(await problems.locator('.monaco-list-row', { hasText: /expired\.crt|Expired/ }).count(), 0, 'no certificate diagnostic');
    await page.mouse.move(700, 450);
    const file = await screenshot(page, 'e2e-restricted-mode');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });

  it('trusting the folder (Manage Workspace Trust > Trust) brings the workspace profile and the certificate diagnostic', async () => {
    assert.ok(wb);
    const { page } = wb;
    await runCommand(page, 'Workspaces: Manage Workspace Trust');
    await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).click();
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'hidden', timeout: TIMEOUT });
    await openRedisTlsView(page);
    await treeRow(page, 'Team Lab').waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await treeRow(page, 'Team Lab').innerText(), /workspace/);
    await runCommand(page, 'View: Focus Problems');
    await page
      .locator('.markers-panel .monaco-list-row', { hasText: /Expired/ })
      .first()
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    await screenshot(page, 'e2e-restricted-mode-trusted');
  });
});
