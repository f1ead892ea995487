import * as vscode from 'vscode';
import { registerCertificates } from './commands/certificates';
import { registerConnections } from './commands/connections';
import { DisposableStore } from './platform/disposables';
import { Logger } from './platform/logger';
import { ProfileStore } from './platform/profileStore';
import { SecretStore } from './platform/secretStore';
import { SessionManager } from './platform/sessions';
import { registerKeyBrowser } from './views/keyBrowser';
import { registerServerConf } from './serverConf';
import type { RedisConfEditor } from './serverConf/redisConfEditor';

/**
 * The composition root: builds every service once, in dependency order, and owns their disposables.
 * Feature modules receive the container and register their commands, views and providers on it.
 */
export class Container implements vscode.Disposable {
  readonly disposables = new DisposableStore();
  readonly log: Logger;
  /** Connection profiles (non-secret fields) and their secrets (connection manager). */
  readonly secrets: SecretStore;
  readonly profiles: ProfileStore;
  /** Live connections, one per profile. */
  readonly sessions: SessionManager;
  /** redis.conf diagnostics, hovers, completion (issue #14). */
  readonly redisConf: RedisConfEditor;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.disposables.add(new Logger());
    this.disposables.add(vscode.commands.registerCommand('redisTls.showLog', () => this.log.show()));
    this.secrets = new SecretStore(context.secrets);
    this.profiles = this.own(new ProfileStore(context.globalState, this.secrets, this.log));
    this.sessions = this.own(new SessionManager(this.profiles, this.secrets, this.log, context.globalState));
    void this.profiles.ready();
    registerConnections(this);
    registerKeyBrowser(this);
    registerCertificates(this);
    this.redisConf = registerServerConf(this);
  }

  /** Registers a disposable for the extension's lifetime. */
  own<T extends vscode.Disposable>(item: T): T {
    return this.disposables.add(item);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
