// e2e: certificate intelligence in the real workbench. A workspace with certificate files:
//  - a PEM bundle (expiring leaf + intermediate + root) opened in the editor, inspected via its
//    CodeLens: the panel shows the path leaf -> root with a verdict per link (e2e-cert-panel.png);
//  - a certificate whose subject is `<img src=x onerror=alert(1)>`: the panel shows that text and
//    the webview DOM has no <img> element;
//  - an expired certificate: squiggle in the editor and the finding in the Problems panel
//    (e2e-diagnostics.png).
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, openWorkbench, runCommand, screenshot, waitForIdle, webviewFrame, Workbench, openFile } from './harness';

const TIMEOUT = 30_000;
const XSS_CN = '<img src=x onerror=alert(1)>';

describe('certificate panel and diagnostics (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let lab: LabCerts;
  let workspace: string;
  let server: RedisServer | undefined;

  before(async () => {
    lab = await getLab();
    server = await startRedis({ kind: 'tls', certs: lab.server });
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-e2e-certs-'));
    await fs.writeFile(path.join(workspace, 'bundle.pem'), `${lab.expiringSoonServer.chain}${lab.rootCa.cert}`);
    await fs.writeFile(path.join(workspace, 'expired.crt'), `# The server certificate deployed last year\n${lab.expiredServer.cert}`);
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${XSS_CN}`,
      '-addext',
      'subjectAltName=DNS:xss.example',
      '-keyout',
      path.join(os.tmpdir(), `rte-xss-${process.pid}.key`),
      '-out',
      path.join(workspace, 'hostile.pem'),
    ]);
    await fs.rm(path.join(os.tmpdir(), `rte-xss-${process.pid}.key`), { force: true });
    wb = await openWorkbench({ workspace, settings: { 'workbench.startupEditor': 'none', 'editor.codeLens': true } });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  captureFailures('e2e-cert', () => wb);

  it('renders a hostile subject as text: no <img> in the webview', async () => {
    assert.ok(wb);
    const { page } = wb;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await openFile(page, 'hostile.pem');
    await runCommand(page, 'Redis TLS: Inspect Certificate File');
    const frame = webviewFrame(page);
    const heading = frame.locator('li.link h2.name').first();
    await heading.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.equal(await heading.textContent(), XSS_CN);
    assert.equal(await frame.locator('img').count(), 0);
    assert.equal(await frame.locator('[onerror]').count(), 0);
    assert.ok(await frame.getByText(XSS_CN).first().isVisible());
    await runCommand(page, 'View: Close All Editors');
  });

  it('shows the chain leaf -> root with a verdict per link and saves e2e-cert-panel.png', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openFile(page, 'bundle.pem');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Inspect certificate' }).first();
    await lens.waitFor({ state: 'visible', timeout: TIMEOUT });
    await lens.click();
    const frame = webviewFrame(page);
    await frame.locator('ol.chain > li.link').nth(2).waitFor({ state: 'visible', timeout: TIMEOUT });
    const roles = await frame.locator('ol.chain > li.link .role').allTextContents();
    assert.deepEqual(roles, ['leaf', 'intermediate', 'root']);
    const badges = await frame.locator('ol.chain > li.link .badge').allTextContents();
    // the leaf verifies but expires within the warning threshold: a warning, not OK
    assert.deepEqual(
      badges.map((b) => b.replace(/^\S+\s/, '')),
      ['Warning', 'OK', 'OK'],
    );
    assert.match((await frame.locator('.banner').textContent()) ?? '', /Trusted/);
    assert.match((await frame.locator('ol.chain > li.link').first().textContent()) ?? '', /Expires soon/);
    const steps = frame.locator('ol.path button.step');
    assert.equal(await steps.count(), 3);
    // keyboard: Enter on a path step moves focus to that link's card
    await steps.nth(2).focus();
    await steps.nth(2).press('Enter');
    assert.equal(await frame.locator('li.link:focus').getAttribute('id'), 'link-2');
    await frame.locator('button', { hasText: 'Save Chain' }).focus();
    assert.equal(await frame.locator('button:focus').textContent(), 'Save Chain…');
    await waitForIdle(page);
    const file = await screenshot(page, 'e2e-cert-panel');
    assert.ok(existsSync(file) && statSync(file).size > 10_000);
    await runCommand(page, 'View: Close All Editors');
  });

  it('inspects any host:port from the palette and says clearly that a private CA is not trusted by the system store', async () => {
    assert.ok(wb && server);
    const { page } = wb;
    await runCommand(page, 'Redis TLS: Inspect Server Certificate');
    const input = page.locator('.quick-input-widget', { hasText: 'host:port of a TLS server' }).locator('input.input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill(`localhost:${server.port}`);
    await input.press('Enter');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'System trust store' }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    const frame = webviewFrame(page);
    const banner = frame.locator('.banner.untrusted');
    await banner.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match((await banner.textContent()) ?? '', /Not trusted/);
    assert.match((await frame.locator('dl.connection').textContent()) ?? '', /TLSv1\.[23]/);
    await screenshot(page, 'e2e-cert-panel-untrusted');
    assert.equal(
      wb.consoleLines.filter((l) => /Content Security Policy|Refused to (load|execute|apply)/i.test(l)).length,
      0,
      wb.consoleLines.join('\n'),
    );
    await runCommand(page, 'View: Close All Editors');
  });

  it('follows the high contrast theme (VS Code theme variables only); saves e2e-cert-panel-hc.png', async () => {
    assert.ok(wb);
    const { page } = wb;
    await runCommand(page, 'Preferences: Color Theme');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill('Dark High Contrast');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Dark High Contrast' }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await row.click();
    await page.locator('body.hc-black, .monaco-workbench.hc-black').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    await openFile(page, 'bundle.pem');
    await runCommand(page, 'Redis TLS: Inspect Certificate File');
    const frame = webviewFrame(page);
    await frame.locator('ol.chain > li.link').nth(2).waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.ok((await frame.locator('body.vscode-high-contrast').count()) === 1, 'the webview body carries the high contrast theme class');
    // runs in the webview (no DOM lib in this tsconfig: reach getComputedStyle through globalThis)
    const bg = await frame
      .locator('body')
      .evaluate(
        (b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor,
      );
    assert.equal(bg, 'rgb(0, 0, 0)');
    await screenshot(page, 'e2e-cert-panel-hc');
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Preferences: Color Theme');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill('Light Modern');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Light Modern' }).first().click();
  });

  it('squiggles an expired certificate and lists it in the Problems panel; saves e2e-diagnostics.png', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openFile(page, 'expired.crt');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    await runCommand(page, 'View: Focus Problems');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: /Expired/ }).first();
    await row.waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.mouse.move(1300, 850);
    const file = await screenshot(page, 'e2e-diagnostics');
    assert.ok(existsSync(file) && statSync(file).size > 10_000);
  });
});
