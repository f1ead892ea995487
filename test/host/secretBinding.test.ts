// Secrets go only where the user agreed to send them (issue #9), in the real extension host against
// real redis-server processes: a stored password is bound to the target it was entered for, and a
// workspace profile whose target changes (host, port, TLS, verify, pin, server name, CA) does not
// send it. Each changed target's own server is asked (INFO commandstats: cmdstat_auth) whether an
// AUTH arrived; the total is written to test/artifacts/reliability/secrets-changed-target.json for
// `npm run test:reliability` ("secrets sent to a changed target N").
import * as assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RedisConnection } from '../../src/core/client/connection';
import type { Container } from '../../src/container';
import type { Profile } from '../../src/core/profiles/profile';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, EXTENSION_ID, removeProfiles } from './helpers';
import { ESCAPE, runWithInputs, type Answer, type Prompt } from './testUserInput';

const PASSWORD = 'bound-secret-Pw-7c2e';

interface Recorder {
  server: RedisServer;
  admin: RedisConnection;
}

/** AUTH calls the server has seen (the admin connection's own AUTH happened before any baseline). */
async function authCalls(r: Recorder): Promise<number> {
  const info = String(await r.admin.send(['INFO', 'commandstats']));
  return Number(/cmdstat_auth:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe('secrets: bound to their target (in the extension host)', function () {
  this.timeout(120_000);
  let container: Container;
  let lab: LabCerts;
  let folder: vscode.WorkspaceFolder;
  let file: vscode.Uri;
  let tlsTarget: Recorder;
  let plainTarget: Recorder;
  let tofuServer: RedisServer | undefined;
  const userIds: string[] = [];

  async function recorder(kind: 'tls' | 'plain'): Promise<Recorder> {
    const server = await startRedis({ kind, password: PASSWORD });
    const admin = await RedisConnection.open({
      host: '127.0.0.1',
      port: server.port,
      password: PASSWORD,
      tls: kind === 'tls' ? { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' } : { enabled: false },
    });
    return { server, admin };
  }

  async function writeProfiles(profiles: object[]): Promise<void> {
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify({ profiles })));
    await container.profiles.ready();
  }

  function workspaceProfile(name: string): Profile {
    const p = container.profiles.list().find((x) => x.source === 'workspace' && x.name === name);
    assert.ok(p, `workspace profile ${name} listed`);
    return p;
  }

  /** What the last `connect` ended with, kept even when the script's check throws (e.g. an answer left unused). */
  let lastOutcome = '';

  /** Connects with scripted answers; the outcome instead of a rejection, so the prompts are kept. */
  async function connect(id: string, answers: Answer[]): Promise<{ outcome: string; error?: unknown; prompts: Prompt[] }> {
    let error: unknown;
    lastOutcome = '';
    try {
      const { result, prompts } = await runWithInputs(container, answers, () =>
        container.sessions.connect(id).then(
          () => (lastOutcome = 'connected'),
          (e: unknown) => {
            error = e;
            const problem = (e as { problem?: { code?: string; title?: string } }).problem;
            return (lastOutcome =
              e instanceof vscode.CancellationError ? 'cancelled' : `failed (${problem?.code ?? ''} ${problem?.title ?? String(e)})`);
          },
        ),
      );
      return { outcome: result.startsWith('failed') ? 'failed' : result, error, prompts };
    } finally {
      await container.sessions.disconnect(id);
    }
  }

  before(async function () {
    container = await activateContainer();
    lab = await getLab();
    const first = vscode.workspace.workspaceFolders?.[0];
    if (!first) throw new Error('the host tests open a workspace folder');
    folder = first;
    file = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    tlsTarget = await recorder('tls');
    plainTarget = await recorder('plain');
  });

  after(async () => {
    for (const p of container.profiles.list().filter((x) => x.source === 'workspace')) await container.profiles.remove(p.id);
    await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
    await removeProfiles(container, userIds);
    for (const r of [tlsTarget, plainTarget]) {
      r?.admin.destroy();
      await r?.server.stop();
    }
    await tofuServer?.stop();
  });

  it('a workspace profile whose target changes (host/port/TLS, verify, pin, server name, CA) does not send the stored password; the prompt names the change', async () => {
    const base = {
      id: 'bound',
      name: 'Bound',
      host: 'localhost',
      port: tlsTarget.server.port,
      caFile: lab.caBundle.certPath,
      passwordRequired: true,
    };
    await writeProfiles([base]);
    const id = workspaceProfile('Bound').id;
    const entered = await connect(id, [PASSWORD]);
    assert.equal(entered.outcome, 'connected', String(entered.error));

    const caCopy = path.join(folder.uri.fsPath, '.vscode', 'bound-ca-copy.pem');
    await fs.copyFile(lab.caBundle.certPath, caCopy);
    const pin = new X509Certificate(lab.server.cert).fingerprint256;
    const tlsPort = tlsTarget.server.port;
    const changes: Array<{ what: string; profile: object; target: Recorder; words: string }> = [
      {
        what: 'host, port and TLS',
        profile: { ...base, host: '127.0.0.1', port: plainTarget.server.port, tls: false },
        target: plainTarget,
        words: `host was localhost:${tlsPort}, is now 127.0.0.1:${plainTarget.server.port}; TLS is now off`,
      },
      { what: 'verify', profile: { ...base, verify: 'insecure' }, target: tlsTarget, words: 'verification was full, is now insecure' },
      {
        what: 'pin',
        profile: { ...base, verify: 'pin', pinSha256: pin },
        target: tlsTarget,
        words: 'verification was full, is now pin; pinned certificate was (none), is now',
      },
      {
        what: 'server name',
        profile: { ...base, servername: 'localhost' },
        target: tlsTarget,
        words: 'server name was (none), is now localhost',
      },
      {
        what: 'CA',
        profile: { ...base, caFile: caCopy },
        target: tlsTarget,
        words: `CA was file ${lab.caBundle.certPath}, is now file ${caCopy}`,
      },
    ];
    let sent = 0;
    const failures: string[] = [];
    try {
      for (const change of changes) {
        await writeProfiles([change.profile]);
        assert.equal(workspaceProfile('Bound').id, id, 'the id stays the same');
        const before = await authCalls(change.target);
        let result: Awaited<ReturnType<typeof connect>> | undefined;
        try {
          result = await connect(id, [ESCAPE]);
        } catch (e) {
          failures.push(`${change.what}: ${lastOutcome || 'no outcome'}; ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
        const auths = (await authCalls(change.target)) - before;
        sent += auths;
        if (auths > 0) failures.push(`${change.what}: the stored password was sent (${auths} AUTH)`);
        if (result) {
          if (result.outcome !== 'cancelled') failures.push(`${change.what}: ${result.outcome}, not asked`);
          const text = result.prompts.map((p) => p.text ?? '').join('\n');
          if (!text.includes(change.words)) failures.push(`${change.what}: the prompt does not say "${change.words}": ${text}`);
        }
      }
      // Back to the target the password was entered for: it is sent again without asking.
      await writeProfiles([base]);
      const back = await connect(id, []);
      assert.equal(back.outcome, 'connected', String(back.error));
    } finally {
      await fs.rm(caCopy, { force: true });
      const dir = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'test', 'artifacts', 'reliability');
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(
        path.join(dir, 'secrets-changed-target.json'),
        JSON.stringify({
          sentToChangedTarget: sent,
          changedTargets: changes.length,
          measuredBy: 'INFO commandstats cmdstat_auth on each changed target',
        }),
      );
      console.log(`secrets sent to a changed target ${sent} (${changes.length} changed targets tried)`);
    }
    assert.deepEqual(failures, []);
    assert.equal(sent, 0);
  });

  it('a workspace profile and a user profile of the same name do not share the password; the workspace one says where it comes from', async () => {
    const added = await addProfile(container, {
      name: 'Shared',
      host: 'localhost',
      port: tlsTarget.server.port,
      caPath: lab.caBundle.certPath,
      password: PASSWORD,
    });
    assert.equal(added.saved, true);
    userIds.push(added.profileId!);
    await writeProfiles([
      { name: 'Shared', host: 'localhost', port: tlsTarget.server.port, caFile: lab.caBundle.certPath, passwordRequired: true },
    ]);
    const ws = workspaceProfile('Shared');
    const before = await authCalls(tlsTarget);
    const asked = await connect(ws.id, [ESCAPE]);
    assert.equal(asked.outcome, 'cancelled', 'the workspace profile asks for its own password');
    assert.equal((await authCalls(tlsTarget)) - before, 0);
    const origin = `from .vscode/redis-tls.json in ${folder.name}`;
    assert.ok(
      asked.prompts.some((p) => `${p.title ?? ''} ${p.text ?? ''}`.includes(origin)),
      `the prompt says "${origin}": ${JSON.stringify(asked.prompts)}`,
    );
    // The tree marks it too (label, description, tooltip).
    const provider = container.keyBrowser.provider;
    const roots = await provider.getChildren();
    const items = roots.map((n) => provider.getTreeItem(n)).filter((i) => i.label === 'Shared');
    assert.equal(items.length, 2);
    const marked = items.filter((i) => String(i.description).includes('workspace'));
    assert.equal(marked.length, 1, JSON.stringify(items.map((i) => i.description)));
    const tip = marked[0].tooltip;
    assert.ok(
      tip instanceof vscode.MarkdownString &&
        tip.value
          .replace(/\\/g, '')
          .replace(/&nbsp;/g, ' ')
          .includes(`Workspace profile ${origin}`),
      `tooltip names the file: ${tip instanceof vscode.MarkdownString ? tip.value : String(tip)}`,
    );
  });

  it('trust on first use remembers a workspace profile\'s pin: a changed certificate is refused as "certificate changed", not asked about again', async () => {
    tofuServer = await startRedis({ kind: 'tls' });
    await writeProfiles([{ name: 'Tofu', host: 'localhost', port: tofuServer.port, verify: 'pin' }]);
    const id = workspaceProfile('Tofu').id;
    const first = await connect(id, ['Trust and Pin']);
    assert.equal(first.outcome, 'connected', String(first.error));
    assert.match(first.prompts[0]?.text ?? '', /from \.vscode\/redis-tls\.json in /);
    // Same pin, same certificate: no prompt.
    assert.equal((await connect(id, [])).outcome, 'connected');
    // The server's certificate changes (same host, port, everything else).
    const admin = await RedisConnection.open({
      host: '127.0.0.1',
      port: tofuServer.port,
      tls: { enabled: true, ca: [lab.rootCa.cert], servername: 'localhost' },
    });
    try {
      await admin.send(['CONFIG', 'SET', 'tls-cert-file', lab.wrongHostServer.chainPath, 'tls-key-file', lab.wrongHostServer.keyPath]);
    } finally {
      admin.destroy();
    }
    const changed = await connect(id, []);
    assert.equal(changed.outcome, 'failed');
    const problem = (changed.error as { problem?: { detail?: string; field?: string } }).problem;
    assert.equal(problem?.field, 'pin');
    assert.match(problem?.detail ?? '', /Certificate changed/);
  });
});
