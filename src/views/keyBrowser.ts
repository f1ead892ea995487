/**
 * Wires the key browser: the Connections tree and the read-only `redis-tls:` value documents with
 * their CodeLens. The key commands (commands/keys.ts) are registered over it by the container.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { VALUE_SCHEME, ValueCodeLens, ValueFileSystem } from '../values/valueFs';
import { KeyTreeProvider } from './connectionsView';
import type { KeyTreeNode } from './keyNodes';

/** The profile a tree node belongs to (none for message rows). */
function profileIdOf(node: KeyTreeNode): string | undefined {
  switch (node.kind) {
    case 'connection':
      return node.profile.id;
    case 'message':
      return undefined;
    case 'database':
      return node.connection.profile.id;
    case 'nodes':
      return node.connectionId;
    case 'clusterNode':
      return node.folder.connectionId;
    default:
      return node.database.connection.profile.id;
  }
}

export interface KeyBrowser {
  provider: KeyTreeProvider;
  fs: ValueFileSystem;
  view: vscode.TreeView<unknown>;
}

export function registerKeyBrowser(container: Container): KeyBrowser {
  const provider = container.own(new KeyTreeProvider(container.profiles, container.sessions, container.log, container.config));
  const view = container.own(vscode.window.createTreeView('redisTls.connections', { treeDataProvider: provider, showCollapseAll: true }));
  // The status bar shows the connection the user focuses in the tree.
  container.own(
    view.onDidChangeSelection((e) => {
      const node = e.selection[0];
      const id = node && node.kind !== 'group' ? profileIdOf(node) : undefined;
      if (id) container.sessions.focus(id);
    }),
  );
  const fs = container.own(new ValueFileSystem((id) => provider.session(id), container.config));
  // Writable: each document's stat says read-only where the profile or the value does not allow a save.
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
  fs.enableEditing({
    ask: (message, options, ...items) => container.ui.showWarningMessage(message, options, ...items),
    diagnostics,
    log: (m) => container.log.info(m),
  });
  container.own(vscode.workspace.onDidCloseTextDocument((doc) => diagnostics.delete(doc.uri)));
  return { provider, fs, view: view as vscode.TreeView<unknown> };
}
