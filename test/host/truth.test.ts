// Issue #15 "Seen, to fix": the tree, the status bar and Problems tell the truth (in the real host,
// against lab servers). Each test failed on the code before its fix.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SaveResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import type { DatabaseNode, KeyNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, removeProfiles, until, treeChildren } from './helpers';
import { runWithInputs } from './testUserInput';

describe('the tree tells the truth (#15)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let srv: RedisServer;
  const servers: RedisServer[] = [];
  const created: string[] = [];

  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(container.keyBrowser.provider, node);

  async function add(name: string, port: number, extra: Record<string, unknown> = {}): Promise<string> {
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

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    servers.push(srv);
  });

  after(async () => {
    await removeProfiles(container, created);
    for (const s of servers) await s.stop();
  });

  it('truth: the status bar names its connection, says what the number is, and changes only when the user changes focus', async () => {
    const a = await add('Truth status A', srv.port);
    const b = await add('Truth status B', srv.port);
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', a), true);
    const { describeSession } = await import('../../src/sessions/statusBar');
    const sa = container.sessions.session(a)!;
    const view = describeSession(
      { name: sa.profile.name, tls: true, verified: sa.verified, protocol: sa.report.protocol, nearestExpiry: sa.nearestExpiry },
      30,
    );
    assert.match(view.text, /^\$\(lock\) Truth status A · TLSv1\.[23] · cert expires in \d+ days$/);
    assert.equal(container.sessions.activeProfileId, a);
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', b), true);
    assert.equal(container.sessions.activeProfileId, b, 'the connection the user asked for takes the focus');
    // B goes away: the status bar (it shows activeProfileId) does not silently switch to A.
    await container.sessions.disconnect(b);
    assert.equal(container.sessions.activeProfileId, undefined);
    // The user selects A (tree selection): it shows A again.
    container.sessions.focus(a);
    assert.equal(container.sessions.activeProfileId, a);
    await container.sessions.disconnect(a);
  });

  it('truth: db counts follow a delete', async () => {
    const direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    try {
      await direct.send(['SELECT', '3']);
      await direct.send(['MSET', 'del:a', '1', 'del:b', '2', 'del:c', '3']);
    } finally {
      await direct.close();
    }
    const id = await add('Truth counts', srv.port, { db: 3 });
    await container.sessions.connect(id);
    const conn = (await children()).find((n) => n.kind === 'connection' && n.profile.id === id)!;
    const db = (await children(conn)).find((n): n is DatabaseNode => n.kind === 'database' && n.index === 3)!;
    const description = (): string => String(container.keyBrowser.provider.getTreeItem(db).description);
    assert.match(description(), /^3 keys/);
    const folder = (await children(db)).find((n) => n.kind === 'folder')!;
    const key = (await children(folder)).find((n): n is KeyNode => n.kind === 'key')!;
    assert.equal(await deleteConfirmed(key), true);
    assert.match(description(), /^2 keys/);
  });

  /** Delete Key asks first: answer through the scripted input. */
  async function deleteConfirmed(key: KeyNode): Promise<boolean> {
    return (await runWithInputs(container, ['Delete'], () => vscode.commands.executeCommand<boolean>('redisTls.keys.delete', key))).result;
  }

  it('truth: a duplicate profile name gets a suffix', async () => {
    await add('Truth twin', srv.port);
    const second = await add('Truth twin', srv.port);
    assert.equal(container.profiles.get(second)?.name, 'Truth twin (2)');
  });

  it('truth: Import Connection recognises a URL and a redis-cli line; an imported, duplicated or renamed profile never takes a name in use', async () => {
    const imported = async (text: string): Promise<string> => {
      const r = await vscode.commands.executeCommand<SaveResult>('redisTls.importConnection', { text, name: 'Truth import' });
      assert.equal(r.saved, true, JSON.stringify(r.problems));
      created.push(r.profileId!);
      return r.profileId!;
    };
    const fromUrl = await imported(`rediss://localhost:${srv.port}/1`);
    const fromCli = await imported(`redis-cli -h localhost -p ${srv.port} --tls --cacert ${lab.rootCa.certPath} -n 2`);
    const u = container.profiles.get(fromUrl)!;
    const c = container.profiles.get(fromCli)!;
    assert.deepEqual([u.name, u.tls, u.port, u.db], ['Truth import', true, srv.port, 1]);
    assert.deepEqual([c.name, c.tls, c.port, c.db], ['Truth import (2)', true, srv.port, 2]);
    const copies = [
      await vscode.commands.executeCommand<string>('redisTls.duplicateConnection', fromCli),
      await vscode.commands.executeCommand<string>('redisTls.duplicateConnection', fromCli),
    ];
    created.push(...copies);
    assert.deepEqual(
      copies.map((id) => container.profiles.get(id)?.name),
      ['Truth import (2) (copy)', 'Truth import (2) (copy) (2)'],
    );
    assert.equal(await vscode.commands.executeCommand('redisTls.renameConnection', copies[1], 'Truth import'), true);
    assert.equal(container.profiles.get(copies[1])?.name, 'Truth import (3)');
    // Renaming a profile to its own name keeps it.
    assert.equal(await vscode.commands.executeCommand('redisTls.renameConnection', fromUrl, 'Truth import'), true);
    assert.equal(container.profiles.get(fromUrl)?.name, 'Truth import');
  });

  it('truth: a failing user profile is not put in Problems as a made-up file; a workspace HOSTNAME_MISMATCH names the certificate names once', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.skip();
    const expired = await startRedis({ kind: 'tls', certs: lab.expiredServer });
    const wrong = await startRedis({ kind: 'tls', certs: lab.wrongHostServer });
    servers.push(expired, wrong);
    const user = await add('Truth user expired', expired.port, { caPath: lab.caBundle.certPath });
    await assert.rejects(container.sessions.connect(user), /CERT_EXPIRED/);
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    await vscode.workspace.fs.writeFile(
      file,
      new TextEncoder().encode(
        JSON.stringify(
          { profiles: [{ name: 'Truth wrong host', host: 'localhost', port: wrong.port, caFile: lab.caBundle.certPath }] },
          null,
          2,
        ),
      ),
    );
    try {
      const ws = await until('workspace profile', () => container.profiles.list().find((p) => p.name === 'Truth wrong host'));
      await assert.rejects(container.sessions.connect(ws.id), /HOSTNAME_MISMATCH/);
      const diag = await until('workspace diagnostic', () =>
        vscode.languages.getDiagnostics(file).find((d) => d.message.startsWith('Truth wrong host:')),
      );
      assert.equal(diag.message.split('wrong.example').length - 1, 1, diag.message);
      // Published together with the workspace one: the user profile's failure is not in Problems.
      const all = vscode.languages.getDiagnostics().flatMap(([uri, ds]) => ds.map((d) => `${uri.toString()} ${d.message}`));
      assert.ok(!all.some((d) => d.includes('Truth user expired')), all.join('\n'));
      const state = container.sessions.state(user);
      assert.ok(state.kind === 'failed' && state.problem.code === 'CERT_EXPIRED', 'the tree still shows it');
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});
