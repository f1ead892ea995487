// Certificate intelligence inside the real extension host: PEM diagnostics, hovers and CodeLens,
// the inspection panel for files and servers (the webview round trip: ready -> show), and the
// profile-file diagnostic with its servername quick fix after a real HOSTNAME_MISMATCH.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { PanelModel } from '../../src/webviews/certProtocol';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, removeProfiles, until } from './helpers';

const XSS_CN = '<img src=x onerror=alert(1)>';

/** A self-signed certificate whose subject is hostile HTML. */
export async function makeXssCert(dir: string): Promise<string> {
  const certPath = path.join(dir, 'xss.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '30',
    '-subj',
    `/CN=${XSS_CN}/O="><script>alert(2)<\\/script>`,
    '-addext',
    'subjectAltName=DNS:xss.example',
    '-keyout',
    path.join(dir, 'xss.key'),
    '-out',
    certPath,
  ]);
  return certPath;
}

describe('certificates (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let dir: string;
  const servers: RedisServer[] = [];

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-certs-'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await Promise.all(servers.map((s) => s.stop()));
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('puts findings of a PEM bundle on each certificate block, with hover and CodeLens', async () => {
    const file = path.join(dir, 'bundle.pem');
    await fs.writeFile(file, `# expired leaf, then a weak one\n${lab.expiredServer.cert}${lab.rsa1024Server.cert}`);
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const diags = await until('PEM diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 2 ? d : undefined;
    });
    const expired = diags.find((d) => String(d.code).startsWith('expired'));
    const weak = diags.find((d) => String(d.code).startsWith('weak-rsa'));
    assert.ok(expired && weak, diags.map((d) => d.message).join('\n'));
    assert.equal(expired.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(expired.range.start.line, 1);
    assert.ok(weak.range.start.line > expired.range.end.line);
    assert.match(expired.message, /Renew/);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(3, 2));
    // MarkdownString.appendText escapes: undo it to read the words.
    const hoverText = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n')
      .replace(/&nbsp;/g, ' ')
      .replace(/\\(.)/g, '$1');
    assert.match(hoverText, /Subject/);
    assert.match(hoverText, /expired .* ago/);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const inspect = lenses.filter((l) => l.command?.command === 'redisTls.inspectCertificateFile');
    assert.equal(inspect.length, 2);
    assert.match(inspect[0].command!.title, /^Inspect certificate/);
  });

  it('marks a key that does not match its certificate', async () => {
    const file = path.join(dir, 'pair.pem');
    await fs.writeFile(file, `${lab.clientMismatchedKey.cert}${lab.clientMismatchedKey.key}`);
    const uri = vscode.Uri.file(file);
    await vscode.workspace.openTextDocument(uri);
    const diags = await until('key mismatch', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => String(x.code).startsWith('key-mismatch'));
      return d.length ? d : undefined;
    });
    assert.match(diags[0].message, /does not match/);
  });

  it('opens the panel for a certificate file; the webview asks for data and gets a model', async () => {
    const model = await vscode.commands.executeCommand<PanelModel | undefined>(
      'redisTls.inspectCertificateFile',
      vscode.Uri.file(lab.server.chainPath),
    );
    assert.ok(model);
    assert.deepEqual(
      model.links.map((l) => l.role),
      ['leaf', 'intermediate'],
    );
    assert.equal(model.links[0].cert.commonName, 'localhost');
    assert.equal(model.trusted, false, 'a private CA is not in the system store');
  });

  it('keeps a hostile subject as plain data in the model (rendered with textContent)', async () => {
    const xss = await makeXssCert(dir);
    const model = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.inspectCertificateFile', vscode.Uri.file(xss));
    assert.ok(model);
    assert.equal(model.links[0].cert.commonName, XSS_CN);
    // RFC 4514 escapes (\< \> \") in the DN string, never HTML entities: the panel shows it as text.
    const subject = model.links[0].cert.subject.replace(/\\(.)/g, '$1');
    assert.match(subject, /<img src=x onerror=alert\(1\)>/);
    assert.match(subject, /<script>alert\(2\)<\/script>/);
  });

  it('inspects any host:port: trusted with the right CA, clearly not trusted without it', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.server });
    servers.push(srv);
    const trusted = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.inspectServerCertificate', {
      host: 'localhost',
      port: srv.port,
      caPem: lab.rootOnly.cert,
      caLabel: lab.rootOnly.certPath,
    });
    assert.ok(trusted);
    assert.equal(trusted.trusted, true, trusted.verdict);
    assert.equal(trusted.connection?.port, srv.port);
    assert.match(trusted.connection?.protocol ?? '', /TLSv1/);
    const untrusted = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.inspectServerCertificate', {
      host: 'localhost',
      port: srv.port,
    });
    assert.ok(untrusted);
    assert.equal(untrusted.trusted, false);
    assert.match(untrusted.verdict, /^Not trusted/);
  });

  it('inspects a live connection: handshake facts from the session report, chain verified against the profile CA', async () => {
    const srv = await startRedis({ kind: 'tls', certs: lab.server });
    servers.push(srv);
    const result = await addProfile(container, {
      name: 'Cert live profile',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.caBundle.certPath,
    });
    assert.ok(result.profileId, JSON.stringify(result));
    const id = result.profileId;
    try {
      const session = await container.sessions.connect(id);
      assert.equal(session.verified, true);
      const model = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.inspectConnectionCertificate', id);
      assert.ok(model);
      assert.equal(model.subject.kind, 'connection');
      assert.equal(model.trusted, true, model.verdict);
      assert.equal(model.connection?.authorized, true);
      assert.equal(model.connection?.protocol, session.report.protocol);
      assert.equal(typeof model.connection?.sessionReused, 'boolean');
      assert.match(model.trustSource, /CA file/);
      assert.deepEqual(
        model.links.map((l) => l.role),
        ['leaf', 'intermediate', 'root'],
      );
      assert.ok(!JSON.stringify(model).includes('PRIVATE KEY'));
    } finally {
      await container.sessions.disconnect(id).catch(() => undefined);
      await removeProfiles(container, [id]);
    }
  });

  it('still shows the server chain when the client identity cannot be loaded (passphrase not stored)', async () => {
    const srv = await startRedis({ kind: 'mtls', certs: lab.server });
    servers.push(srv);
    const result = await addProfile(container, {
      name: 'Cert mtls no passphrase',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.caBundle.certPath,
      certPath: lab.clientEncrypted.certPath,
      keyPath: lab.clientEncrypted.keyPath,
      passphrase: lab.passphrase,
    });
    assert.ok(result.profileId, JSON.stringify(result));
    const id = result.profileId;
    try {
      assert.equal(await vscode.commands.executeCommand('redisTls.forgetSecrets', id), true);
      const model = await vscode.commands.executeCommand<PanelModel | undefined>('redisTls.inspectConnectionCertificate', id);
      assert.ok(model);
      assert.equal(model.trusted, true, model.verdict);
      // The inspection handshake never presents the client certificate (issue #9), so the key that
      // cannot be opened without its passphrase does not stop it: the server chain is still shown.
      assert.ok(model.links.length > 0, model.notes.join(' | '));
      assert.ok(!JSON.stringify(model).includes(lab.passphrase));
    } finally {
      await removeProfiles(container, [id]);
    }
  });

  it('puts CA and client-certificate failures on caFile / certFile with matching code actions', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.skip();
    const tlsSrv = await startRedis({ kind: 'tls', certs: lab.server });
    const mtlsSrv = await startRedis({ kind: 'mtls', certs: lab.server });
    servers.push(tlsSrv, mtlsSrv);
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    const json = {
      profiles: [
        { name: 'Cert wrong CA', host: 'localhost', port: tlsSrv.port, caFile: lab.otherRoot.certPath },
        {
          name: 'Cert wrong client',
          host: 'localhost',
          port: mtlsSrv.port,
          caFile: lab.caBundle.certPath,
          certFile: lab.otherClient.certPath,
          keyFile: lab.otherClient.keyPath,
        },
      ],
    };
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(json, null, 2)));
    try {
      const wrongCa = await until('profile', () => container.profiles.list().find((p) => p.name === 'Cert wrong CA'));
      const wrongClient = await until('profile', () => container.profiles.list().find((p) => p.name === 'Cert wrong client'));
      await assert.rejects(container.sessions.connect(wrongCa.id));
      await assert.rejects(container.sessions.connect(wrongClient.id));
      const doc = await vscode.workspace.openTextDocument(file);
      const caDiag = await until('CA diagnostic', () =>
        vscode.languages.getDiagnostics(file).find((d) => d.message.startsWith('Cert wrong CA:')),
      );
      assert.equal(doc.getText(caDiag.range), JSON.stringify(lab.otherRoot.certPath), `on caFile (${String(caDiag.code)})`);
      const caActions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, caDiag.range);
      assert.ok(
        caActions.some((a) => a.command?.command === 'redisTls.chooseCaFileForWorkspaceProfile'),
        caActions.map((a) => a.title).join(', '),
      );
      const clientDiag = await until('client diagnostic', () =>
        vscode.languages.getDiagnostics(file).find((d) => d.message.startsWith('Cert wrong client:')),
      );
      assert.equal(doc.getText(clientDiag.range), JSON.stringify(lab.otherClient.certPath), `on certFile (${String(clientDiag.code)})`);
      const clientActions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        file,
        clientDiag.range,
      );
      const inspect = clientActions.find((a) => a.title === 'Inspect the client certificate');
      assert.ok(inspect?.command, clientActions.map((a) => a.title).join(', '));
      assert.equal((inspect.command.arguments?.[0] as vscode.Uri).fsPath, lab.otherClient.certPath);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(file);
    }
  });

  it('puts a HOSTNAME_MISMATCH on the profile field and offers the certificate name as servername', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.skip();
    const srv = await startRedis({ kind: 'tls', certs: lab.wrongHostServer });
    servers.push(srv);
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    const text = `{\n  "profiles": [\n    {\n      "name": "Cert host test",\n      "host": "localhost",\n      "port": ${srv.port},\n      "caFile": ${JSON.stringify(lab.caBundle.certPath)}\n    }\n  ]\n}\n`;
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
    try {
      const profile = await until('workspace profile', () => container.profiles.list().find((p) => p.name === 'Cert host test'));
      await assert.rejects(container.sessions.connect(profile.id), /HOSTNAME_MISMATCH/);
      const diag = await until('profile diagnostic', () =>
        vscode.languages.getDiagnostics(file).find((d) => d.code === 'HOSTNAME_MISMATCH'),
      );
      const doc = await vscode.workspace.openTextDocument(file);
      assert.equal(doc.getText(diag.range), '"localhost"', 'on the host value');
      assert.match(diag.message, /wrong\.example/);
      const actions = await until('code actions', async () => {
        const a = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', file, diag.range);
        return a.some((x) => x.edit) ? a : undefined;
      });
      const fix = actions.find((a) => a.title.includes('wrong.example'));
      assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
      assert.ok(actions.some((a) => a.command?.command === 'redisTls.inspectConnectionCertificate'));
      assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
      assert.match(doc.getText(), /"host": "localhost",\n {6}"servername": "wrong.example"/);
      JSON.parse(doc.getText());
      await doc.save();
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(file);
    }
  });
});
