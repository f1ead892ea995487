// e2e: the guided Add Connection flow in the real workbench, typed through the command palette and
// the quick input, against a mutual-TLS lab redis-server with an encrypted client key.
import * as assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, openRedisTlsView, openWorkbench, runCommand, screenshot, Workbench, pickItem, typeInto } from './harness';

const PASSWORD = 'e2e-Pw-Add-9c1';
const TIMEOUT = 30_000;

describe('add connection (e2e)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let lab: LabCerts;
  let server: RedisServer | undefined;

  before(async () => {
    lab = await getLab();
    server = await startRedis({ kind: 'mtls', password: PASSWORD });
    wb = await openWorkbench();
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  captureFailures('e2e-add-connection', () => wb);

  it('adds a mutual-TLS connection step by step, connects, and saves e2e-add-connection.png', async () => {
    assert.ok(wb && server);
    const { page } = wb;
    await openRedisTlsView(page);
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
    await pickItem(page, 'Client certificate (mutual TLS)', 'PEM certificate + key files, linked');
    await pickItem(page, 'Client certificate (PEM)', 'Type a path');
    await typeInto(page, 'Client certificate (PEM): absolute path', lab.clientEncrypted.certPath);
    await pickItem(page, 'Client private key', 'Type a path');
    await typeInto(page, 'Client private key (PEM: PKCS#8 or PKCS#1, encrypted or not): absolute path', lab.clientEncrypted.keyPath);
    // A wrong passphrase is caught while typing, with the core's diagnosis code.
    const passWidget = page.locator('.quick-input-widget', { hasText: 'The key is encrypted' });
    await passWidget.waitFor({ state: 'visible', timeout: TIMEOUT });
    await passWidget.locator('input.input').fill('not the passphrase');
    await page.locator('.quick-input-widget', { hasText: 'KEY_PASSPHRASE' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const passInput = page.locator('.quick-input-widget input.input');
    await passInput.fill(lab.passphrase);
    await page.locator('.quick-input-widget', { hasText: 'The key is encrypted' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    await passInput.press('Enter');
    await typeInto(page, 'ACL user name', '');
    await typeInto(page, 'Password or access key', PASSWORD);
    await typeInto(page, 'Database number', '0');
    await pickItem(page, 'Is this a production connection', 'Writes allowed');
    await typeInto(page, 'Name of this connection', 'e2e mTLS');

    // Review: the summary and no problems, then Save and Connect.
    const review = page.locator('.quick-input-widget input.input[placeholder*="Review and save"]');
    await review.waitFor({ state: 'visible', timeout: TIMEOUT });
    const summary = page.locator('.quick-input-widget .quick-input-list', { hasText: 'e2e mTLS: localhost' });
    await summary.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await summary.innerText(), /TLS, verified/);
    await screenshot(page, 'e2e-add-connection-review');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Save and Connect' }).first().click();

    // Connected: a notification and the status bar item with the lock and the TLS version.
    await page.locator('.notifications-toasts', { hasText: 'Connected to e2e mTLS' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const status = page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /TLSv1\.[23]/ }).first();
    await status.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match((await status.innerText()).trim(), /TLSv1\.[23] · cert expires in \d+ days/);
    assert.equal(await status.locator('.codicon-lock').count(), 1);
    // The tree shows the new connection as verified (its row refreshes when the session's state changes).
    await page
      .locator('.monaco-list-row', { hasText: 'e2e mTLS' })
      .filter({ hasText: 'verified' })
      .first()
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.mouse.move(700, 450);
    const file = await screenshot(page, 'e2e-add-connection');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });

  it('Disconnect, then Connect lists the profile with its last status; Copy as redis-cli has no secret', async () => {
    assert.ok(wb);
    const { page } = wb;
    await runCommand(page, 'Redis TLS: Disconnect');
    await pickItem(page, 'Disconnect which Redis', 'e2e mTLS');
    const status = page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /TLSv1\.[23]/ });
    await status.first().waitFor({ state: 'hidden', timeout: TIMEOUT });

    await runCommand(page, 'Redis TLS: Connect');
    const input = page.locator('.quick-input-widget input.input[placeholder*="Connect to which Redis"]');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'e2e mTLS' }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await row.innerText(), /last OK/);
    await row.click();
    await status.first().waitFor({ state: 'visible', timeout: TIMEOUT });

    await runCommand(page, 'Redis TLS: Copy as redis-cli Command');
    await pickItem(page, 'Copy which connection', 'e2e mTLS');
    const toast = page.locator('.notifications-toasts', { hasText: 'Copied: redis-cli -h localhost' });
    await toast.waitFor({ state: 'visible', timeout: TIMEOUT });
    const text = await toast.innerText();
    assert.match(text, /--tls --cacert \S+ca-bundle\.pem --cert \S+ --key \S+/);
    assert.match(text, /REDISCLI_AUTH/);
    assert.ok(!text.includes(PASSWORD) && !text.includes(lab.passphrase), 'no secret in the copied command');
  });

  it('shows the problems of a client identity (key mismatch, clientAuth EKU) with their codes before connecting', async () => {
    assert.ok(wb && server);
    const { page } = wb;
    await runCommand(page, 'Redis TLS: Add Connection');
    await pickItem(page, 'How do you want to start', 'Enter the connection details');
    await pickItem(page, 'What do you connect to', 'A Redis server or a Redis Cluster');
    await typeInto(page, 'Host name or IP address', `localhost:${server.port}`);
    await typeInto(page, 'Port', String(server.port));
    await pickItem(page, 'Transport security', 'verify the certificate chain and host name');
    await typeInto(page, 'Server name for SNI', '');
    await pickItem(page, 'Which certificate authorities', 'System trust store');
    await pickItem(page, 'Client certificate (mutual TLS)', 'PEM certificate + key files, linked');
    await pickItem(page, 'Client certificate (PEM)', 'Type a path');
    await typeInto(page, 'Client certificate (PEM): absolute path', lab.clientMismatchedKey.certPath);
    await pickItem(page, 'Client private key', 'Type a path');
    await typeInto(page, 'Client private key (PEM: PKCS#8 or PKCS#1, encrypted or not): absolute path', lab.clientMismatchedKey.keyPath);
    const problem = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'KEY_MISMATCH' }).first();
    await problem.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await problem.innerText(), /does not belong to the client certificate/);
    await screenshot(page, 'e2e-add-connection-problems');
    // Choose again, this time a certificate without clientAuth.
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Choose another client certificate' }).first().click();
    await pickItem(page, 'Client certificate (mutual TLS)', 'PEM certificate + key files, linked');
    await pickItem(page, 'Client certificate (PEM)', 'Type a path');
    await typeInto(page, 'Client certificate (PEM): absolute path', lab.clientWrongEku.certPath);
    await pickItem(page, 'Client private key', 'Type a path');
    await typeInto(page, 'Client private key (PEM: PKCS#8 or PKCS#1, encrypted or not): absolute path', lab.clientWrongEku.keyPath);
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'WRONG_PURPOSE' })
      .first()
      .waitFor({ state: 'visible', timeout: TIMEOUT });
    // Escape cancels the flow; under load the first key press can land before the step has focus.
    const widget = page.locator('.quick-input-widget');
    for (let attempt = 0; attempt < 5 && (await widget.isVisible()); attempt++) {
      await page
        .locator('.quick-input-widget input')
        .first()
        .focus()
        .catch(() => undefined);
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    }
    assert.equal(await widget.isVisible(), false, 'Escape closes the Add Connection flow');
  });
});
