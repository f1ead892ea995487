/**
 * The Redis command terminal: a VS Code Pseudoterminal running the core REPL (src/core/terminal) over
 * the profile's own verified connection. One terminal per profile; its history is kept per profile in
 * globalState (filtered: no AUTH, HELLO ... AUTH, ACL SETUSER passwords, CONFIG SET requirepass).
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { isDiagnosedError } from '../core/diagnosis/problem';
import { isUnverified } from '../core/profiles/draft';
import { isReadOnlyProfile, type Profile } from '../core/profiles/profile';
import { History } from '../core/terminal/history';
import { problemText, Repl, terminalText } from '../core/terminal/repl';
import { TerminalSession } from '../core/terminal/session';
import type { UserInput } from '../platform/userInput';

const HISTORY_KEY = 'redisTls.terminalHistory';

/** The terminal's title: the profile, and whether it is unverified or read-only (readOnly, or a production profile). */
export function terminalTitle(p: Profile): string {
  const marks = [isUnverified(p) ? 'UNVERIFIED' : '', isReadOnlyProfile(p) ? 'read-only' : ''].filter(Boolean);
  return `Redis: ${p.name}${marks.length ? ` (${marks.join(', ')})` : ''}`;
}

class RedisPseudoterminal implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  readonly repl: Repl;
  private opened: Promise<void> | undefined;
  private resolveOpened: (() => void) | undefined;
  private disposed = false;

  constructor(profile: Profile, session: TerminalSession, history: History, onHistory: (lines: readonly string[]) => void, ui: UserInput) {
    this.opened = new Promise((r) => {
      this.resolveOpened = r;
    });
    this.repl = new Repl({
      session,
      name: profile.name,
      history,
      onHistory,
      io: {
        write: (text) => this.writeEmitter.fire(text),
        confirm: async (question) => {
          const run = 'Run';
          return (await ui.showWarningMessage(question, { modal: true }, run)) === run;
        },
        exit: () => this.closeEmitter.fire(0),
      },
    });
  }

  /** Resolves once VS Code opened the terminal and the REPL connected and showed its prompt. */
  get ready(): Promise<void> {
    return this.opened ?? Promise.resolve();
  }

  open(): void {
    void this.repl.start().then(() => this.resolveOpened?.());
  }

  handleInput(data: string): void {
    this.repl.handleInput(data);
  }

  close(): void {
    this.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.repl.dispose();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}

interface OpenTerminal {
  terminal: vscode.Terminal;
  pty: RedisPseudoterminal;
}

/** Owns the Redis terminals (one per profile) and what they need from the container. */
export class RedisTerminals implements vscode.Disposable {
  private readonly open = new Map<string, OpenTerminal>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly container: Container) {
    this.subscription = vscode.window.onDidCloseTerminal((t) => {
      for (const [id, o] of this.open) {
        if (o.terminal === t) {
          this.open.delete(id);
          o.pty.dispose();
        }
      }
    });
  }

  private history(profileId: string): History {
    const all = this.container.context.globalState.get<Record<string, string[]>>(HISTORY_KEY) ?? {};
    return new History(all[profileId] ?? []);
  }

  private saveHistory(profileId: string, lines: readonly string[]): void {
    const all = { ...(this.container.context.globalState.get<Record<string, string[]>>(HISTORY_KEY) ?? {}) };
    all[profileId] = [...lines];
    void this.container.context.globalState.update(HISTORY_KEY, all);
  }

  /**
   * Opens (or shows) the terminal of a profile. It connects through the session manager first, so
   * secrets are asked for and the server verified exactly as for browsing; the terminal then opens
   * its own connection with the same options (SELECT or MULTI there never disturb the tree).
   */
  async show(profile: Profile, preserveFocus = false): Promise<OpenTerminal | undefined> {
    const existing = this.open.get(profile.id);
    if (existing) {
      existing.terminal.show(preserveFocus);
      return existing;
    }
    const { sessions } = this.container;
    try {
      await sessions.connect(profile.id);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return undefined;
      if (isDiagnosedError(e)) {
        void vscode.window.showErrorMessage(`${profile.name}: ${e.problem.code}: ${e.problem.title}`);
        this.container.log.warn(terminalText(Buffer.from(problemText(e.problem))));
        return undefined;
      }
      throw e;
    }
    const options = await sessions.resolveOptions(profile, false);
    options.clientName = 'redis-tls-explorer-terminal';
    const session = new TerminalSession({ options });
    const pty = new RedisPseudoterminal(
      profile,
      session,
      this.history(profile.id),
      (lines) => this.saveHistory(profile.id, lines),
      this.container.ui,
    );
    const terminal = vscode.window.createTerminal({ name: terminalTitle(profile), pty, iconPath: new vscode.ThemeIcon('database') });
    const entry = { terminal, pty };
    this.open.set(profile.id, entry);
    terminal.show(preserveFocus);
    return entry;
  }

  /** Runs lines in the profile's terminal (opening it), one after the other, as if typed. */
  async run(profile: Profile, lines: readonly string[]): Promise<void> {
    const entry = await this.show(profile, true);
    if (!entry) return;
    await entry.pty.ready;
    for (const line of lines) await entry.pty.repl.runLine(line);
  }

  /** The terminal of a profile, if open (for tests and the .redis file commands). */
  terminalOf(profileId: string): vscode.Terminal | undefined {
    return this.open.get(profileId)?.terminal;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const o of this.open.values()) {
      o.pty.dispose();
      o.terminal.dispose();
    }
    this.open.clear();
  }
}
