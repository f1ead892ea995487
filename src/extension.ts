import 'reflect-metadata';
import * as vscode from 'vscode';
import { Container } from './container';

/** The API returned from activate(); used by the in-host tests. */
export interface RedisTlsExplorerApi {
  readonly container: Container;
}

export function activate(context: vscode.ExtensionContext): RedisTlsExplorerApi {
  const container = new Container(context);
  context.subscriptions.push(container);
  container.log.info(`Redis TLS Explorer ${String(context.extension.packageJSON.version)} activated`);
  return { container };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions through the container.
}
