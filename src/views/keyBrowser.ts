/**
 * Wires the key browser: the Connections tree and the read-only `redis-tls:` value documents with
 * their CodeLens. The key commands (commands/keys.ts) are registered over it by the container.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { VALUE_SCHEME, ValueCodeLens, ValueFileSystem, type StaleCheckDeps } from '../values/valueFs';
import { KeyTreeProvider, TTL_REFRESH_MS } from './connectionsView';
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
  /** What ValueFileSystem.checkOpen needs (the tests run the check directly). */
  staleDeps: StaleCheckDeps;
}

export function registerKeyBrowser(container: Container): KeyBrowser {
  const provider = container.own(new KeyTreeProvider(container.profiles, container.sessions, container.log, container.config));
  const view = container.own(vscode.window.createTreeView('redisTls.connections', { treeDataProvider: provider, showCollapseAll: true }));
  // Expansions and visibility: what the reloads and the TTL refresh read.
  provider.attachView(view);
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
  // Open value documents that no longer show the server's value say so (a warning on the first line
  // and the CodeLens "Stale: … — Refresh"): at once when their connection fails or closes; a key that
  // changed or expired is found by re-reading the visible ones every TTL_REFRESH_MS.
  const staleDeps = { peek: (id: string) => container.sessions.session(id), state: (id: string) => container.sessions.state(id) };
  container.own(
    container.sessions.onDidChangeState((id) => {
      const state = container.sessions.state(id);
      if (state.kind === 'failed') fs.markProfileStale(id, `the connection failed (${state.problem.title})`);
      else if (state.kind === 'disconnected') fs.markProfileStale(id, 'the connection is closed');
    }),
  );
  const staleTimer = setInterval(() => {
    const visible = vscode.window.visibleTextEditors.map((e) => e.document.uri).filter((u) => u.scheme === VALUE_SCHEME);
    if (visible.length > 0) void fs.checkOpen(staleDeps, visible).catch((e: unknown) => container.log.warn(`Value check: ${String(e)}`));
  }, TTL_REFRESH_MS);
  container.own({ dispose: () => clearInterval(staleTimer) });
  return { provider, fs, view: view as vscode.TreeView<unknown>, staleDeps };
}
