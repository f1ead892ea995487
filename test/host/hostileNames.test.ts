// Hostile key names in the real extension host (issue #9): tree labels, folder labels, tooltips,
// accessibility labels, value document titles and headers, and Copy Key Name never carry control,
// bidi or invisible characters; Copy Key Name gives redis-cli's quoted form.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { displayBytes, quoteBytes } from '../../src/core/keys/bytes';
import type { DatabaseNode, KeyNode, KeyTreeNode } from '../../src/views/keyNodes';
import { getLab } from '../lab/certs';
import type { RedisServer } from '../lab/servers';
import { HOSTILE_NAMES, startHostileNamesServer, UNSAFE } from '../integration/hostileNames';
import { activateContainer, addProfile, removeProfiles, treeChildren, itemLabel } from './helpers';

describe('hostile: names in the extension host', function () {
  this.timeout(60_000);
  let container: Container;
  let srv: RedisServer;
  let profileId = '';

  const children = (node?: KeyTreeNode): Promise<KeyTreeNode[]> => treeChildren(container.keyBrowser.provider, node);
  const item = (node: KeyTreeNode): vscode.TreeItem => container.keyBrowser.provider.getTreeItem(node);
  const label = itemLabel;

  before(async () => {
    container = await activateContainer();
    const lab = await getLab();
    srv = await startHostileNamesServer(lab);
    const result = await addProfile(container, {
      name: 'hostile names lab',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.rootCa.certPath,
    });
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    profileId = result.profileId!;
  });

  after(async () => {
    if (profileId) await removeProfiles(container, [profileId]);
    await srv?.stop();
  });

  /** Every key node under a node, checking each label on the way. */
  async function keysUnder(node: KeyTreeNode, seen: string[]): Promise<KeyNode[]> {
    const out: KeyNode[] = [];
    for (const child of await children(node)) {
      const i = item(child);
      seen.push(label(i));
      if (child.kind === 'key') out.push(child);
      else if (child.kind === 'folder') out.push(...(await keysUnder(child, seen)));
    }
    return out;
  }

  it('hostile: names tree labels, tooltips, value documents and Copy Key Name are escaped the same way', async () => {
    const conn = (await children()).find((n) => n.kind === 'connection' && n.profile.id === profileId)!;
    await children(conn);
    await container.sessions.connect(profileId);
    const db = (await children(conn)).find((n) => n.kind === 'database') as DatabaseNode;
    await vscode.commands.executeCommand('redisTls.keys.loadAll', db);
    const labels: string[] = [];
    const keys = await keysUnder(db, labels);
    assert.deepEqual(keys.map((k) => k.key.toString('hex')).sort(), HOSTILE_NAMES.map((k) => k.toString('hex')).sort());
    for (const l of labels) assert.doesNotMatch(l, UNSAFE, `tree label ${JSON.stringify(l)}`);
    for (const key of keys) {
      const i = item(key);
      assert.equal(label(i), displayBytes(key.key.subarray(key.prefixLength)));
      assert.doesNotMatch(i.accessibilityInformation?.label ?? '', UNSAFE);
      const tip = await container.keyBrowser.provider.resolveTreeItem(i, key);
      const tipText = (tip?.tooltip as vscode.MarkdownString).value;
      assert.ok(tipText.includes(displayBytes(key.key).replace(/\\/g, '\\\\').slice(0, 4)), tipText);
      for (const line of tipText.split('\n')) assert.doesNotMatch(line, UNSAFE, `tooltip line ${JSON.stringify(line)}`);
      const copied = await vscode.commands.executeCommand<string>('redisTls.keys.copyName', key);
      assert.equal(copied, quoteBytes(key.key));
      assert.equal(await vscode.env.clipboard.readText(), quoteBytes(key.key));
      const editor = await vscode.commands.executeCommand<vscode.TextEditor>('redisTls.keys.openValue', key);
      assert.doesNotMatch(decodeURIComponent(editor.document.uri.path), UNSAFE, 'document title');
      assert.doesNotMatch(editor.document.getText().split('\n')[0] ?? '', UNSAFE, 'document header');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
