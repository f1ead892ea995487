/**
 * Wires the key browser: the Connections tree, the read-only `redis-tls:` value documents with their
 * CodeLens, and the key commands.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { registerKeyCommands } from '../commands/keys';
import { registerEditKeyCommands, type EditPrompts } from '../commands/editKeys';
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
  container.own(vscode.workspace.registerFileSystemProvider(VALUE_SCHEME, fs, { isCaseSensitive: true }));
  container.own(vscode.languages.registerCodeLensProvider({ scheme: VALUE_SCHEME }, new ValueCodeLens(fs)));
  // "Load Next Part" in the editor title only where there is a next part.
  const updateNextPartContext = (): void => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const hasNext = uri?.scheme === VALUE_SCHEME && !!fs.lastPart(uri)?.next;
    void vscode.commands.executeCommand('setContext', 'redisTls.valueHasNextPart', hasNext);
  };
  container.own(vscode.window.onDidChangeActiveTextEditor(updateNextPartContext));
  container.own(fs.onDidRender(updateNextPartContext));
  const diagnostics = container.own(vscode.languages.createDiagnosticCollection('redis-tls-values'));
  fs.enableEditing({ ask: async (message, options, ...items) => vscode.window.showWarningMessage(message, options, ...items), diagnostics, log: (m) => container.log.info(m) });
  container.own(vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)));
  const mode = container.context.extensionMode;
  for (const d of registerKeyCommands({ provider, fs, log: container.log, extensionMode: mode })) container.own(d);
  const input: EditPrompts = {
    showQuickPick: async (items, options) => vscode.window.showQuickPick(items, options),
    showInputBox: async (options) => vscode.window.showInputBox(options),
    showWarningMessage: async (message, options, ...items) => vscode.window.showWarningMessage(message, options, ...items),
  };
  for (const d of registerEditKeyCommands({ provider, input, log: container.log })) container.own(d);
  const browser: KeyBrowser = { provider, fs, view: view as vscode.TreeView<unknown> };
  if (mode === vscode.ExtensionMode.Test) {
    // The in-host tests reach the tree through this; it exists only when VS Code runs the extension's tests.
    container.own(vscode.commands.registerCommand('redisTls.keys.testHooks', () => browser));
  }
  return browser;
}
