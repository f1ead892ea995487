/**
 * Wires the key browser: the Connections tree, the read-only `redis-tls:` value documents with their
 * CodeLens, and the key commands.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { registerKeyCommands } from '../commands/keys';
import { registerClusterNodeCommands } from '../commands/clusterNodes';
import { VALUE_SCHEME, ValueCodeLens, ValueFileSystem } from '../platform/valueFs';
import { KeyTreeProvider } from './keyTree';

export interface KeyBrowser {
  provider: KeyTreeProvider;
  fs: ValueFileSystem;
  view: vscode.TreeView<unknown>;
}

export function registerKeyBrowser(container: Container): KeyBrowser {
  const provider = container.own(new KeyTreeProvider(container.profiles, container.sessions, container.log));
  const view = container.own(vscode.window.createTreeView('redisTls.connections', { treeDataProvider: provider, showCollapseAll: true }));
  const fs = container.own(new ValueFileSystem((id) => provider.session(id)));
  container.own(vscode.workspace.registerFileSystemProvider(VALUE_SCHEME, fs, { isCaseSensitive: true, isReadonly: true }));
  container.own(vscode.languages.registerCodeLensProvider({ scheme: VALUE_SCHEME }, new ValueCodeLens(fs)));
  // "Load Next Part" in the editor title only where there is a next part.
  const updateNextPartContext = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const hasNext = uri?.scheme === VALUE_SCHEME && !!fs.lastPart(uri)?.next;
    void vscode.commands.executeCommand('setContext', 'redisTls.valueHasNextPart', hasNext);
  };
  container.own(vscode.window.onDidChangeActiveTextEditor(updateNextPartContext));
  container.own(fs.onDidRender(updateNextPartContext));
  const mode = container.context.extensionMode;
  for (const d of registerKeyCommands({ provider, fs, log: container.log, extensionMode: mode })) container.own(d);
  for (const d of registerClusterNodeCommands(provider, container.log)) container.own(d);
  const browser: KeyBrowser = { provider, fs, view: view as vscode.TreeView<unknown> };
  if (mode === vscode.ExtensionMode.Test) {
    // The in-host tests reach the tree through this; it exists only when VS Code runs the extension's tests.
    container.own(vscode.commands.registerCommand('redisTls.keys.testHooks', () => browser));
  }
  return browser;
}
