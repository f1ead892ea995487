import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

/** A fresh nonce per page load: the only way a script may run in our webviews. */
export function makeNonce(): string {
  return crypto.randomBytes(18).toString('base64');
}

/** The Content-Security-Policy of every panel: nothing by default, our script by nonce, our CSS. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Where the build puts the webview scripts (scripts/build.mjs); a panel's localResourceRoots include it. */
export const WEBVIEW_SCRIPT_DIR = ['dist', 'webview'] as const;

export interface PageOptions {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  /** The bundled script, under dist/webview/ (e.g. 'certPanel.js'; built from src/webviews/panel/). */
  script: string;
  /** The style sheet, under media/. */
  style: string;
  /** Static page title (our text, never server data). */
  title: string;
  nonce?: string;
}

/**
 * The HTML shell. It contains no data at all: the script asks for it with a `ready` message and
 * renders it with textContent, so nothing server-derived is ever parsed as HTML.
 */
export function buildPage(o: PageOptions): string {
  const nonce = o.nonce ?? makeNonce();
  const scriptUri = o.webview.asWebviewUri(vscode.Uri.joinPath(o.extensionUri, ...WEBVIEW_SCRIPT_DIR, o.script));
  const styleUri = o.webview.asWebviewUri(vscode.Uri.joinPath(o.extensionUri, 'media', o.style));
  const title = o.title.replace(/[<>&"']/g, '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(o.webview.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri.toString()}">
<title>${title}</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="status" id="status">Loading…</p></main>
<script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
