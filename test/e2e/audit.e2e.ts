// e2e: "Audit TLS Posture" in the real workbench shows the audit as a section of the connection's
// certificate panel, below the chain: one panel tells the whole story (e2e-audit-section.png).
// The lab server listens on 127.0.0.1 and 127.0.0.2; the profile uses 127.0.0.2 (verified as
// localhost), so the audit's look at the plaintext port 6379 goes to 127.0.0.2, where nothing listens.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, openRedisTlsView, openWorkbench, runCommand, screenshot, treeRow, webviewFrame, Workbench } from './harness';

const TIMEOUT = 60_000;

describe('TLS posture audit in the certificate panel (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;
  let workspace: string;

  before(async () => {
    const lab = await getLab();
    server = await startRedis({ kind: 'tls', extraArgs: ['--bind', '127.0.0.1', '127.0.0.2'] });
    workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-e2e-audit-'));
    await fs.mkdir(path.join(workspace, '.vscode'));
    await fs.writeFile(
      path.join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify(
        { profiles: [{ name: 'Audit Lab', host: '127.0.0.2', port: server.port, servername: 'localhost', caFile: lab.rootCa.certPath }] },
        null,
        2,
      ),
    );
    wb = await openWorkbench({ workspace, viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
  });

  captureFailures('e2e-audit', () => wb);

  it('Audit TLS Posture opens the connection certificate panel with the chain and, below it, the audit (e2e-audit-section.png)', async () => {
    assert.ok(wb && server);
    const { page } = wb;
    await openRedisTlsView(page);
    await treeRow(page, 'Audit Lab').waitFor({ state: 'visible', timeout: TIMEOUT });
    await runCommand(page, 'Redis TLS: Audit TLS Posture');
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Audit Lab' }).first();
    await pick.waitFor({ state: 'visible', timeout: TIMEOUT });
    await pick.click();

    await page.locator('.tabs-container .tab', { hasText: 'Certificate: Audit Lab' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const frame = webviewFrame(page);
    // The certificate part: the verdict, the connection and the path.
    await frame.locator('.banner.trusted').waitFor({ state: 'visible', timeout: TIMEOUT });
    await frame.locator('h2', { hasText: 'Certification path' }).waitFor({ state: 'visible', timeout: TIMEOUT });
    // The audit part, in the same document.
    const section = frame.locator('section#audit');
    await section.locator('h2', { hasText: `TLS posture of 127.0.0.2:${server.port}` }).waitFor({ state: 'visible', timeout: TIMEOUT });
    const text = await section.innerText();
    assert.match(text, /TLSv1\.2\s+accepted/);
    assert.match(text, /TLSv1\.3\s+accepted/);
    assert.match(text, /TLSv1\s+refused/);
    assert.match(text, /Client certificate\s+none/);
    assert.match(text, /Plaintext port\s+6379 closed/);
    assert.match(text, /Chain\s+\d presented, complete, trusted/);
    assert.equal(await frame.locator('button', { hasText: 'Audit TLS Posture' }).count(), 1, 'the panel can run the audit again');
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'TLS posture' }).count(), 0, 'no separate audit panel');
    const file = await screenshot(page, 'e2e-audit-section');
    assert.ok((await fs.stat(file)).size > 10_000);
  });
});
