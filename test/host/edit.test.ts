// Editing values inside the real VS Code extension host, against a lab TLS redis-server: a value
// document saved with Ctrl+S (TextDocument.save) writes the change and keeps the TTL, invalid input
// becomes a diagnostic on its line and writes nothing, binary values round-trip byte-exact, and a
// read-only profile's documents are read-only and its session refuses writes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import type { ReadOnlyError } from '../../src/core/client/readOnly';
import { asBuffer, asText } from '../../src/core/keys/replyNarrowing';
import type { DocumentKind } from '../../src/core/keys/values';
import { valueUri } from '../../src/values/valueFs';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import type { DatabaseNode, KeyNode, KeyTreeNode } from '../../src/views/keyNodes';
import { activateContainer, addProfile, removeProfiles, treeChildren, itemLabel } from './helpers';
import { ESCAPE, runWithInputs } from './testUserInput';

const TTL_MS = 600_000;

describe('editing values (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let srv: RedisServer;
  let direct: RedisConnection;
  const created: string[] = [];
  let writable: string;
  let readOnly: string;

  async function add(answers: Record<string, unknown>): Promise<string> {
    const result = await addProfile(container, answers);
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
    return result.profileId!;
  }

  async function open(profileId: string, key: string | Buffer, kind: DocumentKind): Promise<vscode.TextDocument> {
    // Connected first, as when a key is clicked in the tree.
    await container.sessions.connect(profileId);
    const uri = valueUri({ profileId, db: 0, key: Buffer.isBuffer(key) ? key : Buffer.from(key), position: {} }, kind);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  /** Saves like Ctrl+S; on failure, the file system's own error explains why. */
  async function save(doc: vscode.TextDocument): Promise<void> {
    if (await doc.save()) return;
    const why = await Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from(doc.getText()))).then(
      () => 'writeFile succeeded',
      (e: unknown) => String(e),
    );
    assert.fail(`save failed: ${why}`);
  }

  /** Resolves when the document's text satisfies `ok` (it changes when the file system reports a change). */
  function textBecomes(doc: vscode.TextDocument, ok: (text: string) => boolean): Promise<void> {
    if (ok(doc.getText())) return Promise.resolve();
    return new Promise((resolve) => {
      const sub = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === doc && ok(doc.getText())) {
          sub.dispose();
          resolve();
        }
      });
    });
  }

  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(container.keyBrowser.provider, node);
  const label = (node: KeyTreeNode): string => itemLabel(container.keyBrowser.provider.getTreeItem(node));

  /** db0 of a profile in the tree, connected and scanned. */
  async function db0(profileId: string): Promise<DatabaseNode> {
    await container.sessions.connect(profileId);
    const connection = (await children()).find((n) => n.kind === 'connection' && n.profile.id === profileId);
    assert.ok(connection);
    const db = (await children(connection)).find((n) => n.kind === 'database' && n.index === 0);
    assert.ok(db && db.kind === 'database');
    // Scan again: earlier tests added keys directly on the server.
    db.keyspace.reset();
    await vscode.commands.executeCommand('redisTls.keys.loadAll', db);
    return db;
  }

  async function keyNode(db: DatabaseNode, name: string): Promise<KeyNode> {
    const found = (await children(db)).find((n) => n.kind === 'key' && n.key.toString() === name);
    assert.ok(found && found.kind === 'key', `${name} among ${(await children(db)).map(label).join(', ')}`);
    return found;
  }

  async function replaceAll(doc: vscode.TextDocument, text: string): Promise<void> {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
    assert.equal(await vscode.workspace.applyEdit(edit), true);
  }

  async function expireTime(key: string | Buffer): Promise<number> {
    return (await direct.send(['PEXPIRETIME', key])) as number;
  }

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    writable = await add({ name: 'edit lab', host: 'localhost', port: srv.port, tls: true, caPath: lab.rootCa.certPath });
    readOnly = await add({
      name: 'edit lab (production)',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.rootCa.certPath,
      production: true,
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeProfiles(container, created);
    await direct?.close();
    await srv?.stop();
  });

  it('a hash document saved with Ctrl+S writes the change and keeps the TTL', async () => {
    await direct.send(['HSET', 'edit:h', 'name', 'Ada', 'role', 'admin']);
    await direct.send(['PEXPIRE', 'edit:h', TTL_MS]);
    const at = await expireTime('edit:h');
    const doc = await open(writable, 'edit:h', 'jsonc');
    assert.doesNotMatch(doc.getText(), /read-only/);
    await replaceAll(doc, doc.getText().replace('"Ada"', '"Grace"').replace('"role": "admin"', '"role": "admin",\n  "team": "core"'));
    await save(doc);
    assert.equal(asText(await direct.send(['HGET', 'edit:h', 'name'])), 'Grace');
    assert.equal(asText(await direct.send(['HGET', 'edit:h', 'team'])), 'core');
    assert.equal(await expireTime('edit:h'), at, 'TTL unchanged to the millisecond');
    assert.equal(doc.isDirty, false);
  });

  it('every other type saves from its document with the TTL kept', async () => {
    const cases: Array<{
      key: string;
      seed: Array<Array<string | number>>;
      kind: DocumentKind;
      change: (t: string) => string;
      check: () => Promise<void>;
    }> = [
      {
        key: 'edit:s',
        seed: [['SET', 'edit:s', 'plain text']],
        kind: 'text',
        change: () => 'new text',
        check: async () => assert.equal(asText(await direct.send(['GET', 'edit:s'])), 'new text'),
      },
      {
        key: 'edit:json',
        seed: [['SET', 'edit:json', '{"a":1}']],
        kind: 'json',
        change: (t) => t.replace('1', '2'),
        check: async () => assert.equal(asText(await direct.send(['GET', 'edit:json'])), '{\n  "a": 2\n}'),
      },
      {
        key: 'edit:l',
        seed: [['RPUSH', 'edit:l', 'a', 'b', 'c']],
        kind: 'jsonc',
        change: (t) => t.replace(/\n {2}"b", \/\/ 1/, ''),
        check: async () => assert.deepEqual(((await direct.send(['LRANGE', 'edit:l', 0, -1])) as Buffer[]).map(String), ['a', 'c']),
      },
      {
        key: 'edit:set',
        seed: [['SADD', 'edit:set', 'x', 'y']],
        kind: 'jsonc',
        change: (t) => t.replace('"y"', '"z"'),
        check: async () => assert.deepEqual(((await direct.send(['SMEMBERS', 'edit:set'])) as Buffer[]).map(String).sort(), ['x', 'z']),
      },
      {
        key: 'edit:z',
        seed: [['ZADD', 'edit:z', 1, 'm']],
        kind: 'jsonc',
        change: (t) => t.replace('"m": 1', '"m": 7'),
        check: async () => assert.equal(asText(await direct.send(['ZSCORE', 'edit:z', 'm'])), '7'),
      },
      {
        key: 'edit:st',
        seed: [['XADD', 'edit:st', '1-1', 'f', 'v']],
        kind: 'jsonc',
        change: (t) => t.replace('"f": "v" }', '"f": "v" },\n  "*": { "g": "w" }'),
        check: async () => assert.equal(await direct.send(['XLEN', 'edit:st']), 2),
      },
    ];
    for (const c of cases) {
      for (const cmd of c.seed) await direct.send(cmd);
      await direct.send(['PEXPIRE', c.key, TTL_MS]);
      const at = await expireTime(c.key);
      const doc = await open(writable, c.key, c.kind);
      await replaceAll(doc, c.change(doc.getText()));
      assert.equal(await doc.save(), true, c.key);
      await c.check();
      assert.equal(await expireTime(c.key), at, `${c.key}: TTL unchanged`);
    }
  });

  it('a binary string edited as hex is written back byte-exact', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x41, 0x0a]);
    await direct.send(['SET', 'edit:bin', bytes]);
    const doc = await open(writable, 'edit:bin', 'hex');
    assert.match(doc.getText(), /^00000000 {2}00 ff 10 80 41 0a/);
    await replaceAll(doc, doc.getText().replace('00 ff 10', '00 fe 10'));
    assert.equal(await doc.save(), true);
    assert.deepEqual(asBuffer(await direct.send(['GET', 'edit:bin'])), Buffer.from([0x00, 0xfe, 0x10, 0x80, 0x41, 0x0a]));
  });

  it('invalid input is a diagnostic on its line and nothing is written', async () => {
    await direct.send(['DEL', 'edit:bad']);
    await direct.send(['HSET', 'edit:bad', 'a', '1']);
    const doc = await open(writable, 'edit:bad', 'jsonc');
    await replaceAll(doc, doc.getText().replace('"a": "1"', '"a": "2",\n  "a": "3"'));
    assert.equal(await doc.save(), false, 'the save fails');
    const diagnostics = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Redis TLS');
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.range.start.line, 3);
    assert.match(diagnostics[0]!.message, /duplicate field "a"/);
    assert.equal(asText(await direct.send(['HGET', 'edit:bad', 'a'])), '1', 'nothing written');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a read-only (production) profile: documents are read-only, its session refuses writes before sending', async () => {
    await direct.send(['SET', 'edit:ro', 'keep']);
    const doc = await open(readOnly, 'edit:ro', 'text');
    const stat = await vscode.workspace.fs.stat(doc.uri);
    assert.equal(stat.permissions, vscode.FilePermission.Readonly);
    // VS Code itself refuses to write a file its provider marks read-only.
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from('changed'))), /NoPermissions/);
    const session = await container.sessions.connect(readOnly);
    await assert.rejects(
      session.client.send(['DEL', 'edit:ro']),
      (e: unknown) =>
        (e as ReadOnlyError).code === 'READ_ONLY_PROFILE' &&
        /Profile "edit lab \(production\)" is read-only: DEL/.test((e as Error).message),
    );
    assert.equal(asText(await direct.send(['GET', 'edit:ro'])), 'keep');
  });

  it('a value changed by another client since opening: Compare (server vs yours), Overwrite, Reload', async () => {
    await direct.send(['DEL', 'edit:cc']);
    await direct.send(['HSET', 'edit:cc', 'n', '1', 'm', '1']);
    await direct.send(['PEXPIRE', 'edit:cc', TTL_MS]);
    const at = await expireTime('edit:cc');
    const doc = await open(writable, 'edit:cc', 'jsonc');
    await direct.send(['HSET', 'edit:cc', 'n', 'theirs']);
    await replaceAll(doc, doc.getText().replace('"n": "1"', '"n": "mine"'));

    const compared = await runWithInputs(container, ['Compare'], () => doc.save());
    assert.equal(compared.result, false, 'not saved');
    assert.equal(
      compared.prompts[0]!.text,
      `"edit:cc" changed on the server since you opened it. Compare shows the server's value next to yours.`,
      'said once, without repeating itself in parentheses',
    );
    assert.deepEqual(compared.prompts[0]!.items, ['Compare', 'Overwrite', 'Reload']);
    assert.equal(asText(await direct.send(['HGET', 'edit:cc', 'n'])), 'theirs', 'their write survives');
    const diff = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === doc.uri.toString());
    assert.ok(diff && diff.input instanceof vscode.TabInputTextDiff, "a diff editor: the server's value against yours");
    assert.match(diff.input.original.query, /view=server/);
    const server = await vscode.workspace.openTextDocument(diff.input.original);
    assert.match(server.getText(), /"n": "theirs"/);
    assert.equal(doc.isDirty, true, 'your edit is kept');

    const overwritten = await runWithInputs(container, ['Overwrite'], () => doc.save());
    assert.equal(overwritten.result, true);
    assert.equal(asText(await direct.send(['HGET', 'edit:cc', 'n'])), 'mine');
    assert.equal(await expireTime('edit:cc'), at, 'TTL kept');

    await direct.send(['HSET', 'edit:cc', 'm', 'theirs again']);
    await replaceAll(doc, doc.getText().replace('"m": "1"', '"m": "mine again"'));
    const reloaded = await runWithInputs(container, ['Reload'], () => doc.save());
    assert.equal(reloaded.result, true);
    await textBecomes(doc, (t) => t.includes('"m": "theirs again"'));
    assert.equal(asText(await direct.send(['HGET', 'edit:cc', 'm'])), 'theirs again', 'Reload writes nothing');
  });

  it('New Key, Rename Key (a collision asks; declining keeps both) and Duplicate Key update the tree in place', async () => {
    await direct.send(['DEL', 'nk:new', 'nk:other', 'nk:renamed', 'nk:copy']);
    await direct.send(['SET', 'nk:other', 'other value']);
    const db = await db0(writable);
    const created = await runWithInputs(container, ['hash', 'nk:new', 'field', 'value', '120'], () =>
      vscode.commands.executeCommand<Buffer>('redisTls.keys.newKey', db),
    );
    assert.equal(created.result?.toString(), 'nk:new');
    assert.equal(asText(await direct.send(['HGET', 'nk:new', 'field'])), 'value');
    const ttl = (await direct.send(['TTL', 'nk:new'])) as number;
    assert.ok(ttl > 100 && ttl <= 120, `TTL ${ttl}`);
    const folder = (await children(db)).find((n) => n.kind === 'folder' && label(n) === 'nk');
    assert.ok(folder, 'the new key shows in the tree without a rescan');
    assert.ok((await children(folder)).some((n) => label(n) === 'new'));
    // Creating it again is refused (no overwrite).
    const again = await runWithInputs(container, ['string', 'nk:new', 'x', ''], () =>
      vscode.commands.executeCommand<Buffer | undefined>('redisTls.keys.newKey', db),
    );
    assert.equal(again.result, undefined);
    assert.equal(asText(await direct.send(['TYPE', 'nk:new'])), 'hash');

    const node = (await children(folder)).find((n) => label(n) === 'new') as KeyNode;
    const declined = await runWithInputs(container, ['nk:other', ESCAPE], () =>
      vscode.commands.executeCommand<Buffer | undefined>('redisTls.keys.rename', node),
    );
    assert.equal(declined.result, undefined);
    assert.match(declined.prompts[1]!.text!, /The key "nk:other" already exists/);
    assert.equal(asText(await direct.send(['GET', 'nk:other'])), 'other value', 'collision: nothing overwritten');
    assert.equal(asText(await direct.send(['TYPE', 'nk:new'])), 'hash');

    const renamed = await runWithInputs(container, ['nk:renamed'], () =>
      vscode.commands.executeCommand<Buffer | undefined>('redisTls.keys.rename', node),
    );
    assert.equal(renamed.result?.toString(), 'nk:renamed');
    assert.equal(await direct.send(['EXISTS', 'nk:new']), 0);
    const labels = (await children(folder)).map(label);
    assert.ok(labels.includes('renamed') && !labels.includes('new'), labels.join(', '));

    const renamedNode = (await children(folder)).find((n) => label(n) === 'renamed') as KeyNode;
    const copied = await runWithInputs(container, ['nk:copy'], () =>
      vscode.commands.executeCommand<Buffer | undefined>('redisTls.keys.duplicate', renamedNode),
    );
    assert.equal(copied.result?.toString(), 'nk:copy');
    assert.equal(asText(await direct.send(['HGET', 'nk:copy', 'field'])), 'value');
    assert.ok((await children(folder)).some((n) => label(n) === 'copy'));
  });

  it('with a filter set and a folder expanded, New Key and Rename update the tree in place: no SCAN, the filter and the folder stay', async () => {
    await direct.send(['DEL', 'flt:a', 'flt:b', 'flt:c', 'other:x']);
    await direct.send(['SET', 'flt:a', '1']);
    const db = await db0(writable);
    await vscode.commands.executeCommand('redisTls.keys.filter', db, { match: 'flt:*' });
    const folder = (await children(db)).find((n) => n.kind === 'folder' && label(n) === 'flt');
    assert.ok(folder, 'the filtered tree shows the flt folder');
    const folderId = container.keyBrowser.provider.getTreeItem(folder).id;
    assert.deepEqual((await children(folder)).map(label), ['a']);
    const scans = async (): Promise<number> =>
      Number(/^cmdstat_scan:calls=(\d+)/m.exec(asText(await direct.send(['INFO', 'commandstats'])))?.[1] ?? 0);
    const before = await scans();

    // A key the filter shows appears in the expanded folder; one it hides does not.
    await runWithInputs(container, ['string', 'flt:b', 'v', ''], () => vscode.commands.executeCommand('redisTls.keys.newKey', folder));
    await runWithInputs(container, ['string', 'other:x', 'v', ''], () => vscode.commands.executeCommand('redisTls.keys.newKey', db));
    assert.equal(await direct.send(['EXISTS', 'flt:b', 'other:x']), 2);
    const folderNow = (await children(db)).find((n) => n.kind === 'folder' && label(n) === 'flt');
    assert.ok(folderNow);
    assert.equal(container.keyBrowser.provider.getTreeItem(folderNow).id, folderId, 'the same folder row (VS Code keeps it expanded)');
    assert.deepEqual((await children(folderNow)).map(label), ['a', 'b']);
    assert.ok(!(await children(db)).some((n) => label(n) === 'other'), 'the filter still hides other:x');
    assert.equal(String(db.keyspace.filter.match), 'flt:*', 'the filter stays');

    // Renamed to a name the filter shows: moves in place.
    const b = (await children(folderNow)).find((n) => label(n) === 'b') as KeyNode;
    await runWithInputs(container, ['flt:c'], () => vscode.commands.executeCommand('redisTls.keys.rename', b));
    assert.deepEqual((await children(folderNow)).map(label), ['a', 'c']);
    assert.equal(await scans(), before, 'no SCAN was sent: the tree was updated in place');
    await vscode.commands.executeCommand('redisTls.keys.filter', db, {});
  });

  it('a read-only profile shows a badge, hides write actions (context values) and refuses them', async () => {
    await direct.send(['SET', 'ro2', 'keep']);
    const db = await db0(readOnly);
    const connection = (await children()).find((n) => n.kind === 'connection' && n.profile.id === readOnly)!;
    assert.match(String(container.keyBrowser.provider.getTreeItem(connection).description), /^PRODUCTION · read-only/);
    assert.equal(container.keyBrowser.provider.getTreeItem(db).contextValue, 'redisDatabase.readonly');
    const node = await keyNode(db, 'ro2');
    assert.match(container.keyBrowser.provider.getTreeItem(node).contextValue ?? '', /\.readonly$/);
    const refused = await runWithInputs(container, [], () =>
      vscode.commands.executeCommand<Buffer | undefined>('redisTls.keys.rename', node),
    );
    assert.equal(refused.result, undefined);
    assert.equal(asText(await direct.send(['GET', 'ro2'])), 'keep');
  });

  it('a folder delete offers a dry run listing the first keys, and deletes nothing until confirmed', async () => {
    await direct.send(['SET', 'dry:a', '1']);
    await direct.send(['SET', 'dry:b', '2']);
    const db = await db0(writable);
    const folder = (await children(db)).find((n) => n.kind === 'folder' && label(n) === 'dry');
    assert.ok(folder);
    const run = await runWithInputs(container, ['Dry Run: List Keys', ESCAPE, ESCAPE], () =>
      vscode.commands.executeCommand<number>('redisTls.keys.deleteFolder', folder),
    );
    assert.equal(run.result, 0);
    assert.deepEqual(
      run.prompts.map((p) => p.kind),
      ['warning', 'quickPick', 'warning'],
    );
    assert.deepEqual([...run.prompts[1]!.items!].sort(), ['dry:a', 'dry:b']);
    assert.match(run.prompts[1]!.title!, /^Dry run: the first 2 of 2 keys/);
    assert.equal(await direct.send(['EXISTS', 'dry:a', 'dry:b']), 2, 'the dry run deleted nothing');
  });
});
