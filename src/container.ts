import * as vscode from 'vscode';
import { DisposableStore } from './platform/disposables';
import { Logger } from './platform/logger';

/**
 * The composition root: builds every service once, in dependency order, and owns their disposables.
 * Feature modules receive the container and register their commands, views and providers on it.
 */
export class Container implements vscode.Disposable {
  readonly disposables = new DisposableStore();
  readonly log: Logger;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = this.disposables.add(new Logger());
    this.disposables.add(vscode.commands.registerCommand('redisTls.showLog', () => this.log.show()));
  }

  /** Registers a disposable for the extension's lifetime. */
  own<T extends vscode.Disposable>(item: T): T {
    return this.disposables.add(item);
  }

  dispose(): void {
    this.disposables.dispose();
  }
}
