import * as vscode from 'vscode';
import { escapeMarkdownText } from './markdownText';

/**
 * A MarkdownString for tooltips and hovers with server- or file-supplied text: untrusted (no command
 * links), no HTML, and `appendText` that keeps spaces breakable (see markdownText.ts).
 */
export class PlainMarkdown extends vscode.MarkdownString {
  constructor() {
    super(undefined, false);
    this.isTrusted = false;
    this.supportHtml = false;
  }

  override appendText(value: string): this {
    this.appendMarkdown(escapeMarkdownText(value));
    return this;
  }
}
