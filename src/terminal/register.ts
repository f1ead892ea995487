/**
 * Terminal commands and `.redis` files: "Open Terminal" (tree context menu, palette), a "Run" CodeLens
 * per command line of a `.redis` file, "Run Selection", and the connection a file runs on (asked
 * once per file, changeable). Results appear in that connection's terminal.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { describeEndpoint } from '../core/profiles/draft';
import type { Profile } from '../core/profiles/profile';
import { targetId, type Target } from '../commands/target';
import { RedisTerminals } from './redisTerminal';

/** The command lines of a text: blank lines and `#` comment lines are skipped. */
export function commandLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  text.split(/\r?\n/).forEach((t, line) => {
    const trimmed = t.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) out.push({ line, text: trimmed });
  });
  return out;
}

class RedisFileLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly connectionName: (uri: vscode.Uri) => string | undefined) {}

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    const name = this.connectionName(doc.uri);
    lenses.push(
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: name ? `Connection: ${name} (change)` : 'Choose Connection',
        command: 'redisTls.terminal.chooseConnection',
        arguments: [doc.uri],
      }),
    );
    for (const { line } of commandLines(doc.getText())) {
      lenses.push(
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
          title: '$(play) Run',
          command: 'redisTls.terminal.runLine',
          arguments: [doc.uri, line],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function registerTerminal(container: Container): void {
  const { profiles } = container;
  const terminals = container.own(new RedisTerminals(container));
  /** The profile each .redis document runs on (for this window's lifetime). */
  const fileProfile = new Map<string, string>();
  const lenses = container.own(
    new RedisFileLenses((uri) => {
      const id = fileProfile.get(uri.toString());
      return id ? profiles.get(id)?.name : undefined;
    }),
  );
  const register = (id: string, fn: (...args: never[]) => unknown): void => {
    container.own(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  };

  async function pick(placeHolder: string): Promise<Profile | undefined> {
    const items = profiles.list().map((p) => ({ label: p.name, description: describeEndpoint(p), profile: p }));
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No Redis connections yet: add one first.');
      return undefined;
    }
    return (await container.ui.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.profile;
  }

  async function profileFor(arg: Target, placeHolder: string): Promise<Profile | undefined> {
    const id = targetId(arg);
    if (id === undefined) return pick(placeHolder);
    const p = profiles.get(id);
    if (!p) throw new Error(`No connection profile with id ${id}`);
    return p;
  }

  async function fileConnection(uri: vscode.Uri, profileId?: string): Promise<Profile | undefined> {
    const key = uri.toString();
    const id = profileId ?? fileProfile.get(key);
    let p = id ? profiles.get(id) : undefined;
    p ??= await pick("Run this file's commands on which connection?");
    if (p) {
      fileProfile.set(key, p.id);
      lenses.refresh();
    }
    return p;
  }

  register('redisTls.openTerminal', async (arg?: Target) => {
    const p = await profileFor(arg, 'Open a Redis terminal on which connection?');
    if (p) await terminals.show(p);
  });

  register('redisTls.terminal.chooseConnection', async (uri?: vscode.Uri, profileId?: string) => {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target) return;
    if (!profileId) fileProfile.delete(target.toString());
    await fileConnection(target, profileId);
  });

  register('redisTls.terminal.runLine', async (uri?: vscode.Uri, line?: number, profileId?: string) => {
    const editor = vscode.window.activeTextEditor;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!doc) return;
    const at = line ?? editor?.selection.active.line ?? 0;
    const found = commandLines(doc.lineAt(at).text)[0];
    if (!found) return;
    const p = await fileConnection(doc.uri, profileId);
    if (p) await terminals.run(p, [found.text]);
  });

  register('redisTls.terminal.runSelection', async (profileId?: string) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const doc = editor.document;
    const text = editor.selections.every((s) => s.isEmpty)
      ? doc.lineAt(editor.selection.active.line).text
      : editor.selections
          .map((s) => doc.getText(new vscode.Range(s.start.line, 0, s.end.line, doc.lineAt(s.end.line).text.length)))
          .join('\n');
    const lines = commandLines(text).map((l) => l.text);
    if (lines.length === 0) return;
    const p = await fileConnection(doc.uri, profileId);
    if (p) await terminals.run(p, lines);
  });

  container.own(vscode.languages.registerCodeLensProvider({ language: 'redis' }, lenses));
  container.own(vscode.workspace.onDidCloseTextDocument((d) => fileProfile.delete(d.uri.toString())));
}
