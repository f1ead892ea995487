// Shared by the in-host test files (not a test file itself: test/host/index.ts loads *.test.js only).
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { RedisTlsExplorerApi } from '../../src/extension';

export const EXTENSION_ID = 'redis-tls-explorer.redis-tls-explorer';

/** Activates the extension under development and returns its composition root. */
export async function activateContainer(): Promise<Container> {
  const ext = vscode.extensions.getExtension<RedisTlsExplorerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return (await ext.activate()).container;
}

/** Disconnects and removes (with their secrets) the profiles a test file created. */
export async function removeProfiles(container: Container, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await container.sessions.disconnect(id).catch(() => undefined);
    if (container.profiles.get(id)) await vscode.commands.executeCommand('redisTls.removeConnection', id, { confirmed: true });
  }
}

/** Polls `fn` until it returns a value (a condition to wait for, never a fixed sleep). */
export async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
