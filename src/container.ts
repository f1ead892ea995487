import * as vscode from 'vscode';
import { registerCertificates } from './commands/certificates';
import { registerConnections } from './commands/connections';
import type { ConnectionService } from './commands/connectionService';
import { registerKeyCommands } from './commands/keys';
import { registerEditKeyCommands } from './commands/editKeys';
import { registerClusterNodeCommands } from './commands/clusterNodes';
import { Config } from './platform/config';
import { DisposableStore } from './platform/disposables';
import { Logger } from './platform/logger';
import { ProfileStore } from './platform/profileStore';
import { SecretStore } from './platform/secretStore';
import { UserInputRouter } from './platform/userInput';
import { registerServerConf } from './serverConf';
import type { RedisConfEditor } from './serverConf/redisConfEditor';
import { SessionManager } from './sessions/sessionManager';
import { registerKeyBrowser, type KeyBrowser } from './views/keyBrowser';
import { registerTerminal } from './terminal/register';

/**
 * The composition root: builds every service once, in dependency order, and owns their disposables.
 * Feature modules receive the container and register their commands, views and providers on it.
 */
export class Container implements vscode.Disposable {
  readonly disposables = new DisposableStore();
  readonly log: Logger;
  /** Every `redisTls.*` setting, typed. */
  readonly config = new Config();
  /** Every prompt; the in-host tests route it to a scripted input with `ui.use()`. */
  readonly ui = new UserInputRouter();
  /** Connection profiles and their secrets: the one store that writes, prunes and deletes them. */
  readonly profiles: ProfileStore;
  /** Live connections, one per profile. */
  readonly sessions: SessionManager;
  /** Adding, saving, checking and removing profiles: what the connection commands run over. */
  readonly connections: ConnectionService;
  /** The Connections view and the value documents. */
  readonly keyBrowser: KeyBrowser;
  /** redis.conf diagnostics, hovers, completion (issue #14). */
  readonly redisConf: RedisConfEditor;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.disposables.add(new Logger());
    this.disposables.add(vscode.commands.registerCommand('redisTls.showLog', () => this.log.show()));
    this.profiles = this.own(new ProfileStore(context.globalState, new SecretStore(context.secrets), this.log));
    this.sessions = this.own(new SessionManager(this.profiles, this.log, context.globalState, this.config, this.ui));
    void this.profiles.ready();
    this.connections = registerConnections(this);
    this.keyBrowser = registerKeyBrowser(this);
    this.own(this.keyBrowser.provider.trackGroupExpansion(this.keyBrowser.view, context.globalState));
    for (const d of registerKeyCommands({
      provider: this.keyBrowser.provider,
      fs: this.keyBrowser.fs,
      log: this.log,
      ui: this.ui,
      selection: () => this.keyBrowser.view.selection,
    }))
      this.own(d);
    for (const d of registerEditKeyCommands({ provider: this.keyBrowser.provider, input: this.ui, log: this.log })) this.own(d);
    for (const d of registerClusterNodeCommands(this.keyBrowser.provider, this.log)) this.own(d);
    registerCertificates(this);
    registerTerminal(this);
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
