// Shared by the in-host test files (not a test file itself: test/host/index.ts loads *.test.js only).
import * as vscode from 'vscode';
import type { SaveResult } from '../../src/commands/connectionService';
import type { Container } from '../../src/container';
import type { ConnectionAnswers } from '../../src/core/profiles/answers';
import type { RedisTlsExplorerApi } from '../../src/extension';
import type { KeyTreeProvider } from '../../src/views/connectionsView';
import type { KeyTreeNode } from '../../src/views/keyNodes';

export const EXTENSION_ID = 'redis-tls-explorer.redis-tls-explorer';

/** Activates the extension under development and returns its composition root. */
export async function activateContainer(): Promise<Container> {
  const ext = vscode.extensions.getExtension<RedisTlsExplorerApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return (await ext.activate()).container;
}

/**
 * Saves a profile from answers through the connection service (the same checks and stores as the
 * Add Connection flow, without its prompts): for tests whose subject is not the flow itself.
 */
export function addProfile(container: Container, answers: ConnectionAnswers): Promise<SaveResult> {
  return container.connections.fromAnswers(answers, undefined);
}

/** Applies answers onto a saved user profile through the connection service (as a save of the Edit flow does). */
export async function editProfile(container: Container, id: string, answers: ConnectionAnswers): Promise<SaveResult> {
  const p = container.profiles.get(id);
  if (!p) throw new Error(`no profile ${id}`);
  return container.connections.fromAnswers(answers, p, await container.profiles.secretsOf(id));
}

/** Disconnects and removes (with their secrets) the profiles a test file created. */
export async function removeProfiles(container: Container, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await container.sessions.disconnect(id).catch(() => undefined);
    if (container.profiles.get(id)) await container.profiles.remove(id);
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

/** The rows under `node` (the root when omitted) of the Connections tree, as the workbench asks for them. */
export async function treeChildren(provider: Pick<KeyTreeProvider, 'getChildren'>, node?: KeyTreeNode): Promise<KeyTreeNode[]> {
  return (await provider.getChildren(node)) as KeyTreeNode[];
}

/** A tree item's label as text. */
export function itemLabel(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}
