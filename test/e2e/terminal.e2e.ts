// e2e: the Redis terminal in the real workbench against a lab TLS redis-server: Open Terminal from
// the palette, SET / GET / HGETALL / SELECT typed at the prompt, a SUBSCRIBE receiving a message
// published by another client, Ctrl+C back to the prompt (e2e-terminal.png).
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { RedisConnection } from '../../src/core/client/connection';
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { captureFailures, openRedisTlsView, openWorkbench, runCommand, screenshot, waitForIdle, Workbench } from './harness';

const TIMEOUT = 30_000;

/** The terminal's visible text (DOM renderer: one div per row), each row without trailing blanks. */
const READ_ROWS = `(() => {
  const rows = document.querySelector('.terminal-wrapper.active .xterm-rows');
  return rows ? rows.innerText.replace(/\\u00a0/g, ' ').split('\\n').map((l) => l.replace(/\\s+$/, '')).join('\\n') : null;
})()`;

async function terminalText(page: Page): Promise<string> {
  return String(await page.evaluate(READ_ROWS));
}

async function waitForText(page: Page, re: RegExp): Promise<string> {
  try {
    await page.waitForFunction(
      `(() => { const t = ${READ_ROWS}; return t !== null && new RegExp(${JSON.stringify(re.source)}, ${JSON.stringify(re.flags)}).test(t); })()`,
      undefined,
      { timeout: TIMEOUT },
    );
  } catch (e) {
    const last = await terminalText(page).catch(() => '(no terminal)');
    throw new Error(`terminal never showed ${re}: ${last}`, { cause: e });
  }
  return terminalText(page);
}

describe('Redis terminal (e2e)', function () {
  this.timeout(180_000);
  let wb: Workbench | undefined;
  let server: RedisServer | undefined;
  let options: ConnectionOptions;

  before(async () => {
    const lab = await getLab();
    server = await startRedis({ kind: 'tls' });
    options = { host: 'localhost', port: server.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-terminal-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify(
        {
          profiles: [
            { name: 'Lab TLS', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath },
            // A production profile: read-only without saying readOnly.
            { name: 'Lab Prod', host: 'localhost', port: server.port, caFile: lab.rootCa.certPath, production: true },
          ],
        },
        null,
        2,
      ),
    );
    wb = await openWorkbench({
      workspace,
      settings: { 'terminal.integrated.gpuAcceleration': 'off' },
      viewport: { width: 1400, height: 900 },
    });
  });

  after(async () => {
    await wb?.close();
    await server?.stop();
  });

  captureFailures('e2e-terminal', () => wb);

  it('runs commands typed at the prompt, streams SUBSCRIBE until Ctrl+C (e2e-terminal.png)', async () => {
    assert.ok(wb);
    const { page } = wb;
    await openRedisTlsView(page);
    await waitForIdle(page);
    await runCommand(page, 'Redis TLS: Open Terminal');
    const pickRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Lab TLS' }).first();
    await pickRow.waitFor({ state: 'visible', timeout: TIMEOUT });
    await pickRow.click();
    await waitForText(page, new RegExp(`^localhost:${server!.port}>$`, 'm'));
    const type = async (line: string): Promise<void> => {
      await page.keyboard.type(line, { delay: 5 });
      await page.keyboard.press('Enter');
    };
    await type('SET greeting "hello world"');
    await waitForText(page, /^OK$/m);
    await type('GET greeting');
    await waitForText(page, /^"hello world"$/m);
    await type('HSET h field1 v1 field2 v2');
    await waitForText(page, /^\(integer\) 2$/m);
    await type('HGETALL h');
    await waitForText(page, /1\) "field1"\s+2\) "v1"\s+3\) "field2"\s+4\) "v2"/);
    await type('SELECT 2');
    await waitForText(page, new RegExp(`^localhost:${server!.port}\\[2\\]>$`, 'm'));
    await type('SUBSCRIBE news');
    await waitForText(page, /Reading messages\.\.\. \(press Ctrl-C to quit\)\s+1\) "subscribe"\s+2\) "news"\s+3\) \(integer\) 1/);
    const publisher = await RedisConnection.open(options);
    try {
      await publisher.send(['PUBLISH', 'news', 'from another client']);
    } finally {
      await publisher.close();
    }
    await waitForText(page, /1\) "message"\s+2\) "news"\s+3\) "from another client"/);
    await page.keyboard.press('Control+C');
    await waitForText(page, new RegExp(`\\^C\\s+localhost:${server!.port}\\[2\\]>$`, 'm'));
    await type('DBSIZE');
    await waitForText(page, /^\(integer\) 0$/m);
    await screenshot(page, 'e2e-terminal');
  });

  it('a read-only (production) profile: the title says read-only, SET is refused with a clear message, GET works', async () => {
    assert.ok(wb);
    const { page } = wb;
    const seed = await RedisConnection.open(options);
    try {
      await seed.send(['SET', 'guarded', 'original']);
    } finally {
      await seed.close();
    }
    await runCommand(page, 'Redis TLS: Open Terminal');
    const pickRow = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Lab Prod' }).first();
    await pickRow.waitFor({ state: 'visible', timeout: TIMEOUT });
    await pickRow.click();
    await page
      .locator('.terminal-tabs-entry, .single-terminal-tab, .terminal-tab', { hasText: 'Redis: Lab Prod (read-only)' })
      .first()
      .waitFor({ state: 'attached', timeout: TIMEOUT });
    await waitForText(page, new RegExp(`^localhost:${server!.port}>$`, 'm'));
    await page.keyboard.type('SET guarded changed', { delay: 5 });
    await page.keyboard.press('Enter');
    await waitForText(page, /\(error\) Profile "Lab Prod" is read-only: SET is not a read command; nothing was sent\./);
    await page.keyboard.type('GET guarded', { delay: 5 });
    await page.keyboard.press('Enter');
    await waitForText(page, /^"original"$/m);
  });
});
