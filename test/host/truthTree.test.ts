// Issue #15 "Seen, to fix" (second part) and #9 (value reads can be cancelled): the key browser and
// the value documents tell the truth, in the real host against lab servers. Each test failed on the
// code before its fix.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { ConnectionAnswers } from '../../src/core/profiles/answers';
import { RedisConnection } from '../../src/core/client/connection';
import type { DatabaseNode, FolderNode, KeyNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab, type LabCerts } from '../lab/certs';
import { startProxy, type LabProxy } from '../lab/proxy';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, removeProfiles, until, treeChildren, itemLabel } from './helpers';
import { runWithInputs } from './testUserInput';

describe('the key browser and value documents tell the truth (#15, #9)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let srv: RedisServer;
  const proxies: LabProxy[] = [];
  const created: string[] = [];

  const provider = (): Container['keyBrowser']['provider'] => container.keyBrowser.provider;
  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(provider(), node);
  const label = (node: KeyTreeNode): string => itemLabel(provider().getTreeItem(node));

  async function add(name: string, port: number, extra: Partial<ConnectionAnswers> = {}): Promise<string> {
    const r = await addProfile(container, {
      name,
      host: 'localhost',
      port,
      tls: true,
      caPath: lab.rootCa.certPath,
      ...extra,
    });
    assert.equal(r.saved, true, JSON.stringify(r.problems));
    created.push(r.profileId!);
    return r.profileId!;
  }

  /** Commands straight to the lab server (not through the extension, nor through a proxy). */
  async function direct(...commands: Array<Array<string | number>>): Promise<unknown[]> {
    const c = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    try {
      const out: unknown[] = [];
      for (const cmd of commands) out.push(await c.send(cmd.map(String)));
      return out;
    } finally {
      await c.close();
    }
  }

  async function database(id: string, index = 0): Promise<DatabaseNode> {
    await container.sessions.connect(id);
    const conn = (await children()).find((n) => n.kind === 'connection' && n.profile.id === id)!;
    const db = (await children(conn)).find((n): n is DatabaseNode => n.kind === 'database' && n.index === index);
    assert.ok(db, 'the database row');
    return db;
  }

  /** What the view's expand events tell the provider (optional: the code before the fix had no such hook). */
  const expanded = (node: KeyTreeNode): void =>
    (provider() as { setExpanded?: (n: KeyTreeNode, e: boolean) => void }).setExpanded?.(node, true);

  /** Expands a folder as the user would. */
  async function open(parent: DatabaseNode | FolderNode, name: string): Promise<FolderNode> {
    expanded(parent);
    const folder = (await children(parent)).find((n): n is FolderNode => n.kind === 'folder' && label(n) === name);
    assert.ok(folder, `folder ${name}`);
    expanded(folder);
    return folder;
  }

  const keysOf = async (folder: FolderNode): Promise<KeyNode[]> => (await children(folder)).filter((n): n is KeyNode => n.kind === 'key');

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
  });

  after(async () => {
    await removeProfiles(container, created);
    for (const p of proxies) await p.stop();
    await srv.stop();
  });

  it('truth: the rows shown keep working while a Refresh waits on a slow server', async () => {
    await direct(['SELECT', 1], ['MSET', 'click:a', '1', 'click:b', '2']);
    const proxy = await startProxy({ host: srv.host, port: srv.port });
    proxies.push(proxy);
    const id = await add('Tree slow refresh', proxy.port, { servername: 'localhost', db: 1 });
    const db = await database(id, 1);
    const folder = await open(db, 'click');
    const [first] = await keysOf(folder);
    assert.ok(first);
    await direct(['SELECT', 1], ['SET', 'click:c', '3']);
    proxy.hold();
    const refreshing = vscode.commands.executeCommand('redisTls.refresh');
    try {
      // VS Code drops the commands of a row's children when it asks for new children, and asks as
      // soon as it hears of a change: the tree must answer from what it has while the server is slow
      // (before the fix, Refresh emptied the database first and the rows waited on the server).
      let served: KeyTreeNode[] | undefined;
      void children(db).then((c) => (served = c));
      const rows = await until('the database rows while the server is slow', () => served, 5_000);
      assert.ok(rows.some((n) => n.kind === 'folder' && label(n) === 'click'));
    } finally {
      proxy.release();
    }
    await refreshing;
    // A click on a row of before the refresh still opens the value.
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', first);
    assert.ok(editor, 'the value opened');
    const after = await open(db, 'click');
    assert.deepEqual((await keysOf(after)).map(label), ['a', 'b', 'c'], 'the refresh read the server');
    // No row, a stale row: ignored quietly.
    assert.equal(await vscode.commands.executeCommand('redisTls.keys.openValue'), undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('truth: the TTLs on screen are read again and expired keys leave the tree (counts follow)', async () => {
    await direct(
      ['SELECT', 2],
      ['SET', 'ttl:a', 'x', 'PX', 600_000],
      ['SET', 'ttl:gone', 'x', 'PX', 600_000],
      ['SET', 'ttl:keep', 'x'],
      ['SET', 'ttl:sub:only', 'x', 'PX', 600_000],
    );
    const id = await add('Tree TTLs', srv.port, { db: 2 });
    const db = await database(id, 2);
    const folder = await open(db, 'ttl');
    await open(folder, 'sub');
    const description = async (name: string): Promise<string | undefined> => {
      const key = (await keysOf(folder)).find((k) => label(k) === name);
      return key ? String(provider().getTreeItem(key).description ?? '') : undefined;
    };
    assert.match((await description('a'))!, /^TTL 9m 59s|^TTL 10m/);
    const count = (): string => String(provider().getTreeItem(db).description);
    assert.match(count(), /^4 keys/);
    await direct(['SELECT', 2], ['PEXPIRE', 'ttl:a', 90_000], ['PEXPIRE', 'ttl:gone', 1], ['PEXPIRE', 'ttl:sub:only', 1]);
    await until('the keys expired', async () =>
      (await direct(['SELECT', 2], ['EXISTS', 'ttl:gone', 'ttl:sub:only']))[1] === 0 ? true : undefined,
    );
    assert.equal(await provider().refreshTtls(), 2, 'two keys dropped');
    assert.match((await description('a'))!, /^TTL 1m (2|3)\ds$/);
    assert.equal(await description('gone'), undefined, 'the expired key left the tree');
    assert.equal(await description('keep'), '');
    assert.ok(!(await children(folder)).some((n) => n.kind === 'folder'), 'the folder whose last key expired is gone');
    assert.match(count(), /^2 keys/);
    assert.match(String(provider().getTreeItem(folder).description), /^2/);
  });

  it('truth: a value document names its profile in the breadcrumb, not the internal id (earlier URIs still open)', async () => {
    await direct(['SELECT', 3], ['SET', 'crumb:a', 'hello']);
    const id = await add('Tree crumbs', srv.port, { db: 3 });
    const key = (await keysOf(await open(await database(id, 3), 'crumb')))[0]!;
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', key);
    const uri = editor!.document.uri;
    assert.equal(uri.path.split('/')[1], 'Tree crumbs');
    assert.ok(!uri.path.includes(id), uri.toString());
    assert.equal(editor!.document.getText(), 'hello');
    // The earlier form (the id as the first segment) still reads.
    const { valueUri } = await import('../../src/values/valueFs');
    const old = valueUri({ profileId: id, db: 3, key: Buffer.from('crumb:a'), position: {} });
    assert.equal(new TextDecoder().decode(await vscode.workspace.fs.readFile(old)), 'hello');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('truth: an open value document is marked stale when the key changes or expires or the connection closes, and Refresh reads it again', async () => {
    await direct(['SELECT', 4], ['SET', 'stale:a', 'one']);
    const id = await add('Tree stale', srv.port, { db: 4 });
    const key = (await keysOf(await open(await database(id, 4), 'stale')))[0]!;
    const editor = (await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', key))!;
    const uri = editor.document.uri;
    const fs = container.keyBrowser.fs;
    const check = (): Promise<number> => fs.checkOpen(container.keyBrowser.staleDeps, [uri]);
    const warning = (): vscode.Diagnostic | undefined => vscode.languages.getDiagnostics(uri).find((d) => d.message.startsWith('Stale:'));
    const lensTitles = async (): Promise<string[]> =>
      ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? []).map(
        (l) => l.command?.title ?? '',
      );
    assert.equal(await check(), 0, 'not stale while the value is the same');
    await direct(['SELECT', 4], ['SET', 'stale:a', 'two']);
    assert.equal(await check(), 1);
    assert.match((await until('the stale warning', warning)).message, /the key changed on the server/);
    assert.ok(
      (await lensTitles()).some((t) => /Stale: the key changed on the server — Refresh/.test(t)),
      (await lensTitles()).join(' | '),
    );
    await vscode.commands.executeCommand('redisTls.keys.refreshValue', uri);
    await until('the document re-read', () => (editor.document.getText() === 'two' && !warning() ? true : undefined));
    await direct(['SELECT', 4], ['DEL', 'stale:a']);
    assert.equal(await check(), 1);
    assert.match((await until('the stale warning', warning)).message, /no longer exists/);
    await container.sessions.disconnect(id);
    assert.match(
      (await until('the closed connection', () => (warning()?.message.includes('connection') ? warning() : undefined))).message,
      /connection is closed/,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('truth: Filter Keys, Delete Key and Copy Key Name work from the palette (pick a connection, then a key)', async () => {
    await direct(['SELECT', 0], ['SET', 'palette:elsewhere', '1'], ['SELECT', 5], ['MSET', 'pal:x', '1', 'pal:y', '2', 'other', '3']);
    const id = await add('Tree palette', srv.port, { db: 5 });
    await container.sessions.connect(id);
    const copied = await runWithInputs(container, ['Tree palette', 'db5', 'pal:*', 'pal:x'], () =>
      vscode.commands.executeCommand<string>('redisTls.keys.copyName'),
    );
    assert.equal(copied.result, 'pal:x');
    assert.equal(await vscode.env.clipboard.readText(), 'pal:x');
    const deleted = await runWithInputs(container, ['Tree palette', 'db5', 'pal:y', 'pal:y', 'Delete'], () =>
      vscode.commands.executeCommand<boolean>('redisTls.keys.delete'),
    );
    assert.equal(deleted.result, true);
    assert.equal((await direct(['SELECT', 5], ['EXISTS', 'pal:y']))[1], 0);
    await runWithInputs(container, ['Tree palette', 'db5', 'pal:*', 'Any type'], () =>
      vscode.commands.executeCommand('redisTls.keys.filter'),
    );
    assert.equal(provider().databaseNode(id, 5)?.keyspace.filter.match, 'pal:*');
  });

  it('fault: a slow value read can be cancelled; the session stays usable (#9)', async () => {
    await direct(['SELECT', 6], ['SET', 'slow:a', 'value']);
    const proxy = await startProxy({ host: srv.host, port: srv.port });
    proxies.push(proxy);
    const id = await add('Tree cancel', proxy.port, { servername: 'localhost', db: 6 });
    await container.sessions.connect(id);
    const { valueUri } = await import('../../src/values/valueFs');
    const uri = valueUri({ profileId: id, profileName: 'Tree cancel', db: 6, key: Buffer.from('slow:a'), position: {} });
    const fs = container.keyBrowser.fs;
    proxy.hold();
    let outcome: unknown;
    void Promise.resolve(vscode.workspace.fs.readFile(uri)).then(
      () => (outcome = 'read'),
      (e: unknown) => (outcome = e),
    );
    try {
      await until('the read under way', () => (fs.pendingReads > 0 ? true : undefined));
      fs.cancelReads();
      const error = await until('the read stopped', () => outcome);
      assert.match(String(error), /cancelled/);
    } finally {
      proxy.release();
    }
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    assert.equal(text, 'value', 'the session still reads');
    assert.equal(container.sessions.state(id).kind, 'connected');
  });
});
