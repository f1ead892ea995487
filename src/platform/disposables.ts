import * as vscode from 'vscode';

/**
 * Owns a list of disposables and disposes them once, newest first. Registering on an owner that is
 * already disposed disposes the newcomer at once, so nothing leaks after deactivation.
 */
export class DisposableStore implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) {
      item.dispose();
    } else {
      this.items.push(item);
    }
    return item;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch {
        // one failing disposable must not keep the others alive
      }
    }
  }
}
