// Cluster browsing inside the real VS Code extension host: a lab 3-master TLS cluster whose node
// certificate names localhost only while nodes announce 127.0.0.1. The session opens every master
// (verified as localhost), the keyspace node counts and scans all of them, values route by slot.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { PanelModel } from '../../src/webviews/certProtocol';
import { ClusterRouter, keySlot } from '../../src/core/client/cluster';
import { RedisConnection } from '../../src/core/client/connection';
import type { ManagedSession } from '../../src/sessions/sessionManager';
import type { KeyBrowser } from '../../src/views/keyBrowser';
import type { DatabaseNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab } from '../lab/certs';
import { startTlsCluster, type TlsCluster } from '../integration/clusterLab';
import { startClusterLab, type ClusterLab } from '../lab/clusterLab';
import { valueUri } from '../../src/values/valueFs';
import { activateContainer, addProfile, removeProfiles, treeChildren, itemLabel } from './helpers';

const KEY_COUNT = 300;

describe('cluster browsing (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let browser: KeyBrowser;
  let cluster: TlsCluster | undefined;
  let seedConn: RedisConnection | undefined;
  const created: string[] = [];

  const label = itemLabel;
  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(browser.provider, node);
  const item = (node: KeyTreeNode): vscode.TreeItem => browser.provider.getTreeItem(node);

  before(async () => {
    container = await activateContainer();
    browser = container.keyBrowser;
    const lab = await getLab();
    cluster = await startTlsCluster();
    seedConn = await RedisConnection.open(cluster.base);
    const router = await ClusterRouter.open(seedConn, cluster.base);
    try {
      await Promise.all(Array.from({ length: KEY_COUNT }, (_, i) => router.send(['SET', `ns${i % 5}:k${i}`, `value ${i}`])));
    } finally {
      await router.close();
    }
    const result = await addProfile(container, {
      name: 'cluster lab',
      host: 'localhost',
      port: cluster.servers[0]!.port,
      tls: true,
      caPath: lab.rootCa.certPath,
    });
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
  });

  after(async () => {
    if (container) await removeProfiles(container, created);
    await seedConn?.close();
    await cluster?.stop();
  });

  it('the Nodes folder inspects a node certificate and refreshes on request; the keyspace node counts and scans every master; a value on another master opens', async () => {
    const id = created[0]!;
    const conn = (await children()).find((n) => n.kind === 'connection' && n.profile.id === id);
    assert.ok(conn);
    await children(conn);
    await container.sessions.connect(id);
    const session = container.sessions.session(id) as ManagedSession;
    assert.ok(session.cluster, 'the session opened the cluster');
    assert.deepEqual(
      session.cluster.nodes.map((n) => [n.report?.host, n.report?.verifiedName, n.report?.authorized]),
      [
        ['127.0.0.1', 'localhost', true],
        ['127.0.0.1', 'localhost', true],
        ['127.0.0.1', 'localhost', true],
      ],
    );

    const dbs = await children(conn);
    assert.deepEqual(
      dbs.map((n) => label(item(n))),
      ['Nodes', 'keyspace'],
    );
    // The Nodes folder: every primary, verified against the seed's name at the IP it announces.
    const nodes = await children(dbs[0]);
    assert.deepEqual(
      nodes.map((n) => label(item(n))),
      cluster!.servers.map((s) => `primary 127.0.0.1:${s.port}`),
    );
    assert.ok(
      nodes.every((n) => /TLSv1\.[23] · verified as localhost · expires in \d+ d$/.test(item(n).description as string)),
      nodes.map((n) => item(n).description).join('; '),
    );
    // Inspect Certificate on a node: the chain that node presents, judged against the profile's CA and
    // the name the node is verified against, at the address it announces.
    const model = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.cluster.inspectNodeCertificate', nodes[1]);
    assert.ok(model, 'the certificate panel of node 1');
    assert.equal(model.trusted, true, model.verdict);
    assert.equal(model.connection?.host, '127.0.0.1');
    assert.equal(model.connection?.port, cluster!.servers[1]!.port);
    assert.equal(model.connection?.servername, 'localhost');
    assert.deepEqual(
      model.links[0]?.cert.sans.map((n) => n.value),
      ['localhost'],
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Refresh on request re-reads the topology.
    const refreshes = session.cluster.refreshes;
    await vscode.commands.executeCommand('redisTls.cluster.refreshNodes', dbs[0]);
    assert.equal(session.cluster.refreshes, refreshes + 1);
    assert.equal((await children(dbs[0])).length, 3);

    const db = dbs[1] as DatabaseNode;
    const dbItem = item(db);
    assert.match(dbItem.description as string, new RegExp(`^${KEY_COUNT} keys`));
    assert.match((dbItem.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /scanned on all 3 masters/);
    const loaded = await vscode.commands.executeCommand<number>('redisTls.keys.loadAll', db);
    assert.equal(loaded, KEY_COUNT);
    assert.equal(db.keyspace.tree.root.total, KEY_COUNT);

    // A key owned by the last master (the session's seed connection is node 0).
    const i = Array.from({ length: KEY_COUNT }, (_, n) => n).find((n) => keySlot(`ns${n % 5}:k${n}`) > cluster!.ranges[1]![1])!;
    const folder = (await children(db)).find((n) => label(item(n)) === `ns${i % 5}`);
    assert.ok(folder);
    let keyNode: KeyTreeNode | undefined;
    for (let more = 0; more < 10 && !keyNode; more++) {
      const kids = await children(folder);
      keyNode = kids.find((n) => n.kind === 'key' && label(item(n)) === `k${i}`);
      const showMore = kids.find((n) => n.kind === 'showMore');
      if (!keyNode && showMore) await vscode.commands.executeCommand('redisTls.keys.showMore', showMore);
    }
    assert.ok(keyNode, `key ns${i % 5}:k${i} in the tree`);
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', keyNode);
    assert.equal(editor.document.getText(), `value ${i}`);
  });
});

describe('cluster profile reading values from replicas (in the extension host)', function () {
  this.timeout(120_000);
  let container: Container;
  let lab: ClusterLab | undefined;
  let profileId: string | undefined;

  before(async () => {
    container = await activateContainer();
    lab = await startClusterLab({ naming: 'shared', replicas: true });
    const result = await addProfile(container, {
      name: 'cluster lab (replica reads)',
      host: 'localhost',
      port: lab.nodes[0]!.port,
      tls: true,
      caPath: (await getLab()).rootCa.certPath,
      readFromReplicas: true,
    });
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    profileId = result.profileId!;
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (container && profileId) await removeProfiles(container, [profileId]);
    await lab?.stop();
  });

  it("readFromReplicas: a value document is read from a replica of the key's primary (READONLY); the primary serves no read", async () => {
    const primary = lab!.primaries[0]!;
    const replica = lab!.replicas.find((r) => r.primaryIndex === primary.index)!;
    const key = Array.from({ length: 1000 }, (_, i) => `rr:${i}`).find((k) => keySlot(k) <= lab!.ranges[0]![1])!;
    await lab!.admin[primary.index]!.send(['SET', key, 'from the replica']);
    await lab!.admin[primary.index]!.send(['WAIT', 1, 5000]);
    const stats = async (index: number): Promise<Map<string, number>> => {
      const text = String(await lab!.admin[index]!.send(['INFO', 'commandstats']));
      return new Map([...text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]));
    };
    await container.sessions.connect(profileId!);
    const onPrimary = await stats(primary.index);
    const onReplica = await stats(replica.index);
    const doc = await vscode.workspace.openTextDocument(
      valueUri({ profileId: profileId!, db: 0, key: Buffer.from(key), position: {} }, 'text'),
    );
    assert.match(doc.getText(), /from the replica/);
    const primaryAfter = await stats(primary.index);
    const replicaAfter = await stats(replica.index);
    const reads = ['get', 'getrange', 'strlen'];
    const delta = (a: Map<string, number>, b: Map<string, number>): number =>
      reads.reduce((n, c) => n + (a.get(c) ?? 0) - (b.get(c) ?? 0), 0);
    assert.ok(delta(replicaAfter, onReplica) > 0, 'the replica served the value');
    assert.ok((replicaAfter.get('readonly') ?? 0) > (onReplica.get('readonly') ?? 0), 'READONLY was sent to the replica');
    assert.equal(delta(primaryAfter, onPrimary), 0, 'the primary served no value read');
  });
});
