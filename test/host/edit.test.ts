// Editing values inside the real VS Code extension host, against a lab TLS redis-server: a value
// document saved with Ctrl+S (TextDocument.save) writes the change and keeps the TTL, invalid input
// becomes a diagnostic on its line and writes nothing, binary values round-trip byte-exact, and a
// read-only profile's documents are read-only and its session refuses writes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SaveResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import type { ReadOnlyError } from '../../src/core/client/readOnly';
import { asBuffer, asText } from '../../src/core/keys/replies';
import type { DocumentKind } from '../../src/core/keys/values';
import { valueUri } from '../../src/values/valueFs';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, removeProfiles } from './helpers';

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
    const result = await vscode.commands.executeCommand<SaveResult>('redisTls.addConnection', answers);
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
    return result.profileId!;
  }

  async function open(profileId: string, key: string | Buffer, kind: DocumentKind): Promise<vscode.TextDocument> {
    const uri = valueUri({ profileId, db: 0, key: Buffer.isBuffer(key) ? key : Buffer.from(key), position: {} }, kind);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  /** Saves like Ctrl+S; on failure, the file system's own error explains why. */
  async function save(doc: vscode.TextDocument): Promise<void> {
    if (await doc.save()) return;
    const why = await Promise.resolve(vscode.workspace.fs.writeFile(doc.uri, Buffer.from(doc.getText()))).then(() => 'writeFile succeeded', (e: unknown) => String(e));
    assert.fail(`save failed: ${why}`);
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
    readOnly = await add({ name: 'edit lab (production)', host: 'localhost', port: srv.port, tls: true, caPath: lab.rootCa.certPath, production: true });
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
    const cases: Array<{ key: string; seed: Array<Array<string | number>>; kind: DocumentKind; change: (t: string) => string; check: () => Promise<void> }> = [
      { key: 'edit:s', seed: [['SET', 'edit:s', 'plain text']], kind: 'text', change: () => 'new text', check: async () => assert.equal(asText(await direct.send(['GET', 'edit:s'])), 'new text') },
      { key: 'edit:json', seed: [['SET', 'edit:json', '{"a":1}']], kind: 'json', change: (t) => t.replace('1', '2'), check: async () => assert.equal(asText(await direct.send(['GET', 'edit:json'])), '{\n  "a": 2\n}') },
      { key: 'edit:l', seed: [['RPUSH', 'edit:l', 'a', 'b', 'c']], kind: 'jsonc', change: (t) => t.replace(/\n {2}"b", \/\/ 1/, ''), check: async () => assert.deepEqual(((await direct.send(['LRANGE', 'edit:l', 0, -1])) as Buffer[]).map(String), ['a', 'c']) },
      { key: 'edit:set', seed: [['SADD', 'edit:set', 'x', 'y']], kind: 'jsonc', change: (t) => t.replace('"y"', '"z"'), check: async () => assert.deepEqual(((await direct.send(['SMEMBERS', 'edit:set'])) as Buffer[]).map(String).sort(), ['x', 'z']) },
      { key: 'edit:z', seed: [['ZADD', 'edit:z', 1, 'm']], kind: 'jsonc', change: (t) => t.replace('"m": 1', '"m": 7'), check: async () => assert.equal(asText(await direct.send(['ZSCORE', 'edit:z', 'm'])), '7') },
      { key: 'edit:st', seed: [['XADD', 'edit:st', '1-1', 'f', 'v']], kind: 'jsonc', change: (t) => t.replace('"f": "v" }', '"f": "v" },\n  "*": { "g": "w" }'), check: async () => assert.equal(await direct.send(['XLEN', 'edit:st']), 2) },
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
    await assert.rejects(session.client.send(['DEL', 'edit:ro']), (e: unknown) => (e as ReadOnlyError).code === 'READ_ONLY_PROFILE' && /Profile "edit lab \(production\)" is read-only: DEL/.test((e as Error).message));
    assert.equal(asText(await direct.send(['GET', 'edit:ro'])), 'keep');
  });
});
