// The key browser inside the real VS Code extension host, against a lab TLS redis-server seeded with
// every type, binary keys, nested namespaces and TTLs: tree children and items, paging, filters,
// value documents, TTL actions, deletion with confirmation.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import type { KeyBrowser } from '../../src/views/keyBrowser';
import type { ConnectionNode, DatabaseNode, FolderNode, KeyNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { BINARY_KEY, DB0_KEY_COUNT, seedKeyBrowser } from '../integration/keysSeed';
import { activateContainer, addProfile, removeProfiles, treeChildren, itemLabel } from './helpers';
import { ESCAPE, runWithInputs } from './testUserInput';

describe('key browser (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let browser: KeyBrowser;
  let lab: LabCerts;
  let srv: RedisServer;
  let direct: RedisConnection;
  const created: string[] = [];
  let profileId: string;

  const label = itemLabel;
  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(browser.provider, node);
  const item = (node: KeyTreeNode): vscode.TreeItem => browser.provider.getTreeItem(node);
  const named = async (parent: KeyTreeNode, name: string): Promise<KeyTreeNode> => {
    const all = await children(parent);
    const found = all.find((n) => label(item(n)) === name);
    assert.ok(found, `"${name}" among ${all.map((n) => label(item(n))).join(', ')}`);
    return found;
  };
  const path = async (from: KeyTreeNode, ...names: string[]): Promise<KeyTreeNode> => {
    let node = from;
    for (const n of names) node = await named(node, n);
    return node;
  };
  const exists = async (key: string | Buffer): Promise<boolean> => (await direct.send(['EXISTS', key])) === 1;

  async function add(answers: Record<string, unknown>): Promise<string> {
    const result = await addProfile(container, answers);
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
    return result.profileId!;
  }

  async function connectionNode(id: string): Promise<ConnectionNode> {
    const node = (await children()).find((n) => n.kind === 'connection' && n.profile.id === id);
    assert.ok(node && node.kind === 'connection');
    return node;
  }

  /** Expands a connection: the first answer is "Connecting…" while the session opens. */
  async function expandConnection(id: string): Promise<KeyTreeNode[]> {
    const node = await connectionNode(id);
    const first = await children(node);
    if (first.length === 1 && first[0]!.kind === 'message' && first[0]!.text === 'Connecting…') {
      await container.sessions.connect(id).catch(() => undefined);
      return children(node);
    }
    return first;
  }

  async function db0(): Promise<DatabaseNode> {
    await expandConnection(profileId);
    const node = await named(await connectionNode(profileId), 'db0');
    assert.equal(node.kind, 'database');
    return node as DatabaseNode;
  }

  /** db0 with every key scanned ("Load All"), as the tests below expect to find any seeded key. */
  async function fullDb0(): Promise<DatabaseNode> {
    const db = await db0();
    const loaded = await vscode.commands.executeCommand<number>('redisTls.keys.loadAll', db);
    assert.ok(loaded >= DB0_KEY_COUNT - 3, `Load All got ${loaded} keys`);
    return db;
  }

  before(async () => {
    container = await activateContainer();
    browser = container.keyBrowser;
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    await seedKeyBrowser(direct);
    profileId = await add({ name: 'keys lab', host: 'localhost', port: srv.port, tls: true, caPath: lab.rootCa.certPath });
  });

  after(async () => {
    await removeProfiles(container, created);
    await direct?.close();
    await srv?.stop();
  });

  it('browsing (tree, paging, filters, tooltips, every kind of value document) sends no write command', async () => {
    await direct.send(['CONFIG', 'RESETSTAT']);
    const db = await fullDb0();
    await vscode.commands.executeCommand('redisTls.keys.filter', db, { match: 'user:*', type: 'string' });
    await children(db);
    await vscode.commands.executeCommand('redisTls.keys.clearFilter', db);
    await vscode.commands.executeCommand('redisTls.keys.loadAll', db);
    for (const path_ of [
      ['user', '1', 'profile'],
      ['app', 'config', 'json'],
      ['app', 'blob'],
      ['big', 'list'],
      ['big', 'hash'],
      ['tags', 'all'],
      ['events', 'stream'],
      ['leaderboard'],
    ]) {
      const node = await path(db, ...path_);
      await browser.provider.resolveTreeItem(item(node), node);
      await vscode.commands.executeCommand('redisTls.keys.openValue', node);
    }
    await vscode.commands.executeCommand('redisTls.keys.nextPart');
    await children(await named(await connectionNode(profileId), 'db2'));
    const stats = String(await direct.send(['INFO', 'commandstats']));
    const names = [...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => m[1]!);
    assert.ok(names.includes('scan') && names.includes('hscan') && names.includes('xrange'), names.join(' '));
    for (const name of names) {
      const [info] = (await direct.send(['COMMAND', 'INFO', name])) as Array<[Buffer, number, Buffer[]] | null>;
      const flags = (info?.[2] ?? []).map(String);
      assert.ok(!flags.includes('write'), `${name} is a write command (flags ${flags.join(',')})`);
    }
  });

  it('expanding a connection connects it and lists its databases with key counts; the node shows verified TLS', async () => {
    // Start from a disconnected profile: expanding it connects.
    await container.sessions.disconnect(profileId);
    const conn = await connectionNode(profileId);
    const connecting = await children(conn);
    assert.deepEqual(
      connecting.map((n) => label(item(n))),
      ['Connecting…'],
      'expanding starts connecting',
    );
    const dbs = await expandConnection(profileId);
    assert.deepEqual(
      dbs.map((n) => label(item(n))),
      ['db0', 'db2'],
    );
    assert.match(item(dbs[0]!).description as string, new RegExp(`^${DB0_KEY_COUNT.toLocaleString('en-US')} keys`));
    assert.match(item(dbs[1]!).description as string, /^2 keys/);
    const connItem = item(conn);
    assert.match(connItem.description as string, /TLSv1\.[23] verified/);
    assert.equal(connItem.contextValue, 'profile.connected');
    assert.equal((connItem.iconPath as vscode.ThemeIcon).id, 'lock');
  });

  it('pages: "Load more…" scans the next page, "Show more…" reveals more children of a big folder', async () => {
    const db = await db0();
    // The first page (redisTls.scanPageSize = 1000) does not hold all 1,218 keys.
    let top = await children(db);
    const loadMore = top.find((n) => n.kind === 'loadMore');
    assert.ok(loadMore, 'Load more… is offered');
    await vscode.commands.executeCommand('redisTls.keys.loadMore', db);
    top = await children(db);
    assert.equal(
      top.find((n) => n.kind === 'loadMore'),
      undefined,
      'scan finished',
    );
    const many = await named(db, 'many');
    assert.equal(item(many).description, '1,200');
    let kids = await children(many);
    assert.equal(kids.filter((n) => n.kind === 'key').length, 500);
    const more = kids.at(-1)!;
    assert.equal(more.kind, 'showMore');
    assert.equal(label(item(more)), 'Show 500 more…');
    await vscode.commands.executeCommand('redisTls.keys.showMore', more);
    kids = await children(many);
    assert.equal(kids.filter((n) => n.kind === 'key').length, 1000);
    assert.equal(label(item(kids[0]!)), '0000');
    assert.equal(label(item(kids[999]!)), '0999');
  });

  it('groups keys into namespace folders with type icons and TTLs; binary keys shown escaped', async () => {
    const db = await fullDb0();
    const top = await children(db);
    const names = top.map((n) => label(item(n)));
    assert.deepEqual(names.slice(0, 9), ['a', 'app', 'big', 'bin', 'events', 'many', 'queue', 'tags', 'user']);
    assert.ok(names.includes('leaderboard') && names.includes('standalone'));
    const user1 = await path(db, 'user', '1');
    const session = await named(user1, 'session');
    const sessionItem = item(session);
    assert.match(sessionItem.description as string, /^TTL (59m \d+s|1h)/);
    assert.equal((sessionItem.iconPath as vscode.ThemeIcon).id, 'symbol-string');
    assert.equal(sessionItem.contextValue, 'redisKey.ttl');
    const profile = item(await named(user1, 'profile'));
    assert.equal((profile.iconPath as vscode.ThemeIcon).id, 'symbol-object');
    assert.equal(profile.description, undefined, 'no TTL, no description');
    assert.equal((item(await named(db, 'leaderboard')).iconPath as vscode.ThemeIcon).id, 'symbol-number');
    assert.equal((item(await path(db, 'events', 'stream')).iconPath as vscode.ThemeIcon).id, 'pulse');
    const deep = await path(db, 'a', 'b', 'c', 'd', 'deep');
    assert.equal(deep.kind, 'key');
    const bin = await children(await named(db, 'bin'));
    assert.equal(bin.length, 1);
    assert.equal(label(item(bin[0]!)), '\\xff\\xfe\\x00\\x01');
    assert.deepEqual((bin[0] as KeyNode).key, BINARY_KEY);
    const tooltip = await browser.provider.resolveTreeItem(item(session), session);
    const text = (tooltip?.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.match(text, /Type: string/);
    assert.match(text, /Encoding: embstr/);
    assert.match(text, /Memory usage: \d+/);
  });

  it('filters by pattern (MATCH) and type (SCAN TYPE), and clears the filter', async () => {
    const db = await db0();
    await vscode.commands.executeCommand('redisTls.keys.filter', db, { match: 'user:*', type: 'hash' });
    assert.match(item(db).description as string, /filter user:\*, type hash/);
    assert.equal(item(db).contextValue, 'redisDatabase.filtered');
    const top = await children(db);
    assert.deepEqual(
      top.map((n) => label(item(n))),
      ['user'],
    );
    const ones = await children(await path(db, 'user', '1'));
    assert.deepEqual(
      ones.map((n) => label(item(n))),
      ['profile'],
    );
    await vscode.commands.executeCommand('redisTls.keys.filter', db, { type: 'stream' });
    assert.deepEqual(
      (await children(db)).map((n) => label(item(n))),
      ['events'],
    );
    await vscode.commands.executeCommand('redisTls.keys.clearFilter', db);
    assert.ok((await children(db)).length > 5);
  });

  it('opens values as read-only documents: a hash as JSONC, a binary key, and the next part of a big list', async () => {
    const db = await fullDb0();
    const hash = await path(db, 'user', '1', 'profile');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', hash);
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'redis-tls');
    assert.equal(doc.languageId, 'jsonc');
    assert.match(doc.getText(), /"email": "ada@example\.com"/);
    assert.match(doc.getText(), /^\/\/ hash user:1:profile · 3 fields/);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('x'))), 'the value file system is read-only');

    const bin = (await children(await named(db, 'bin')))[0]!;
    const binEditor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', bin);
    assert.equal(binEditor.document.getText(), 'value of a binary key');

    const json = await vscode.commands.executeCommand<vscode.TextEditor>(
      'redisTls.keys.openValue',
      await path(db, 'app', 'config', 'json'),
    );
    assert.equal(json.document.languageId, 'json');
    assert.match(json.document.getText(), /"id": 12345678901234567890/);

    const list = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', await path(db, 'big', 'list'));
    assert.match(list.document.getText(), /Showing elements 0–999 of 2,500/);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', list.document.uri);
    assert.ok(
      lenses.some((l) => l.command?.command === 'redisTls.keys.nextPart'),
      'a "Load Next Part" lens',
    );
    const next = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.nextPart', list.document.uri);
    assert.match(next.document.uri.query, /offset=1000/);
    assert.match(next.document.getText(), /"item-1000", \/\/ 1000/);
  });

  it('sets and removes a TTL', async () => {
    const db = await fullDb0();
    const text = await path(db, 'app', 'config', 'text');
    assert.equal(await vscode.commands.executeCommand('redisTls.keys.setTtl', text, 120), true);
    const pttl = (await direct.send(['PTTL', 'app:config:text'])) as number;
    assert.ok(pttl > 100_000 && pttl <= 120_000);
    assert.match(item(await path(db, 'app', 'config', 'text')).description as string, /^TTL (2m|1m 5\ds)/);
    assert.equal(await vscode.commands.executeCommand('redisTls.keys.removeTtl', text), true);
    assert.equal(await direct.send(['PTTL', 'app:config:text']), -1);
  });

  it('deletes a key only when confirmed, and a folder after confirming its key count', async () => {
    const db = await fullDb0();
    const standalone = await named(db, 'standalone');
    assert.equal(
      (await runWithInputs(container, [ESCAPE], () => vscode.commands.executeCommand('redisTls.keys.delete', standalone))).result,
      false,
    );
    assert.equal(await exists('standalone'), true, 'declined: nothing deleted');
    assert.equal(
      (await runWithInputs(container, ['Delete'], () => vscode.commands.executeCommand('redisTls.keys.delete', standalone))).result,
      true,
    );
    assert.equal(await exists('standalone'), false);
    assert.ok(!(await children(db)).some((n) => label(item(n)) === 'standalone'));

    const bin = (await children(await named(db, 'bin')))[0]!;
    assert.equal(
      (await runWithInputs(container, ['Delete'], () => vscode.commands.executeCommand('redisTls.keys.delete', bin))).result,
      true,
    );
    assert.equal(await exists(BINARY_KEY), false, 'DEL used the original bytes');

    const a = (await named(db, 'a')) as FolderNode;
    assert.equal(
      (await runWithInputs(container, [ESCAPE], () => vscode.commands.executeCommand('redisTls.keys.deleteFolder', a))).result,
      0,
    );
    assert.equal(await exists('a:b:c:d:deep'), true);
    const deleted = await runWithInputs(container, ['Delete 2 Keys'], () =>
      vscode.commands.executeCommand('redisTls.keys.deleteFolder', a),
    );
    assert.equal(deleted.result, 2);
    assert.match(deleted.prompts[0].text ?? '', /^Delete 2 keys whose names start with "a/);
    assert.equal(await exists('a:b:c:d:deep'), false);
    assert.equal(await exists('a:b:c:d2'), false);
    assert.equal(await exists('app:blob'), true, 'a neighbouring prefix ("app") is untouched');
  });

  it('a connection that fails shows its diagnosis instead of children', async () => {
    const id = await add({ name: 'keys untrusted', host: 'localhost', port: srv.port, tls: true, caPath: lab.otherRoot.certPath });
    const node = await connectionNode(id);
    const kids = await expandConnection(id);
    assert.deepEqual(
      kids.map((n) => n.kind),
      ['message', 'message'],
    );
    assert.equal(label(item(kids[1]!)), 'Retry');
    const state = container.sessions.state(id);
    assert.equal(state.kind, 'failed');
    const it = item(node);
    assert.equal(it.contextValue, 'profile.failed');
    assert.match((it.tooltip as vscode.MarkdownString).value, /Connection failed/);
    // Markdown escapes the underscores of the code.
    assert.ok(state.kind === 'failed' && (it.tooltip as vscode.MarkdownString).value.replace(/\\/g, '').includes(state.problem.code));
  });
});
