// Secrets audit: every profile command is exercised with known secret values, then every file
// written on the extension-host side (the code-server run folder: user-data dir with logs and
// global storage, HOME, XDG dirs, TMPDIR; and the workspace) is searched for each secret.
import * as assert from 'node:assert/strict';
import { promises as fs, watch } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SaveResult, TestResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, editProfile, removeProfiles } from './helpers';
import { runWithInputs } from './testUserInput';

const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A distinctive line of base64 from the middle of a PEM block (the key material itself). */
function pemBodyLine(pem: string): string {
  const lines = pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{60,}$/.test(l));
  return lines[Math.floor(lines.length / 2)];
}

async function walk(dir: string, out: string[], seen: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue; // links lead out of the written area (e.g. the extension under test)
    if (e.isDirectory()) await walk(full, out, seen);
    else if (e.isFile() && !seen.has(full)) {
      seen.add(full);
      out.push(full);
    }
  }
}

async function findFileWithText(dir: string, text: string): Promise<string | undefined> {
  const files: string[] = [];
  await walk(dir, files, new Set());
  for (const file of files) if ((await fs.readFile(file).catch(() => Buffer.alloc(0))).includes(text)) return file;
  return undefined;
}

/** Resolves once a file under `dir` contains `text`: checked now and again on every change under `dir`. */
async function waitForFileText(dir: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let checking = false;
    let again = false;
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const found = await findFileWithText(dir, text);
          if (found) {
            watcher.close();
            resolve(found);
            return;
          }
        } while (again);
      } catch (e) {
        watcher.close();
        reject(e);
      } finally {
        checking = false;
      }
    };
    const watcher = watch(dir, { recursive: true }, () => void check());
    void check();
  });
}

describe('secrets audit (in the extension host)', function () {
  this.timeout(90_000);
  let container: Container;
  let lab: LabCerts;
  let mtls: RedisServer;
  const ids: string[] = [];

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
  });

  after(async () => {
    await mtls?.stop();
  });

  it('no secret reaches any file, globalState or the output channel after every profile command', async () => {
    const password = `AUDIT-password-${Date.now().toString(36)}-q7`;
    const password2 = `AUDIT-second-${Date.now().toString(36)}-z3`;
    const urlPassword = `AUDIT-url-${Date.now().toString(36)}-k9`;
    const cliPassword = `AUDIT-cli-${Date.now().toString(36)}-m2`;
    const trailingSecret = `AUDIT-trailing-${Date.now().toString(36)}-t8`;
    mtls = await startRedis({ kind: 'mtls', password });
    const secrets: Record<string, string> = {
      password,
      password2,
      urlPassword,
      cliPassword,
      trailingSecret,
      passphrase: lab.passphrase,
      pfxPassword: lab.pfxPassword,
      'client key (imported PEM)': pemBodyLine(lab.client.key),
      'encrypted key body': pemBodyLine(lab.clientEncrypted.key),
    };
    const run = async <T>(command: string, ...args: unknown[]): Promise<T> => vscode.commands.executeCommand<T>(command, ...args);
    const keep = (r: SaveResult): string => {
      assert.equal(r.saved, true, JSON.stringify(r.problems));
      ids.push(r.profileId!);
      return r.profileId!;
    };

    // Add (the guided flow, every secret typed into its prompt): linked encrypted key + passphrase + password, then connect.
    const linked = keep(
      (
        await runWithInputs(
          container,
          [
            'Enter the connection details',
            'A Redis server or a Redis Cluster',
            'localhost',
            String(mtls.port),
            /^TLS, verify the certificate chain/,
            '',
            /^CA file, linked/,
            'Type a path...',
            lab.caBundle.certPath,
            'PEM certificate + key files, linked',
            'Type a path...',
            lab.clientEncrypted.certPath,
            'Type a path...',
            lab.clientEncrypted.keyPath,
            lab.passphrase,
            '',
            password,
            '0',
            'Writes allowed',
            'audit linked',
            'Save and Connect',
          ],
          () => run<SaveResult>('redisTls.addConnection'),
        )
      ).result,
    );
    assert.equal(container.sessions.state(linked).kind, 'connected');
    // Add: imported CA + identity (PEM into SecretStorage).
    const imported = keep(
      await addProfile(container, {
        name: 'audit imported',
        host: 'localhost',
        port: mtls.port,
        caPem: lab.caBundle.cert,
        certPem: lab.client.cert,
        keyPem: lab.client.key,
        password,
      }),
    );
    // Add: PKCS#12 with its password.
    const pfx = keep(
      await addProfile(container, {
        name: 'audit pfx',
        host: 'localhost',
        port: mtls.port,
        caPath: lab.caBundle.certPath,
        pfxPath: lab.clientPfx.pfxPath,
        pfxPassword: lab.pfxPassword,
        password,
      }),
    );
    for (const id of [imported, pfx]) {
      assert.equal(await run('redisTls.connect', id), true, id);
      assert.equal((await run<TestResult>('redisTls.testConnection', id)).ok, true);
      assert.equal(await run('redisTls.disconnect', id), true);
    }
    // A failing connection: its diagnosis is logged; the password must not be.
    const failing = keep(
      await addProfile(container, {
        name: 'audit wrong pw',
        host: 'localhost',
        port: mtls.port,
        caPath: lab.caBundle.certPath,
        certPath: lab.client.certPath,
        keyPath: lab.client.keyPath,
        password: password2,
      }),
    );
    assert.equal(await run('redisTls.connect', failing), false);
    // Imports with passwords in them.
    ids.push((await run<SaveResult>('redisTls.importFromUrl', { text: `rediss://u:${urlPassword}@localhost:${mtls.port}/1` })).profileId!);
    ids.push(
      (
        await run<SaveResult>('redisTls.importFromRedisCli', {
          text: `redis-cli -h localhost -p ${mtls.port} -a '${cliPassword}' --tls --cacert ${lab.caBundle.certPath} --cert ${lab.client.certPath} --key ${lab.client.keyPath}`,
        })
      ).profileId!,
    );
    ids.push(
      (
        await run<SaveResult>('redisTls.importConnection', {
          text: `REDISCLI_AUTH=${cliPassword} redis-cli -h localhost -p ${mtls.port} --tls`,
        })
      ).profileId!,
    );
    // A trailing command with a secret in it: neither stored nor logged.
    ids.push(
      (
        await run<SaveResult>('redisTls.importConnection', {
          text: `redis-cli -h localhost -p ${mtls.port} --tls AUTH app ${trailingSecret}`,
        })
      ).profileId!,
    );
    // Edit (new password), duplicate, rename, copy as redis-cli.
    assert.equal((await editProfile(container, imported, { password: password2, db: 2, ignoreProblems: true })).saved, true);
    const copy = await run<string>('redisTls.duplicateConnection', linked, { name: 'audit copy' });
    ids.push(copy);
    assert.equal(await run('redisTls.renameConnection', copy, 'audit copy renamed'), true);
    for (const id of ids) {
      const command = await run<string>('redisTls.copyAsRedisCli', id);
      for (const [what, secret] of Object.entries(secrets)) assert.ok(!command.includes(secret), `copy as redis-cli leaks ${what}`);
    }
    // A workspace profile whose secrets are asked for.
    const folder = vscode.workspace.workspaceFolders?.[0];
    let wsId: string | undefined;
    if (folder) {
      const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
      await vscode.workspace.fs.writeFile(
        file,
        new TextEncoder().encode(
          JSON.stringify({
            profiles: [
              {
                name: 'audit ws',
                host: 'localhost',
                port: mtls.port,
                caFile: lab.caBundle.certPath,
                certFile: lab.clientEncrypted.certPath,
                keyFile: lab.clientEncrypted.keyPath,
                passwordRequired: true,
              },
            ],
          }),
        ),
      );
      await container.profiles.ready();
      wsId = container.profiles.list().find((p) => p.name === 'audit ws')?.id;
      assert.ok(wsId);
      const asked = await runWithInputs(container, [password, lab.passphrase], () => run('redisTls.connect', wsId));
      assert.equal(asked.result, true);
      await run('redisTls.disconnect', wsId);
    }
    await run('redisTls.disconnect', linked);
    await run('redisTls.forgetSecrets', failing);
    // Remove everything but two profiles, so both stored and removed states are on disk.
    for (const id of ids.slice(2))
      assert.equal((await runWithInputs(container, ['Remove'], () => run('redisTls.removeConnection', id))).result, true);
    if (wsId) await run('redisTls.forgetSecrets', wsId);

    // globalState (kept by the workbench) as the extension sees it.
    const state = JSON.stringify(container.context.globalState.keys().map((k) => [k, container.context.globalState.get(k)]));
    for (const [what, secret] of Object.entries(secrets)) assert.ok(!state.includes(secret), `globalState holds ${what}`);

    // Every command above awaited its store writes (globalState, SecretStorage). The output channel
    // writes its log file on its own: wait until the marker, logged last, is on disk.
    const marker = `secrets audit: all commands done ${Date.now().toString(36)}`;
    container.log.info(marker);
    await waitForFileText(path.resolve(container.context.logUri.fsPath, '..', '..'), marker);

    // Every file on the extension-host side.
    const roots = new Set<string>();
    const home = process.env.HOME ?? '';
    const runDir = path.dirname(home);
    if (path.basename(home) === 'home' && (await fs.stat(path.join(runDir, 'user-data')).catch(() => undefined))) roots.add(runDir);
    const userData = path.resolve(container.context.globalStorageUri.fsPath, '..', '..', '..');
    roots.add(userData);
    roots.add(container.context.logUri.fsPath);
    if (container.context.storageUri) roots.add(container.context.storageUri.fsPath);
    for (const f of vscode.workspace.workspaceFolders ?? []) roots.add(f.uri.fsPath);
    for (const env of ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR']) if (process.env[env]) roots.add(process.env[env]!);
    const files: string[] = [];
    const seen = new Set<string>();
    for (const root of roots) await walk(root, files, seen);
    let bytes = 0;
    let sawOutputChannel = false;
    let sawProfileState = false;
    const hits: string[] = [];
    for (const file of files) {
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat || stat.size > MAX_FILE_BYTES) continue;
      const data = await fs.readFile(file).catch(() => undefined);
      if (!data) continue;
      bytes += data.length;
      const text = data.toString('latin1');
      if (text.includes('Saved connection "audit linked"')) sawOutputChannel = true;
      if (text.includes('audit linked')) sawProfileState = true;
      for (const [what, secret] of Object.entries(secrets)) {
        if (text.includes(secret) || data.includes(Buffer.from(secret, 'utf16le'))) hits.push(`${what} in ${file}`);
      }
    }
    console.log(
      `secrets audit: searched ${files.length} files, ${bytes} bytes, under ${[...roots].join(', ')}; ${Object.keys(secrets).length} secrets; ${hits.length} hits`,
    );
    assert.ok(files.length > 10, `too few files searched (${files.length})`);
    assert.ok(sawOutputChannel, 'the output channel log file was not among the searched files');
    assert.ok(sawProfileState || state.includes('audit linked'), 'profile state not found');
    assert.deepEqual(hits, []);

    // Clean up what is left.
    await removeProfiles(container, ids.slice(0, 2));
    if (folder) await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json'));
  });
});
