// Connection manager inside the real VS Code extension host: commands driven with answer objects,
// persistence across a simulated reload, mutual TLS with an encrypted key against a lab redis-server.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SaveResult, TestResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import type { Profile } from '../../src/core/profiles/profile';
import { ProfileStore } from '../../src/platform/profileStore';
import { SecretStore, secretKey, secretKeyIn, SECRET_KINDS } from '../../src/platform/secretStore';
import { SessionManager } from '../../src/sessions/sessionManager';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, editProfile, removeProfiles, until } from './helpers';
import { ESCAPE, runWithInputs, type Answer } from './testUserInput';

const PASSWORD = 'host-test-Pw-4b1d';

describe('connection manager (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let mtls: RedisServer;
  let tlsServer: RedisServer;
  const created: string[] = [];

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    mtls = await startRedis({ kind: 'mtls', password: PASSWORD });
    tlsServer = await startRedis({ kind: 'tls' });
  });

  after(async () => {
    await removeProfiles(container, created);
    await mtls?.stop();
    await tlsServer?.stop();
  });

  async function add(answers: Record<string, unknown>): Promise<SaveResult> {
    const result = await addProfile(container, answers);
    if (result.profileId) created.push(result.profileId);
    return result;
  }

  it('adds a mutual-TLS profile with an encrypted key; secrets go to SecretStorage only', async () => {
    const result = await add({
      name: 'host mtls',
      host: 'localhost',
      port: mtls.port,
      tls: true,
      caPath: lab.caBundle.certPath,
      certPath: lab.clientEncrypted.certPath,
      keyPath: lab.clientEncrypted.keyPath,
      passphrase: lab.passphrase,
      password: PASSWORD,
    });
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    assert.deepEqual(result.problems, []);
    const id = result.profileId!;
    const p = container.profiles.get(id)!;
    assert.equal(p.name, 'host mtls');
    assert.deepEqual(p.client, {
      kind: 'files',
      certPath: lab.clientEncrypted.certPath,
      keyPath: lab.clientEncrypted.keyPath,
      encryptedKey: true,
    });
    assert.equal(p.hasPassword, true);
    const state = JSON.stringify(container.context.globalState.keys().map((k) => container.context.globalState.get(k)));
    assert.ok(state.includes(id));
    assert.ok(!state.includes(PASSWORD) && !state.includes(lab.passphrase), 'globalState holds no secret');
    assert.equal(await container.context.secrets.get(secretKey(id, 'password')), PASSWORD);
    assert.equal(await container.context.secrets.get(secretKey(id, 'passphrase')), lab.passphrase);
  });

  it('the profile survives a reload (stores rebuilt from globalState + SecretStorage) and connects over mTLS', async () => {
    const id = created[0];
    const before = container.profiles.get(id);
    // A fresh set of stores reads only what was persisted.
    const secrets = new SecretStore(container.context.secrets);
    const profiles = new ProfileStore(container.context.globalState, secrets);
    const sessions = new SessionManager(profiles, container.log, container.context.globalState, container.config, container.ui);
    try {
      await profiles.ready();
      assert.deepEqual(profiles.get(id), before);
      // No answers: any prompt (a secret asked for although it is stored) fails the test.
      const { result: session } = await runWithInputs(container, [], () => sessions.connect(id));
      assert.equal(session.verified, true);
      assert.equal(session.report.tls, true);
      assert.equal(String(await session.client.send(['PING'])), 'PONG');
      assert.ok(session.nearestExpiry instanceof Date);
    } finally {
      await sessions.disconnect(id);
      sessions.dispose();
      profiles.dispose();
    }
  });

  it('Connect command: verified session, status bar with lock, TLS version and days', async () => {
    const id = created[0];
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', { profileId: id }), true);
    const state = container.sessions.state(id);
    assert.equal(state.kind, 'connected');
    assert.ok(state.kind === 'connected' && state.verified);
    const session = container.sessions.session(id)!;
    assert.equal(String(await session.client.send(['ECHO', 'hi'])), 'hi');
    assert.equal(container.sessions.activeProfileId, id);
    assert.equal(container.sessions.lastStatus(id)?.ok, true);
    const { describeSession } = await import('../../src/sessions/statusBar');
    const view = describeSession(
      {
        name: session.profile.name,
        tls: true,
        verified: session.verified,
        protocol: session.report.protocol,
        cipher: session.report.cipher,
        nearestExpiry: session.nearestExpiry,
      },
      30,
    );
    assert.match(view.text, /^\$\(lock\) .+ · TLSv1\.[23] · cert expires in \d+ days$/);
    // The lab client certificate is valid well beyond the default 30 days, so no warning look.
    assert.equal(view.warning, false);
    assert.equal(
      describeSession(
        { name: 'x', tls: true, verified: true, protocol: 'TLSv1.3', nearestExpiry: new Date(Date.now() + 5 * 86_400_000) },
        30,
      ).warning,
      true,
    );
    assert.equal(await vscode.commands.executeCommand('redisTls.disconnect', id), true);
    assert.equal(container.sessions.state(id).kind, 'disconnected');
  });

  it('Test Connection reports OK, and a wrong password with its diagnosis code', async () => {
    const ok = await vscode.commands.executeCommand<TestResult>('redisTls.testConnection', created[0]);
    assert.equal(ok.ok, true, JSON.stringify(ok.problem));
    assert.equal(ok.verified, true);
    assert.match(ok.protocol ?? '', /^TLSv1\.[23]$/);
    assert.match(ok.serverVersion ?? '', /^\d+\.\d+/);
    const bad = await add({
      name: 'wrong pw',
      host: 'localhost',
      port: mtls.port,
      caPath: lab.caBundle.certPath,
      certPath: lab.client.certPath,
      keyPath: lab.client.keyPath,
      password: 'not-it',
    });
    assert.equal(bad.saved, true);
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', bad.profileId), false);
    const state = container.sessions.state(bad.profileId!);
    assert.ok(state.kind === 'failed' && state.problem.code === 'AUTH_FAILED', JSON.stringify(state));
    assert.equal(container.sessions.lastStatus(bad.profileId!)?.code, 'AUTH_FAILED');
  });

  it('checks before connecting: passphrase, key mismatch, clientAuth EKU, each with its code', async () => {
    const base = { host: 'localhost', port: mtls.port, caPath: lab.caBundle.certPath };
    const wrongPass = await add({
      ...base,
      name: 'x',
      certPath: lab.clientEncrypted.certPath,
      keyPath: lab.clientEncrypted.keyPath,
      passphrase: 'wrong',
    });
    assert.equal(wrongPass.saved, false);
    assert.deepEqual(
      wrongPass.problems.map((p) => p.code),
      ['KEY_PASSPHRASE'],
    );
    const mismatch = await add({
      ...base,
      name: 'x',
      certPath: lab.clientMismatchedKey.certPath,
      keyPath: lab.clientMismatchedKey.keyPath,
    });
    assert.deepEqual(
      mismatch.problems.map((p) => p.code),
      ['KEY_MISMATCH'],
    );
    const eku = await add({ ...base, name: 'x', certPath: lab.clientWrongEku.certPath, keyPath: lab.clientWrongEku.keyPath });
    assert.ok(eku.problems.some((p) => p.code === 'WRONG_PURPOSE'));
    const missing = await add({ ...base, name: 'x', caPath: '/nonexistent/ca.pem' });
    assert.ok(
      missing.problems.some(
        (p) => p.field === 'ca' && p.code === 'FILE_UNREADABLE' && p.detail.includes('/nonexistent/ca.pem') && p.detail.includes('ENOENT'),
      ),
      JSON.stringify(missing.problems),
    );
    assert.equal(created.length, 2, 'nothing saved for failed checks');
  });

  it('a linked CA file is read again at the next connection (rotation)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rte-ca-'));
    const caFile = path.join(dir, 'ca.pem');
    try {
      await fs.writeFile(caFile, lab.otherRoot.cert);
      const r = await add({ name: 'rotating', host: 'localhost', port: tlsServer.port, caPath: caFile });
      const id = r.profileId!;
      assert.equal(await vscode.commands.executeCommand('redisTls.connect', id), false);
      const failed = container.sessions.state(id);
      assert.ok(failed.kind === 'failed' && failed.problem.field === 'ca', JSON.stringify(failed));
      const changed = new Promise<void>((resolve) => {
        const sub = container.sessions.onDidChangeLinkedFile((e) => {
          if (e.profileId === id) {
            sub.dispose();
            resolve();
          }
        });
      });
      await fs.writeFile(caFile, lab.caBundle.cert);
      assert.equal(await vscode.commands.executeCommand('redisTls.connect', id), true);
      await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('no file watcher event')), 25_000))]);
      await container.sessions.disconnect(id);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('Use This CA (redisTls.useCaInProfile): the CA PEM from the certificate panel becomes the imported CA of the profile and the connection verifies', async () => {
    const r = await add({ name: 'use ca', host: 'localhost', port: tlsServer.port, caPath: lab.otherRoot.certPath });
    const id = r.profileId!;
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', id), false);
    const failed = container.sessions.state(id);
    assert.ok(failed.kind === 'failed' && failed.problem.field === 'ca', JSON.stringify(failed));

    // Invalid arguments are refused (an error message, no prompt) before anything is stored:
    // not a string, no certificate, key material. No answers: any prompt fails the test.
    for (const arg of [42, 'not a certificate', lab.rootCa.cert + lab.server.key]) {
      const { result } = await runWithInputs(container, [], () => vscode.commands.executeCommand('redisTls.useCaInProfile', arg));
      assert.equal(result, undefined);
    }
    assert.equal(container.profiles.get(id)?.ca.kind, 'file');
    assert.equal(await container.context.secrets.get(secretKey(id, 'caPem')), undefined);

    // Escape on the confirmation stores nothing; then the profile is picked and the question confirmed.
    const declined = await runWithInputs(container, ['use ca', ESCAPE], () =>
      vscode.commands.executeCommand('redisTls.useCaInProfile', lab.rootCa.cert),
    );
    assert.equal(declined.result, undefined);
    assert.match(declined.prompts[1].text ?? '', /^Trust ".*Lab Root CA.*" for "use ca"\?/);
    assert.equal(container.profiles.get(id)?.ca.kind, 'file');
    const { result } = await runWithInputs(container, ['use ca', 'Use This CA'], () =>
      vscode.commands.executeCommand<SaveResult>('redisTls.useCaInProfile', lab.rootCa.cert),
    );
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    const ca = container.profiles.get(id)!.ca;
    assert.equal(ca.kind, 'imported');
    assert.match(ca.kind === 'imported' ? (ca.label ?? '') : '', /Lab Root CA/);
    const stored = (await container.context.secrets.get(secretKey(id, 'caPem'))) ?? '';
    assert.ok(stored.includes(lab.rootCa.cert.split('\n')[1]), 'the CA PEM is in SecretStorage');
    assert.equal((stored.match(/BEGIN CERTIFICATE/g) ?? []).length, 1);

    assert.equal(await vscode.commands.executeCommand('redisTls.connect', id), true);
    const s = container.sessions.session(id)!;
    assert.equal(s.verified, true);
    assert.equal(s.report.verification, 'chain');
    await container.sessions.disconnect(id);
  });

  it('pin mode: trust on first use stores the fingerprint; a changed certificate is refused', async () => {
    const r = await add({ name: 'pinned', host: 'localhost', port: tlsServer.port, verify: 'pin' });
    const id = r.profileId!;
    const shown: string[] = [];
    const connectPinned = async (answers: Answer[]) => {
      const run = await runWithInputs(container, answers, () => container.sessions.connect(id));
      for (const p of run.prompts) shown.push(/SHA-256 ([0-9A-Fa-f:]+)\./.exec(p.text ?? '')?.[1] ?? `no fingerprint in: ${p.text}`);
      return run.result;
    };
    const s = await connectPinned(['Trust and Pin']);
    assert.equal(shown.length, 1);
    assert.equal(s.verified, true);
    assert.equal(s.report.verification, 'pin');
    const pinned = container.profiles.get(id)?.pinSha256;
    assert.equal(pinned, shown[0]);
    await container.sessions.disconnect(id);
    // Known pin: no question, and the session is resumed (the pin is part of the session cache
    // key) and still counts as pin-verified; a different pin (as if the server certificate changed): refused.
    const again = await connectPinned([]);
    assert.equal(shown.length, 1);
    assert.equal(again.report.sessionReused, true, 'a pinned profile resumes its TLS session');
    assert.equal(again.verified, true);
    assert.equal(again.report.verification, 'pin');
    await container.sessions.disconnect(id);
    const other = '00'.repeat(32);
    assert.equal((await editProfile(container, id, { pinSha256: other })).saved, true);
    assert.equal((await runWithInputs(container, [], () => vscode.commands.executeCommand('redisTls.connect', id))).result, false);
    const state = container.sessions.state(id);
    assert.ok(state.kind === 'failed' && state.problem.field === 'pin', JSON.stringify(state));
    assert.equal(shown.length, 1, 'a refused certificate is not offered for trust again');
  });

  it('a server certificate expiring within redisTls.expiryWarningDays gives the status bar its warning look', async () => {
    const soon = await startRedis({ kind: 'tls', certs: lab.expiringSoonServer });
    try {
      const r = await add({ name: 'expiring', host: 'localhost', port: soon.port, caPath: lab.caBundle.certPath });
      assert.equal(await vscode.commands.executeCommand('redisTls.connect', r.profileId), true);
      const s = container.sessions.session(r.profileId!)!;
      const days = Math.floor((s.nearestExpiry!.getTime() - Date.now()) / 86_400_000);
      assert.ok(days >= 0 && days <= 5, `nearest expiry in ${days} days`);
      const { describeSession } = await import('../../src/sessions/statusBar');
      assert.equal(container.config.expiryWarningDays, 30);
      const view = describeSession(
        { name: 'x', tls: true, verified: s.verified, protocol: s.report.protocol, nearestExpiry: s.nearestExpiry },
        container.config.expiryWarningDays,
      );
      assert.equal(view.warning, true);
      assert.match(view.text, new RegExp(`^\\$\\(lock\\) x · TLSv1\\.[23] · cert expires in ${days} days?$`));
      assert.equal(describeSession({ name: 'x', tls: true, verified: true, nearestExpiry: s.nearestExpiry }, 3).warning, days < 3);
      await container.sessions.disconnect(r.profileId!);
    } finally {
      await soon.stop();
    }
  });

  it('an insecure profile is shown as unverified (session, status bar)', async () => {
    const r = await add({ name: 'insecure', host: '127.0.0.1', port: tlsServer.port, tls: true, verify: 'insecure' });
    assert.equal(await vscode.commands.executeCommand('redisTls.connect', r.profileId), true);
    const s = container.sessions.session(r.profileId!)!;
    assert.equal(s.verified, false);
    const { describeSession } = await import('../../src/sessions/statusBar');
    const view = describeSession(
      { name: 'x', tls: true, verified: s.verified, protocol: s.report.protocol, nearestExpiry: s.nearestExpiry },
      30,
    );
    assert.match(view.text, /UNVERIFIED/);
    assert.equal(view.warning, true);
    await container.sessions.disconnect(r.profileId!);
  });

  it('imports from URL and redis-cli, duplicates with secrets, renames, copies without secrets, removes with secrets', async () => {
    const fromUrl = await vscode.commands.executeCommand<SaveResult>('redisTls.importFromUrl', {
      text: `rediss://bob:${PASSWORD}@localhost:${tlsServer.port}/2`,
    });
    created.push(fromUrl.profileId!);
    const u = container.profiles.get(fromUrl.profileId!)!;
    assert.equal(u.username, 'bob');
    assert.equal(u.db, 2);
    assert.equal(await container.context.secrets.get(secretKey(u.id, 'password')), PASSWORD);

    const fromCli = await vscode.commands.executeCommand<SaveResult>('redisTls.importFromRedisCli', {
      text: `redis-cli -h localhost -p ${mtls.port} -a ${PASSWORD} --tls --cacert ${lab.caBundle.certPath} --cert ${lab.client.certPath} --key ${lab.client.keyPath}`,
      connect: true,
    });
    created.push(fromCli.profileId!);
    assert.equal(fromCli.connected, true, JSON.stringify(fromCli.connectProblem));
    await container.sessions.disconnect(fromCli.profileId!);

    const copyId = await vscode.commands.executeCommand<string>('redisTls.duplicateConnection', fromCli.profileId);
    created.push(copyId);
    assert.equal(await container.context.secrets.get(secretKey(copyId, 'password')), PASSWORD);
    assert.equal(await vscode.commands.executeCommand('redisTls.renameConnection', copyId, 'renamed copy'), true);
    assert.equal(container.profiles.get(copyId)?.name, 'renamed copy');

    const command = await vscode.commands.executeCommand<string>('redisTls.copyAsRedisCli', copyId);
    assert.ok(command.startsWith('redis-cli -h localhost'));
    assert.ok(!command.includes(PASSWORD));
    assert.equal(await vscode.env.clipboard.readText(), command);

    const edited = await editProfile(container, copyId, { port: 1, db: 3 });
    assert.equal(edited.saved, true);
    assert.equal(container.profiles.get(copyId)?.port, 1);

    // Remove asks first (Escape keeps the profile), then deletes the profile and its secrets.
    const kept = await runWithInputs(container, [ESCAPE], () => vscode.commands.executeCommand('redisTls.removeConnection', copyId));
    assert.equal(kept.result, false);
    assert.ok(container.profiles.get(copyId));
    const removed = await runWithInputs(container, ['Remove'], () => vscode.commands.executeCommand('redisTls.removeConnection', copyId));
    assert.equal(removed.result, true);
    assert.match(removed.prompts[0].text ?? '', /^Remove the connection "renamed copy"\?/);
    assert.equal(container.profiles.get(copyId), undefined);
    for (const kind of SECRET_KINDS) assert.equal(await container.context.secrets.get(secretKey(copyId, kind)), undefined, kind);
  });

  it('workspace profiles from .vscode/redis-tls.json: paths only, secrets asked for and kept in SecretStorage', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.skip();
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    const json = {
      profiles: [
        {
          name: 'Team mTLS',
          host: 'localhost',
          port: mtls.port,
          caFile: lab.caBundle.certPath,
          certFile: lab.clientEncrypted.certPath,
          keyFile: lab.clientEncrypted.keyPath,
          encryptedKey: true,
          passwordRequired: true,
        },
      ],
    };
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(json)));
    await container.profiles.ready();
    const p = container.profiles.list().find((x: Profile) => x.source === 'workspace')!;
    assert.ok(!JSON.stringify(p).includes(PASSWORD));
    assert.ok(p, 'workspace profile listed');
    try {
      const first = await runWithInputs(container, [PASSWORD, lab.passphrase], () => container.sessions.connect(p.id));
      const s = first.result;
      assert.equal(s.verified, true);
      assert.deepEqual(
        first.prompts.map((x) => /Enter the (password|client key passphrase) /.exec(x.text ?? '')?.[1]),
        ['password', 'client key passphrase'],
      );
      assert.equal(await container.context.secrets.get(secretKeyIn(`workspace.${p.id}`, 'password')), PASSWORD);
      await container.sessions.disconnect(p.id);
      // Stored secrets are reused: no answers, so a prompt would fail.
      await runWithInputs(container, [], () => container.sessions.connect(p.id));
      await container.sessions.disconnect(p.id);
      assert.equal(await vscode.commands.executeCommand('redisTls.forgetSecrets', p.id), true);
      assert.equal(await container.context.secrets.get(secretKeyIn(`workspace.${p.id}`, 'password')), undefined);
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });

  it('groups: profiles with a group field sit in a group folder (others at the top level); a collapsed group stays collapsed after a reload', async () => {
    const a = await add({ name: 'grouped one', host: 'localhost', port: tlsServer.port, group: 'staging' });
    const b = await add({ name: 'grouped two', host: 'localhost', port: tlsServer.port, group: 'staging' });
    const c = await add({ name: 'ungrouped', host: 'localhost', port: tlsServer.port });
    const provider = container.keyBrowser.provider;
    const root = await provider.getChildren();
    const group = root.find((n) => n.kind === 'group' && n.name === 'staging');
    assert.ok(group && group.kind === 'group', 'a "staging" group folder at the top level');
    const topLevelIds = root.filter((n) => n.kind === 'connection').map((n) => (n.kind === 'connection' ? n.profile.id : ''));
    assert.ok(topLevelIds.includes(c.profileId!), 'a profile without a group stays at the top level');
    assert.ok(!topLevelIds.includes(a.profileId!) && !topLevelIds.includes(b.profileId!), 'grouped profiles are not at the top level');
    const members = (await provider.getChildren(group)).map((n) => (n.kind === 'connection' ? n.profile.name : n.kind));
    assert.deepEqual(members, ['grouped one', 'grouped two']);
    assert.equal(provider.getParent(provider.connectionNode(a.profileId!)!), group);
    const groupItem = provider.getTreeItem(group);
    assert.equal(groupItem.label, 'staging');
    assert.equal(groupItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'groups start expanded');
    assert.equal(groupItem.description, '2 connections');

    // The user collapses it in the real view: remembered in globalState, and a fresh provider (a reload) shows it collapsed.
    const view = container.keyBrowser.view;
    await vscode.commands.executeCommand('workbench.view.extension.redisTls');
    await view.reveal(group, { expand: true, focus: true });
    await vscode.commands.executeCommand('list.collapse');
    const collapsed = await until('the collapse to be stored', () =>
      (container.context.globalState.get<string[]>('redisTls.connections.collapsedGroups') ?? []).includes('staging') ? true : undefined,
    );
    assert.equal(collapsed, true);
    assert.equal(provider.getTreeItem(group).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const { KeyTreeProvider } = await import('../../src/views/connectionsView');
    const fresh = new KeyTreeProvider(container.profiles, container.sessions, container.log, container.config);
    const tracking = fresh.trackGroupExpansion(view, container.context.globalState);
    try {
      const again = (await fresh.getChildren()).find((n) => n.kind === 'group' && n.name === 'staging')!;
      assert.equal(fresh.getTreeItem(again).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, 'kept across a reload');
    } finally {
      tracking.dispose();
      fresh.dispose();
    }
    await view.reveal(group, { expand: true });
    await until('the expansion to be stored', () =>
      (container.context.globalState.get<string[]>('redisTls.connections.collapsedGroups') ?? []).includes('staging') ? undefined : true,
    );
  });

  it('tooltips keep ordinary spaces, so hovers wrap between words (VS Code appendText makes every space &nbsp;)', async () => {
    const r = await add({ name: 'a rather long connection name with several words', host: 'localhost', port: tlsServer.port });
    const provider = container.keyBrowser.provider;
    const tip = provider.getTreeItem(provider.connectionNode(r.profileId!)!).tooltip;
    assert.ok(tip instanceof vscode.MarkdownString);
    assert.ok(!tip.value.includes('&nbsp;') && !tip.value.includes('\u00a0'), tip.value);
    assert.match(tip.value, /a rather long connection name with several words/);
  });

  it('Remove Connection on a workspace profile removes its entry from .vscode/redis-tls.json (comments kept), as an edit that can be undone', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return this.skip();
    const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    const text = [
      '{',
      '  // Team profiles: paths only, never secrets.',
      '  "profiles": [',
      `    { "name": "Keep me", "host": "localhost", "port": ${tlsServer.port} }, // stays`,
      '    /* the one to remove */',
      `    { "name": "Remove me", "host": "localhost", "port": ${tlsServer.port}, "caFile": "${lab.caBundle.certPath}" }`,
      '  ]',
      '}',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
    try {
      const target = await until('the workspace profile', () => container.profiles.list().find((p) => p.name === 'Remove me'));
      // "Forget Secrets Only" keeps the entry.
      const forget = await runWithInputs(container, ['Forget Secrets Only'], () =>
        vscode.commands.executeCommand('redisTls.removeConnection', target.id),
      );
      assert.equal(forget.result, true);
      assert.deepEqual(forget.prompts[0].items, ['Remove from redis-tls.json', 'Forget Secrets Only']);
      assert.match(forget.prompts[0].text ?? '', /"Remove me" is defined in \.vscode\/redis-tls\.json/);
      assert.ok(container.profiles.get(target.id), 'the entry is still there');

      const removed = await runWithInputs(container, ['Remove from redis-tls.json'], () =>
        vscode.commands.executeCommand('redisTls.removeConnection', target.id),
      );
      assert.equal(removed.result, true);
      const after = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
      assert.ok(!after.includes('Remove me'), after);
      assert.ok(
        after.includes('"Keep me"') && after.includes('// Team profiles: paths only, never secrets.') && after.includes('// stays'),
        after,
      );
      await until('the profile to go', () => (container.profiles.list().some((p) => p.name === 'Remove me') ? undefined : true));
      assert.ok(container.profiles.list().some((p) => p.name === 'Keep me'));

      // Undo in the editor brings the entry back.
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('undo');
      assert.ok(doc.getText().includes('"Remove me"'), doc.getText());
      await doc.save();
      await until('the profile to come back', () => container.profiles.list().find((p) => p.name === 'Remove me'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(file);
    }
  });
});
