// Runs inside the real VS Code extension host (vscode-host layer).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RedisTlsExplorerApi } from '../../src/extension';
import { EXTENSION_ID } from './helpers';

describe('activation', () => {
  it('the extension under development is installed', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} not found among ${vscode.extensions.all.length} extensions`);
    assert.equal(ext.packageJSON.displayName, 'Redis TLS Explorer');
  });

  it('activates and returns its API with the container', async () => {
    const ext = vscode.extensions.getExtension<RedisTlsExplorerApi>(EXTENSION_ID);
    assert.ok(ext);
    const api = await ext.activate();
    assert.equal(ext.isActive, true);
    assert.ok(api.container, 'activate() must return { container }');
    assert.equal(typeof api.container.own, 'function');
  });

  it('registers the Redis TLS commands', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const id of ['redisTls.addConnection', 'redisTls.refresh', 'redisTls.showLog']) {
      assert.ok(commands.has(id), `command ${id} is not registered`);
    }
  });

  it('runs redisTls.showLog without error', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    await vscode.commands.executeCommand('redisTls.showLog');
  });
});
