// e2e: a redis.conf in the real workbench: the redis-conf language, squiggles from the TLS rules and
// a hover on a tls-* directive, saved as test/artifacts/e2e-redis-conf.png.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLab } from '../lab/certs';
import { captureFailures, openWorkbench, screenshot, Workbench } from './harness';

const TIMEOUT = 30_000;
const CONF = `# Redis with TLS: three pitfalls below
port 6379
tls-port 6380
tls-cert-file certs/server.crt
tls-key-file certs/server.key
tls-ca-cert-file certs/missing-ca.crt
tls-protocols "TLSv1.1 TLSv1.2 TLSv1.3"
tls-session-caching yes
#
# Client certificates: mutual TLS.
# (Blank lines keep the hover below from covering the squiggles above.)
#
#
#
#
#
#
tls-auth-clients yes
`;

describe('redis.conf diagnostics and hover (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let workspace: string;

  before(async () => {
    const lab = await getLab();
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-e2e-conf-'));
    await fs.mkdir(path.join(workspace, 'certs'));
    await fs.copyFile(lab.server.chainPath, path.join(workspace, 'certs', 'server.crt'));
    await fs.copyFile(lab.server.keyPath, path.join(workspace, 'certs', 'server.key'));
    await fs.writeFile(path.join(workspace, 'redis.conf'), CONF);
    wb = await openWorkbench({ workspace, settings: { 'workbench.startupEditor': 'none', 'editor.codeLens': true } });
  });
  after(async () => {
    await wb?.close();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  captureFailures('e2e-redis-conf', () => wb);

  it('squiggles the pitfalls of a redis.conf and explains a tls-* directive on hover; saves e2e-redis-conf.png', async () => {
    assert.ok(wb);
    const { page } = wb;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // Quick open: the palette input without its ">" opens files.
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: TIMEOUT });
    await input.fill('redis.conf');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'redis.conf' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'redis.conf' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'attached', timeout: TIMEOUT });
    await page.locator('.statusbar-item', { hasText: 'Redis Configuration' }).first().waitFor({ state: 'visible', timeout: TIMEOUT });
    const token = page.locator('.monaco-editor .view-line span', { hasText: /^tls-auth-clients$/ }).first();
    await token.hover();
    const hover = page.locator('.monaco-hover-content', { hasText: 'tls-auth-clients' });
    await hover.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await hover.first().innerText(), /Default: yes/);
    await screenshot(page, 'e2e-redis-conf');
  });
});
