import * as vscode from 'vscode';

/** The extension's output channel. Never log secrets: callers pass facts, not option objects. */
export class Logger implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  constructor(name = 'Redis TLS Explorer') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }
  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  error(message: string): void {
    this.channel.error(message);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
