// Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by playwright-core.
import { existsSync } from 'node:fs';
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
  if (!executablePath) throw new PrerequisiteError('chromium', 'prerequisite missing: chromium (apt-get install chromium, or set CHROMIUM_PATH)');
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless, args: CHROMIUM_ARGS, timeout: 60_000 });
}
