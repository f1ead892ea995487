/**
 * Registers the connection commands: each command id maps to its handler over the connection
 * service (profileCommands.ts, importCommands.ts, useCaCommand.ts, sessionCommands.ts).
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { completeWalkthroughStep } from '../platform/walkthrough';
import { ConnectionStatusBar } from '../sessions/statusBar';
import { USE_CA_COMMAND } from '../webviews/certPanel';
import { ConnectionService } from './connectionService';
import { importConnection, type ImportArgument } from './importCommands';
import * as profile from './profileCommands';
import * as session from './sessionCommands';
import { useCaInProfile } from './useCaCommand';

export type { SaveResult, TestResult } from './connectionService';

export function registerConnections(container: Container): ConnectionService {
  const { profiles, sessions, log, config, ui } = container;
  const svc = new ConnectionService({ profiles, sessions, log, config, ui });
  const statusBar = container.own(new ConnectionStatusBar(sessions, config));
  // Each handler gets the service first, then its command's arguments as VS Code passes them.
  const on =
    <A extends unknown[], R>(handler: (service: ConnectionService, ...args: A) => R) =>
    (...args: A): R =>
      handler(svc, ...args);
  const handlers: Record<string, (...args: never[]) => unknown> = {
    'redisTls.addConnection': on(profile.addConnection),
    'redisTls.importConnection': on((s, arg?: ImportArgument) => importConnection(s, 'any', arg)),
    'redisTls.importFromUrl': on((s, arg?: ImportArgument) => importConnection(s, 'url', arg)),
    'redisTls.importFromRedisCli': on((s, arg?: ImportArgument) => importConnection(s, 'cli', arg)),
    'redisTls.editConnection': on(profile.editConnection),
    'redisTls.duplicateConnection': on(profile.duplicateConnection),
    'redisTls.renameConnection': on(profile.renameConnection),
    'redisTls.removeConnection': on(profile.removeConnection),
    'redisTls.forgetSecrets': on(profile.forgetSecrets),
    'redisTls.copyAsRedisCli': on(profile.copyAsRedisCli),
    'redisTls.openWorkspaceProfiles': on(profile.openWorkspaceProfiles),
    [USE_CA_COMMAND]: on(useCaInProfile),
    'redisTls.connect': on(session.connect),
    'redisTls.disconnect': on(session.disconnect),
    'redisTls.testConnection': on(session.testConnection),
    'redisTls.showConnectionDetails': on(session.showConnectionDetails),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    container.own(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
  }
  // The walkthrough: a connection made completes "Add a connection (or open the demo)"; one that had
  // failed in this window and connects later completes "Fix a broken connection".
  container.own(
    sessions.onDidChangeState((profileId) => {
      const kind = sessions.state(profileId).kind;
      if (kind === 'failed') svc.failedBefore.add(profileId);
      else if (kind === 'connected') {
        completeWalkthroughStep('connect');
        if (svc.failedBefore.has(profileId)) completeWalkthroughStep('fix');
      }
    }),
  );
  // Diagnostics of linked files refresh when they change: the next connection reads them again.
  container.own(
    sessions.onDidChangeLinkedFile(({ profileId }) => {
      if (sessions.state(profileId).kind === 'connected') statusBar.update();
    }),
  );
  return svc;
}
