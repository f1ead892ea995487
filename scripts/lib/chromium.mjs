// Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by playwright-core.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './procs.mjs';
import { PrerequisiteError } from './vscode-host.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Path of the Chromium binary ($CHROMIUM_PATH, /usr/bin/chromium, or chromium on PATH), or null. */
export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(c)) return c;
  return hasCommand('chromium') || hasCommand('chromium-browser');
}

/**
 * Launches headless Chromium with a fresh profile. Returns the playwright Browser; close() it when done
 * (playwright also kills it when this process exits).
 */
export async function launchChromium({ headless = true } = {}) {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new PrerequisiteError('chromium', 'prerequisite missing: chromium (apt-get install chromium, or set CHROMIUM_PATH)');
  const { chromium } = await import('playwright-core');
  // Debian's wrapper turns on crashpad, which writes under $XDG_CONFIG_HOME: keep that out of the real home.
  const configDir = mkdtempSync(join(tmpdir(), 'rte-chromium-'));
  const env = { ...process.env, XDG_CONFIG_HOME: join(configDir, 'config'), XDG_CACHE_HOME: join(configDir, 'cache') };
  try {
    const browser = await chromium.launch({ executablePath, headless, args: CHROMIUM_ARGS, env, timeout: 60_000 });
    browser.on('disconnected', () => rmSync(configDir, { recursive: true, force: true }));
    return browser;
  } catch (err) {
    rmSync(configDir, { recursive: true, force: true });
    throw err;
  }
}
