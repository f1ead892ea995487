// Hostile-server hardening inside the real extension host: the reply cap is a setting that sessions
// actually pass to their connections.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, removeProfiles } from './helpers';

describe("hostile: redisTls.maxReplyBytes reaches the session's connection", function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let srv: RedisServer;
  const created: string[] = [];
  const settings = () => vscode.workspace.getConfiguration('redisTls');

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
  });

  after(async () => {
    await settings().update('maxReplyBytes', undefined, vscode.ConfigurationTarget.Global);
    await removeProfiles(container, created);
    await srv?.stop();
  });

  it('a reply over the configured cap closes the session with PROTOCOL_ERROR naming the cap', async () => {
    const direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    try {
      await direct.send(['SET', 'big', Buffer.alloc(100 * 1024, 0x61)]);
    } finally {
      await direct.close();
    }
    await settings().update('maxReplyBytes', 65536, vscode.ConfigurationTarget.Global);
    assert.equal(container.config.maxReplyBytes, 65536);
    const result = await addProfile(container, {
      name: 'cap lab',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.rootCa.certPath,
    });
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
    const session = await container.sessions.connect(result.profileId!);
    assert.equal(String(await session.client.send(['STRLEN', 'big'])), String(100 * 1024));
    await assert.rejects(session.client.send(['GET', 'big']), (e: unknown) => {
      // The session's error comes from the extension's bundle (its own DiagnosedError class): read it by shape.
      const problem = (e as { problem?: { code: string; detail: string } }).problem;
      assert.ok(problem, String(e));
      assert.equal(problem.code, 'PROTOCOL_ERROR');
      assert.match(problem.detail, /65536-byte cap/);
      return true;
    });
  });
});
