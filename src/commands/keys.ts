/**
 * Key browser commands. Everything destructive (DEL/UNLINK, EXPIRE, PERSIST) runs only on an explicit
 * action and deletions ask first, naming the key or the number of keys.
 */
import * as vscode from 'vscode';
import { copyableName, displayBytes, globEscape } from '../core/keys/bytes';
import { count } from '../core/keys/format';
import { SCAN_TYPES, type ScanFilter } from '../core/keys/scanPager';
import { createPager } from '../core/keys/clusterScan';
import { asInteger } from '../core/keys/replyNarrowing';
import { fetchMeta } from '../core/keys/keyInfo';
import { nextPartUri, valueUri, VALUE_SCHEME, type ValueFileSystem } from '../values/valueFs';
import type { Logger } from '../platform/logger';
import type { UserInput } from '../platform/userInput';
import { completeWalkthroughStep } from '../platform/walkthrough';
import { DatabaseNode, FolderNode, KeyNode, LoadMoreNode, MessageNode, ShowMoreNode, type KeyTreeNode } from '../views/keyNodes';
import { OPEN_SELECTED, type KeyTreeProvider } from '../views/connectionsView';

export interface KeyCommandDeps {
  provider: KeyTreeProvider;
  fs: ValueFileSystem;
  log: Logger;
  /** Every prompt (filter, TTL, confirmations) goes through it. */
  ui: UserInput;
  /** The Connections view's selection (a clicked row is read from it). */
  selection: () => readonly unknown[];
}

/** How long a click may wait for its row to come back while the tree reloads it. */
const CLICK_WAIT_MS = 3_000;

const UNLINK_BATCH = 500;
/** The palette's key picker: at most this many keys, found in at most PICK_SCAN_CALLS SCAN calls. */
const PICK_KEYS = 500;
const PICK_SCAN_CALLS = 50;
/** Keys a folder deletion's dry run lists. */
const DRY_RUN_KEYS = 50;

function dbLabel(db: DatabaseNode): string {
  return `${db.cluster ? 'the keyspace' : `db${db.index}`} of ${db.connection.profile.name}`;
}

export function registerKeyCommands(deps: KeyCommandDeps): vscode.Disposable[] {
  const { provider, fs, log, ui, selection } = deps;

  async function confirm(message: string, action: string): Promise<boolean> {
    const answer = await ui.showWarningMessage(message, { modal: true }, action);
    return answer === action;
  }

  function report(e: unknown, what: string): void {
    const text = e instanceof Error ? e.message : String(e);
    log.warn(`${what}: ${text}`);
    void vscode.window.showErrorMessage(`${what}: ${text}`);
  }

  function databaseOf(node: KeyTreeNode | undefined): DatabaseNode | undefined {
    if (!node) return undefined;
    if (node instanceof DatabaseNode) return node;
    if (node instanceof FolderNode || node instanceof KeyNode || node instanceof ShowMoreNode) return node.database;
    if (node.kind === 'loadMore') return node.database;
    return undefined;
  }

  // ---- the palette: no tree row given, pick a connection (and a key) -------------------------

  async function pickDatabase(title: string): Promise<DatabaseNode | undefined> {
    const connections = (await provider.getChildren()).filter((n) => n.kind === 'connection');
    if (connections.length === 0) {
      void vscode.window.showInformationMessage('No Redis connection yet: add one first (Redis TLS: Add Connection).');
      return undefined;
    }
    const picked = await ui.showQuickPick(
      connections.map((c) => ({ label: c.profile.name, description: `${c.profile.host}:${c.profile.port}`, node: c })),
      { title, placeHolder: 'Connection' },
    );
    if (!picked) return undefined;
    try {
      await provider.session(picked.node.profile.id);
    } catch (e) {
      report(e, `Connecting to ${picked.node.profile.name} failed`);
      return undefined;
    }
    const dbs = (await provider.getChildren(picked.node)).filter((n): n is DatabaseNode => n instanceof DatabaseNode);
    if (dbs.length === 0) void vscode.window.showInformationMessage(`${picked.node.profile.name}: no database to browse.`);
    if (dbs.length <= 1) return dbs[0];
    const home = picked.node.profile.db ?? 0;
    const db = await ui.showQuickPick(
      dbs.map((d) => ({
        label: `db${d.index}`,
        description: `${d.keyCount !== undefined ? `${count(d.keyCount)} keys` : ''}${d.index === home ? " · the profile's database" : ''}`,
        node: d,
      })),
      { title, placeHolder: 'Database' },
    );
    return db?.node;
  }

  /** A key of a picked connection, found with a bounded SCAN MATCH. */
  async function pickKey(title: string): Promise<KeyNode | undefined> {
    const db = await pickDatabase(title);
    if (!db) return undefined;
    const pattern = await ui.showInputBox({
      title,
      prompt: `Key name or SCAN MATCH pattern (glob: * ? [abc]) in ${dbLabel(db)}`,
      value: '*',
    });
    if (pattern === undefined) return undefined;
    const found = new Map<string, Buffer>();
    let progress;
    try {
      progress = await createPager(db.keyspace.db, { match: pattern || '*' }, PICK_KEYS).load(
        PICK_KEYS,
        (keys) => {
          for (const k of keys) if (found.size < PICK_KEYS) found.set(k.toString('latin1'), k);
        },
        { maxCalls: PICK_SCAN_CALLS },
      );
    } catch (e) {
      report(e, 'Finding keys failed');
      return undefined;
    }
    if (found.size === 0) {
      void vscode.window.showInformationMessage(
        `No key of ${dbLabel(db)} matches "${pattern}"${progress.done ? '' : ' in the part scanned'}.`,
      );
      return undefined;
    }
    const keys = [...found.values()].sort(Buffer.compare);
    const picked = await ui.showQuickPick(
      keys.map((k) => ({ label: displayBytes(k), key: k })),
      {
        title,
        placeHolder: `${count(keys.length)} key${keys.length === 1 ? '' : 's'} match${progress.done ? '' : ` (the first found; scan not finished: narrow the pattern)`}`,
        matchOnDescription: true,
      },
    );
    if (!picked) return undefined;
    const [meta] = await fetchMeta(db.keyspace.db, [picked.key]);
    return new KeyNode(db, picked.key, meta ?? { type: 'unknown', pttl: -1 }, 0, db);
  }

  /**
   * Refresh reads first and tells the view after: the rows shown keep working while a slow server
   * answers (see KeyTreeProvider.reloadDatabase).
   */
  const refresh = async (node?: KeyTreeNode): Promise<void> => {
    try {
      if (!node) return await provider.reloadAll();
      if (node instanceof DatabaseNode || node.kind === 'connection') {
        // Through the connection: INFO is read again, so the key counts are current too.
        return await provider.reloadConnection(node instanceof DatabaseNode ? node.connection.profile.id : node.profile.id);
      }
      if (node instanceof FolderNode) return await provider.reloadDatabase(node.database).then(() => provider.refresh(node.database));
      provider.refresh(node);
    } catch (e) {
      report(e, 'Refreshing keys failed');
    }
  };

  const loadMore = async (db: DatabaseNode): Promise<void> => {
    try {
      await db.keyspace.loadMore();
    } catch (e) {
      report(e, 'Loading keys failed');
    }
    provider.refresh(db);
  };

  const loadAll = async (db: DatabaseNode): Promise<number> => {
    const ks = db.keyspace;
    const expected = db.keyCount;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Loading all keys of ${dbLabel(db)}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        // The tree shows the first page's keys at once, then follows once a second.
        let lastRefresh = 0;
        let reported = 0;
        try {
          return await ks.loadAll(abort.signal, (p) => {
            const pct = expected ? Math.min(100, (ks.tree.root.total / expected) * 100) : 0;
            progress.report({
              message: `${count(ks.tree.root.total)}${expected ? ` of ~${count(expected)}` : ''} keys`,
              increment: Math.max(0, pct - reported),
            });
            reported = Math.max(reported, pct);
            if (Date.now() - lastRefresh > 1000 && !p.done) {
              lastRefresh = Date.now();
              provider.refresh(db);
            }
          });
        } catch (e) {
          if (!abort.signal.aborted) report(e, 'Loading keys failed');
          return undefined;
        } finally {
          sub.dispose();
        }
      },
    );
    provider.refresh(db);
    return result?.keys ?? ks.tree.root.total;
  };

  const setFilter = async (db: DatabaseNode, preset?: ScanFilter): Promise<void> => {
    let filter: ScanFilter | undefined = preset;
    if (!filter) {
      const current = db.keyspace.filter;
      const match = await ui.showInputBox({
        title: `Filter ${dbLabel(db)}`,
        prompt: 'Key pattern for SCAN MATCH (glob: * ? [abc]); empty for all keys',
        value: typeof current.match === 'string' ? current.match : current.match ? displayBytes(current.match) : '',
      });
      if (match === undefined) return;
      const items: Array<vscode.QuickPickItem & { type?: string }> = [
        { label: 'Any type' },
        ...SCAN_TYPES.map((t) => ({ label: t, type: t })),
      ];
      const picked = await ui.showQuickPick(items, {
        title: `Filter ${dbLabel(db)}: type (SCAN TYPE)`,
        placeHolder: current.type ?? 'Any type',
      });
      if (!picked) return;
      filter = { ...(match ? { match } : {}), ...(picked.type ? { type: picked.type } : {}) };
    }
    // Read with the new filter first: the rows shown keep working while the server answers.
    try {
      await provider.reloadDatabase(db, { filter });
    } catch {
      db.keyspace.reset({ filter }); // the database row shows the failure when it reads again
    }
    provider.refresh(db);
  };

  const openValue = async (node?: KeyNode | { profileId: string; db: number; key: Buffer }): Promise<vscode.TextEditor | undefined> => {
    // A click that lands on no row (or a row of before a refresh without its node): nothing to open, quietly.
    if (!node || (!(node instanceof KeyNode) && !(typeof node.profileId === 'string' && Buffer.isBuffer(node.key)))) return undefined;
    const address =
      node instanceof KeyNode
        ? {
            profileId: node.database.connection.profile.id,
            profileName: node.database.connection.profile.name,
            db: node.database.index,
            key: node.key,
            position: {},
          }
        : { ...node, position: {} };
    try {
      const provisional = valueUri(address);
      const rendered = await fs.render(provisional);
      const doc = await vscode.workspace.openTextDocument(valueUri(address, rendered.part.kind));
      const editor = await vscode.window.showTextDocument(doc, { preview: true });
      completeWalkthroughStep('browse');
      return editor;
    } catch (e) {
      report(e, `Reading ${displayBytes(address.key)} failed`);
      return undefined;
    }
  };

  /**
   * The row a click selected (a key, "Load more…", "Show … more…", a message row with a command).
   * During a refresh VS Code forgets a reloaded row until the tree answered again (the selection then
   * maps to nothing for a moment): wait for that answer (bounded); a row comes back under the same
   * id. A row that does not come back is ignored quietly.
   */
  type ClickableRow = KeyNode | LoadMoreNode | ShowMoreNode | MessageNode;
  const selectedRow = async (): Promise<ClickableRow | undefined> => {
    const deadline = Date.now() + CLICK_WAIT_MS;
    for (;;) {
      const row = selection().find(
        (n): n is ClickableRow =>
          n instanceof KeyNode || n instanceof LoadMoreNode || n instanceof ShowMoreNode || (n instanceof MessageNode && !!n.command),
      );
      const left = deadline - Date.now();
      if (row || left <= 0) return row;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        const sub = provider.onDidServeChildren(done);
        function done(): void {
          clearTimeout(timer);
          sub.dispose();
          resolve();
        }
      });
    }
  };

  const openSelected = async (): Promise<unknown> => {
    const row = await selectedRow();
    if (row instanceof KeyNode) return openValue(row);
    if (row instanceof LoadMoreNode) return loadMore(row.database);
    if (row instanceof ShowMoreNode) return showMore(row);
    if (row?.command) return vscode.commands.executeCommand(row.command.command, ...(row.command.arguments ?? []));
    return undefined;
  };

  const showMore = (node: ShowMoreNode): void => {
    node.database.keyspace.showMore(node.folder);
    provider.refresh(node.parent);
  };

  const activeValueUri = (uri?: vscode.Uri): vscode.Uri | undefined => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    return target?.scheme === VALUE_SCHEME ? target : undefined;
  };

  const nextPart = async (uri?: vscode.Uri): Promise<vscode.TextEditor | undefined> => {
    const current = activeValueUri(uri);
    if (!current) return undefined;
    const part = fs.lastPart(current) ?? (await fs.render(current)).part;
    const next = nextPartUri(current, part);
    if (!next) {
      void vscode.window.showInformationMessage('This is the last part of the value.');
      return undefined;
    }
    const rendered = await fs.render(next);
    const final = nextPartUri(current, { ...part, kind: rendered.part.kind }) ?? next;
    const doc = await vscode.workspace.openTextDocument(final);
    return vscode.window.showTextDocument(doc, { preview: false });
  };

  const setTtl = async (node: KeyNode, seconds?: number): Promise<boolean> => {
    let ttl = seconds;
    if (ttl === undefined) {
      const input = await ui.showInputBox({
        title: `Set TTL of ${displayBytes(node.key)}`,
        prompt: 'Seconds until the key expires',
        value: node.meta.pttl > 0 ? String(Math.ceil(node.meta.pttl / 1000)) : '3600',
        validateInput: (v) => (/^[1-9]\d{0,11}$/.test(v.trim()) ? undefined : 'A whole number of seconds, at least 1'),
      });
      if (input === undefined) return false;
      ttl = Number(input.trim());
    }
    if (!Number.isInteger(ttl) || ttl < 1) return false;
    try {
      const ok = asInteger(await node.database.keyspace.db.send(['EXPIRE', node.key, ttl]));
      if (ok !== 1) void vscode.window.showWarningMessage(`${displayBytes(node.key)} no longer exists.`);
    } catch (e) {
      report(e, 'Setting the TTL failed');
      return false;
    }
    node.database.keyspace.forgetMeta(node.key);
    provider.refresh(node.parent);
    return true;
  };

  const removeTtl = async (node: KeyNode): Promise<boolean> => {
    try {
      await node.database.keyspace.db.send(['PERSIST', node.key]);
    } catch (e) {
      report(e, 'Removing the TTL failed');
      return false;
    }
    node.database.keyspace.forgetMeta(node.key);
    provider.refresh(node.parent);
    return true;
  };

  const deleteKey = async (node: KeyNode): Promise<boolean> => {
    const name = displayBytes(node.key);
    if (!(await confirm(`Delete the key "${name}" (${node.meta.type}) from ${dbLabel(node.database)}? This cannot be undone.`, 'Delete')))
      return false;
    try {
      await node.database.keyspace.db.send(['DEL', node.key]);
    } catch (e) {
      report(e, `Deleting ${name} failed`);
      return false;
    }
    log.info(`Deleted a key from ${dbLabel(node.database)}`);
    node.database.keyspace.forgetKey(node.key);
    // The database row counts the keys too ("41 keys"): it follows the delete.
    if (node.database.keyCount !== undefined) node.database.keyCount = Math.max(0, node.database.keyCount - 1);
    provider.refresh(node.database);
    return true;
  };

  /** Deletes every key under a folder's prefix (and of the filtered type, if any): counts them first. */
  const deleteFolder = async (node: FolderNode): Promise<number> => {
    const ks = node.database.keyspace;
    const prefix = ks.tree.prefixOf(node.folder);
    const shown = displayBytes(prefix);
    const filter: ScanFilter = {
      match: Buffer.concat([globEscape(prefix), Buffer.from('*')]),
      ...(ks.filter.type ? { type: ks.filter.type } : {}),
    };
    const keys = new Map<string, Buffer>();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Counting keys under "${shown}"`, cancellable: true },
        async (_p, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            await createPager(ks.db, filter, 1000).loadAll(
              (page) => {
                for (const k of page) keys.set(k.toString('latin1'), k);
              },
              { signal: abort.signal },
            );
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      report(e, 'Counting keys failed');
      return 0;
    }
    if (keys.size === 0) {
      void vscode.window.showInformationMessage(`No keys start with "${shown}" any more.`);
      ks.tree.removeFolder(node.folder);
      provider.refresh(node.parent);
      return 0;
    }
    const typeNote = ks.filter.type ? ` of type ${ks.filter.type}` : '';
    const all = [...keys.values()];
    const action = `Delete ${count(keys.size)} Keys`;
    const dryRun = 'Dry Run: List Keys';
    for (;;) {
      const answer = await ui.showWarningMessage(
        `Delete ${count(keys.size)} key${keys.size === 1 ? '' : 's'}${typeNote} whose names start with "${shown}" from ${dbLabel(node.database)}? This cannot be undone.`,
        { modal: true },
        action,
        dryRun,
      );
      if (answer === action) break;
      if (answer !== dryRun) return 0;
      // The dry run deletes nothing: it lists the first keys the deletion would remove, then asks again.
      const first = all.slice(0, DRY_RUN_KEYS).map((k) => ({ label: displayBytes(k) }));
      await ui.showQuickPick(first, {
        title: `Dry run: the first ${count(first.length)} of ${count(all.length)} keys "Delete" would remove`,
        placeHolder: 'Nothing is deleted here; Escape returns to the question',
      });
    }
    let deleted = 0;
    try {
      for (let i = 0; i < all.length; i += UNLINK_BATCH)
        deleted += asInteger(await ks.db.send(['UNLINK', ...all.slice(i, i + UNLINK_BATCH)]));
    } catch (e) {
      report(e, `Deleting keys under "${shown}" failed after ${count(deleted)}`);
    }
    log.info(`Deleted ${deleted} keys under a folder of ${dbLabel(node.database)}`);
    ks.tree.removeFolder(node.folder);
    if (node.database.keyCount !== undefined) node.database.keyCount = Math.max(0, node.database.keyCount - deleted);
    provider.refresh(node.database);
    void vscode.window.showInformationMessage(`Deleted ${count(deleted)} key${deleted === 1 ? '' : 's'} under "${shown}".`);
    return deleted;
  };

  const copyName = async (node: KeyNode): Promise<string> => {
    const text = copyableName(node.key);
    await vscode.env.clipboard.writeText(text);
    return text;
  };

  const register = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);

  return [
    register('redisTls.refresh', () => refresh()),
    register('redisTls.keys.refresh', (node?: KeyTreeNode) => refresh(node)),
    register('redisTls.keys.loadMore', (db: DatabaseNode) => loadMore(db)),
    register('redisTls.keys.loadAll', (node: DatabaseNode | KeyTreeNode) => {
      const db = databaseOf(node);
      return db ? loadAll(db) : undefined;
    }),
    register('redisTls.keys.showMore', (node: ShowMoreNode) => showMore(node)),
    register('redisTls.keys.filter', async (node?: KeyTreeNode, preset?: ScanFilter) => {
      const db = databaseOf(node) ?? (node === undefined ? await pickDatabase('Filter Keys') : undefined);
      return db ? setFilter(db, preset) : undefined;
    }),
    register('redisTls.keys.clearFilter', (node: KeyTreeNode) => {
      const db = databaseOf(node);
      return db ? setFilter(db, {}) : undefined;
    }),
    register('redisTls.keys.copyName', async (node?: KeyNode) => {
      const key = node instanceof KeyNode ? node : node === undefined ? await pickKey('Copy Key Name') : undefined;
      return key ? copyName(key) : undefined;
    }),
    register('redisTls.keys.openValue', (node?: KeyNode) => openValue(node)),
    // A row's click (rows carry no command arguments: see keyItem in views/connectionsView.ts).
    register(OPEN_SELECTED, openSelected),
    register('redisTls.keys.nextPart', (uri?: vscode.Uri) => nextPart(uri)),
    register('redisTls.keys.refreshValue', (uri?: vscode.Uri) => {
      const target = activeValueUri(uri);
      if (target) fs.reload(target);
    }),
    register('redisTls.keys.setTtl', (node: KeyNode, seconds?: number) => setTtl(node, seconds)),
    register('redisTls.keys.removeTtl', (node: KeyNode) => removeTtl(node)),
    register('redisTls.keys.delete', async (node?: KeyNode) => {
      const key = node instanceof KeyNode ? node : node === undefined ? await pickKey('Delete Key') : undefined;
      return key ? deleteKey(key) : false;
    }),
    register('redisTls.keys.deleteFolder', (node: FolderNode) => deleteFolder(node)),
  ];
}
