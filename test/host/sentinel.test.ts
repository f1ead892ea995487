// A Sentinel profile inside the real VS Code extension host: a lab primary + replica and three
// sentinels, all on TLS-only ports (the data nodes' certificates name DNS:localhost only, Sentinel
// hands out 127.0.0.1). The profile is saved through the profile store (Sentinel section, both
// passwords in SecretStorage); the tree browses the primary's keys, says which node serves and which
// sentinel answered, shows the IP diagnosis with both fixes for a profile without a data-node name,
// and after SENTINEL FAILOVER the session follows the new primary.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import { emptyProfile } from '../../src/core/profiles/draft';
import type { ManagedSession } from '../../src/sessions/sessionManager';
import type { KeyBrowser } from '../../src/views/keyBrowser';
import type { DatabaseNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab } from '../lab/certs';
import { startSentinelLab, text, type SentinelLab } from '../lab/clusterLab';
import { activateContainer, removeProfiles, until, treeChildren, itemLabel } from './helpers';

const KEY_COUNT = 40;

describe('Sentinel profile (in the extension host): browse the primary, the IP diagnosis, follow a failover', function () {
  this.timeout(150_000);
  let container: Container;
  let browser: KeyBrowser;
  let lab: SentinelLab | undefined;
  let profileId: string;
  const created: string[] = [];

  const label = itemLabel;
  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(browser.provider, node);
  const item = (node: KeyTreeNode): vscode.TreeItem => browser.provider.getTreeItem(node);
  const connectionNode = async (): Promise<KeyTreeNode> => {
    const conn = (await children()).find((n) => n.kind === 'connection' && n.profile.id === profileId);
    assert.ok(conn, 'the Sentinel profile is in the tree');
    return conn;
  };

  before(async () => {
    container = await activateContainer();
    browser = container.keyBrowser;
    const certs = await getLab();
    lab = await startSentinelLab();
    const primary = await RedisConnection.open(lab.dataOptions(await lab.primaryPort()));
    try {
      await Promise.all(Array.from({ length: KEY_COUNT }, (_, i) => primary.send(['SET', `sentinel:k${i}`, `value ${i}`])));
      await primary.send(['WAIT', 1, 5000]);
    } finally {
      await primary.close();
    }
    const s0 = lab.sentinels[0]!.port;
    const profile = emptyProfile({
      name: 'sentinel lab',
      // The data nodes' settings: their certificates name localhost, Sentinel returns 127.0.0.1.
      host: '127.0.0.1',
      port: s0,
      tls: true,
      servername: 'localhost',
      ca: { kind: 'file', path: certs.rootCa.certPath },
      hasPassword: true,
      sentinel: {
        service: lab.service,
        // The first one is down: the next is asked, and the other two are learned from it.
        sentinels: ['127.0.0.1:1', `127.0.0.1:${s0}`],
        servername: 'localhost',
        hasPassword: true,
      },
    });
    await container.profiles.save(profile, { password: lab.dataPassword, sentinelPassword: lab.sentinelPassword });
    profileId = profile.id;
    created.push(profile.id);
  });

  after(async () => {
    if (container) await removeProfiles(container, created);
    await lab?.stop();
  });

  it('browses the keys of the primary Sentinel names; the tree says which node serves and which sentinel answered', async () => {
    const conn = await connectionNode();
    await children(conn);
    const session = (await container.sessions.connect(profileId)) as ManagedSession;
    assert.ok(session.sentinel, 'a Sentinel session');
    const primaryPort = await lab!.primaryPort();
    const s0 = lab!.sentinels[0]!.port;
    assert.equal(session.report.port, primaryPort);
    assert.equal(session.report.authorized, true);
    assert.equal(session.report.verifiedName, 'localhost');
    const described = item(conn).description as string;
    assert.match(described, /TLSv1\.[23] verified/);
    assert.ok(described.includes(`primary 127.0.0.1:${primaryPort} of "${lab!.service}", named by Sentinel 127.0.0.1:${s0}`), described);
    const tip = (item(conn).tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ');
    assert.ok(tip.includes(`named by Sentinel 127.0.0.1:${s0}`), tip);

    const dbs = await children(conn);
    const db = dbs.find((n) => n.kind === 'database') as DatabaseNode | undefined;
    assert.ok(db, dbs.map((n) => label(item(n))).join(', '));
    const loaded = await vscode.commands.executeCommand<number>('redisTls.keys.loadAll', db);
    assert.equal(loaded, KEY_COUNT);
    const folder = (await children(db)).find((n) => label(item(n)) === 'sentinel');
    assert.ok(folder, 'the "sentinel" namespace folder');
    const key = (await children(folder)).find((n) => n.kind === 'key' && label(item(n)) === 'k7');
    assert.ok(key, 'key sentinel:k7');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', key);
    assert.equal(editor.document.getText(), 'value 7');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a Sentinel profile without a verification name for the data nodes: the row shows the IP diagnosis with both fixes', async () => {
    const certs = await getLab();
    const s0 = lab!.sentinels[0]!.port;
    const noName = emptyProfile({
      name: 'sentinel lab, no data-node name',
      host: '127.0.0.1',
      port: s0,
      tls: true,
      ca: { kind: 'file', path: certs.rootCa.certPath },
      hasPassword: true,
      sentinel: { service: lab!.service, sentinels: [`127.0.0.1:${s0}`], servername: 'localhost', hasPassword: true },
    });
    await container.profiles.save(noName, { password: lab!.dataPassword, sentinelPassword: lab!.sentinelPassword });
    created.push(noName.id);
    await assert.rejects(container.sessions.connect(noName.id), (e: Error & { problem?: { code: string } }) => {
      assert.equal(e.problem?.code, 'HOSTNAME_MISMATCH', e.message);
      return true;
    });
    const row = (await children()).find((n) => n.kind === 'connection' && n.profile.id === noName.id);
    assert.ok(row);
    assert.match(item(row).description as string, /failed/);
    const tip = (item(row).tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\/g, '');
    assert.match(
      tip,
      new RegExp(`Sentinel 127\\.0\\.0\\.1:${s0} returned the IP address 127\\.0\\.0\\.1 for the primary of "${lab!.service}"`),
    );
    assert.match(tip, /verification name \(SNI\) for the data nodes/);
    assert.match(tip, /sentinel resolve-hostnames yes.*sentinel announce-hostnames yes/);
  });

  it('a Sentinel profile set to browse a replica serves from the replica, and the row says so', async () => {
    const certs = await getLab();
    const s0 = lab!.sentinels[0]!.port;
    const replica = emptyProfile({
      name: 'sentinel lab, replica',
      host: '127.0.0.1',
      port: s0,
      tls: true,
      servername: 'localhost',
      ca: { kind: 'file', path: certs.rootCa.certPath },
      hasPassword: true,
      sentinel: { service: lab!.service, sentinels: [`127.0.0.1:${s0}`], servername: 'localhost', hasPassword: true, replica: true },
    });
    await container.profiles.save(replica, { password: lab!.dataPassword, sentinelPassword: lab!.sentinelPassword });
    created.push(replica.id);
    const session = (await container.sessions.connect(replica.id)) as ManagedSession;
    const primaryPort = await lab!.primaryPort();
    const replicaPort = lab!.data.map((d) => d.port).find((p) => p !== primaryPort)!;
    assert.equal(session.report.port, replicaPort, 'connected to the replica, not the primary');
    assert.equal(session.report.authorized, true);
    const role = (await session.client.send(['ROLE'])) as unknown[];
    assert.equal(String(role[0]), 'slave');
    const row = (await children()).find((n) => n.kind === 'connection' && n.profile.id === replica.id);
    assert.ok(row);
    const described = item(row).description as string;
    assert.ok(described.includes(`replica 127.0.0.1:${replicaPort} of "${lab!.service}", named by Sentinel 127.0.0.1:${s0}`), described);
    await container.sessions.disconnect(replica.id);
  });

  it('after SENTINEL FAILOVER the session moves to the new primary and the tree says so', async () => {
    const session = (await container.sessions.connect(profileId)) as ManagedSession;
    const servedBefore = session.report.port;
    const { from: oldPort, to: newPort } = await lab!.failover();
    assert.equal(oldPort, servedBefore);
    assert.notEqual(newPort, oldPort);
    // The user does nothing: the tree row says where the session is now.
    const conn = await connectionNode();
    const described = await until(
      'the connection row names the new primary',
      () => {
        const d = item(conn).description as string;
        return d.includes(`primary 127.0.0.1:${newPort} `) ? d : undefined;
      },
      30_000,
    );
    assert.match(described, new RegExp(`failover at .*: moved from 127\\.0\\.0\\.1:${oldPort}`));
    assert.equal(session.sentinel?.failovers, 1);
    assert.equal(session.report.port, newPort);
    assert.equal(session.report.authorized, true);
    // Browsing and writing go to the new primary.
    const db = (await children(conn)).find((n) => n.kind === 'database') as DatabaseNode;
    assert.equal(await vscode.commands.executeCommand<number>('redisTls.keys.loadAll', db), KEY_COUNT);
    assert.equal(text(await session.client.send(['SET', 'sentinel:after-failover', 'yes'])), 'OK');
    const direct = await RedisConnection.open(lab!.dataOptions(newPort));
    try {
      assert.equal(text(await direct.send(['GET', 'sentinel:after-failover'])), 'yes');
    } finally {
      await direct.close();
    }
  });
});
