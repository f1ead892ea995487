import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { AuditResult } from '../../src/core/audit';
import { emptyProfile } from '../../src/core/profiles/draft';
import { getLab, type LabCerts } from '../lab/certs';
import { makeConfWorkspace, type ConfWorkspace } from '../lab/redisConf';
import { startRedis } from '../lab/servers';
import { activateContainer, removeProfiles, until } from './helpers';

/** Opens a variant and waits until it is a redis-conf document with its diagnostics published. */
async function openChecked(container: Container, file: string): Promise<{ doc: vscode.TextDocument; diags: readonly vscode.Diagnostic[] }> {
  const uri = vscode.Uri.file(file);
  await vscode.workspace.openTextDocument(uri);
  const doc = await until(`${path.basename(file)} as redis-conf`, () =>
    vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && d.languageId === 'redis-conf'),
  );
  return { doc, diags: await container.redisConf.whenChecked(doc) };
}

describe('redis.conf in the editor (server side)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let ws: ConfWorkspace;
  const profileIds: string[] = [];

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    ws = await makeConfWorkspace();
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeProfiles(container, profileIds);
    await ws?.remove();
  });

  it('every redis.conf variant of test/fixtures/redis-conf gets exactly its expected diagnostics', async () => {
    for (const v of ws.variants) {
      const { diags } = await openChecked(container, v.file);
      assert.deepEqual(diags.map((d) => String(d.code)).sort(), v.expected, `${v.name}: ${diags.map((d) => d.message).join(' | ')}`);
      for (const d of diags) assert.equal(d.source, 'redis-tls');
    }
  });

  it('a wrong tls-key-file-pass is an error on the pass line saying it does not open the key', async () => {
    const { diags } = await openChecked(container, path.join(ws.dir, 'wrong-key-pass.conf'));
    assert.deepEqual(
      diags.map((d) => [String(d.code), d.range.start.line, d.severity]),
      [['KEY_PASS_WRONG', 5, vscode.DiagnosticSeverity.Error]],
    );
    assert.match(diags[0].message, /^tls-key-file-pass does not open the encrypted key .*encrypted\.key/);
  });

  it("says which folder relative paths were resolved against (the file's folder, outside a workspace)", async () => {
    const { diags } = await openChecked(container, path.join(ws.dir, 'missing-file.conf'));
    assert.equal(diags[0].range.start.line, 4);
    assert.match(diags[0].message, /resolved against the file's folder \(assumed to be redis-server's working directory\)/);
  });

  it('hovers explain tls-* directives with their default; completion offers names and values', async () => {
    const { doc } = await openChecked(container, path.join(ws.dir, 'good.conf'));
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(7, 5));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
    assert.match(text, /tls-auth-clients/);
    assert.match(text, /Default: yes/);
    const untitled = await vscode.workspace.openTextDocument({ language: 'redis-conf', content: 'tls-auth-clients \ntls-pro' });
    const values = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      untitled.uri,
      new vscode.Position(0, 17),
    );
    const labels = values.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const v of ['yes', 'no', 'optional']) assert.ok(labels.includes(v), labels.join());
    const names = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      untitled.uri,
      new vscode.Position(1, 7),
    );
    assert.ok(names.items.some((i) => i.label === 'tls-protocols'));
  });

  it('every tls-* directive of Redis 6.0-7.4 has a hover with its meaning and default; yes/no and enum directives complete their values', async () => {
    const { TLS_DIRECTIVES } = await import('../../src/core/serverConf');
    const doc = await vscode.workspace.openTextDocument({
      language: 'redis-conf',
      content: TLS_DIRECTIVES.map((d) => `${d.name} `).join('\n'),
    });
    for (const [line, d] of TLS_DIRECTIVES.entries()) {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(line, 2),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
      assert.ok(text.includes(`**${d.name}** (Redis ${d.since}+)`) && text.includes(`Default: ${d.defaultText}`), `${d.name}: ${text}`);
      if (d.kind !== 'yesno' && d.kind !== 'enum') continue;
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(line, d.name.length + 1),
      );
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      for (const v of d.values ?? []) assert.ok(labels.includes(v), `${d.name}: ${labels.join()}`);
    }
  });

  it('quick fix: "port 6379" next to tls-port becomes "port 0" and the warning goes away', async () => {
    const { doc, diags } = await openChecked(container, path.join(ws.dir, 'plaintext-port.conf'));
    const diag = diags.find((d) => d.code === 'PLAINTEXT_PORT');
    assert.ok(diag);
    assert.equal(doc.getText(diag.range), '6379');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const fix = actions.find((a) => a.title.startsWith('Set port 0'));
    assert.ok(fix?.edit, actions.map((a) => a.title).join());
    assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
    assert.equal(doc.lineAt(1).text, 'port 0');
    const after = await container.redisConf.whenChecked(doc);
    assert.deepEqual(
      after.map((d) => d.code),
      [],
    );
  });

  it('an Inspect CodeLens on each certificate directive opens the certificate panel for that file', async () => {
    const { doc } = await openChecked(container, path.join(ws.dir, 'good.conf'));
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const inspect = lenses.filter((l) => l.command?.command === 'redisTls.inspectCertificateFile');
    assert.deepEqual(
      inspect.map((l) => l.range.start.line),
      [4, 6],
    );
    assert.equal((inspect[0].command?.arguments?.[0] as vscode.Uri).fsPath, path.join(ws.dir, 'certs', 'server.crt'));
    const model = await vscode.commands.executeCommand<{ links: unknown[] } | undefined>(
      'redisTls.inspectCertificateFile',
      ...(inspect[0].command?.arguments ?? []),
    );
    assert.equal(model?.links.length, 2, 'the leaf and the intermediate of server.crt (its root is in ca.crt, not in this file)');
  });

  it("Audit TLS Posture on a connection shows the audit as a section of the connection's certificate panel (one panel, no other)", async () => {
    const srv = await startRedis({ kind: 'tls13' });
    try {
      const profile = emptyProfile({
        name: 'Audit host test',
        host: 'localhost',
        port: srv.port,
        tls: true,
        ca: { kind: 'file', path: lab.rootCa.certPath },
      });
      await container.profiles.save(profile);
      profileIds.push(profile.id);
      const result = await vscode.commands.executeCommand<AuditResult | undefined>('redisTls.auditTlsPosture', profile.id, {
        plaintextPort: null,
        pingSamples: 10,
      });
      assert.ok(result);
      assert.deepEqual(result.protocols, { TLSv1: false, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': true });
      assert.equal(result.chain?.trusted, true);
      assert.equal(result.plaintextPort, null);
      // The extension runs from its bundle: find its panel by the tab it opened.
      const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
      const certTab = tabs().filter((t) => t.label === 'Certificate: Audit host test');
      assert.equal(
        certTab.length,
        1,
        tabs()
          .map((t) => t.label)
          .join(', '),
      );
      assert.ok(certTab[0]!.input instanceof vscode.TabInputWebview, "the connection's certificate panel is open");
      assert.ok(!tabs().some((t) => /TLS posture/.test(t.label)), 'no separate audit panel');
      // Inspecting the connection again reveals the same panel (where the audit section stays).
      await vscode.commands.executeCommand('redisTls.inspectConnectionCertificate', profile.id);
      assert.equal(tabs().filter((t) => t.label === 'Certificate: Audit host test').length, 1);
    } finally {
      await srv.stop();
    }
  });
});
