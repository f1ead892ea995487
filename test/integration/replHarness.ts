/**
 * The terminal REPL driven from tests: a Repl on its own TerminalSession whose IO collects the text it
 * writes (the same code the VS Code terminal and `redis-tls cli` run; only the window is left out).
 */
import type { ConnectionOptions } from '../../src/core/endpoint/options';
import type { OutputFormat } from '../../src/core/terminal/format';
import { Repl, type ReplOptions } from '../../src/core/terminal/repl';
import { TerminalSession } from '../../src/core/terminal/session';

/** Terminal text as it shows: without ANSI sequences, "\r\n" as "\n", a "\r" overwriting its line. */
export function plain(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
      .replace(/\r+\n/g, '\n')
      .split('\n')
      .map((l) => l.slice(l.lastIndexOf('\r') + 1))
      .join('\n')
  );
}

/** A REPL on its own session whose output is collected; `type` runs lines as if typed. */
export class TypedRepl {
  out = '';
  exited = false;
  readonly session: TerminalSession;
  readonly repl: Repl;
  constructor(
    options: ConnectionOptions,
    name: string,
    format?: OutputFormat,
    more: Partial<ReplOptions> = {},
    confirm: (question: string) => Promise<boolean> = () => Promise.resolve(true),
  ) {
    this.session = new TerminalSession({ options });
    this.repl = new Repl({
      ...more,
      session: this.session,
      name,
      ...(format ? { format } : {}),
      io: {
        write: (t) => {
          this.out += t;
        },
        confirm,
        exit: () => {
          this.exited = true;
        },
      },
    });
  }
  async start(): Promise<void> {
    await this.repl.start();
  }
  /** Runs the lines one after the other and returns what they printed (without prompts' ANSI). */
  async type(...lines: string[]): Promise<string> {
    const from = this.out.length;
    for (const l of lines) await this.repl.runLine(l);
    // Without the fresh prompt that follows.
    return plain(this.out.slice(from)).replace(/[^\n]*$/, '');
  }
  dispose(): void {
    this.repl.dispose();
  }
}

/** Polls a condition on the event loop (no fixed sleep); fails after 10 s. */
export async function waitUntil(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met within 10 s');
    await new Promise((res) => setTimeout(res, 10));
  }
}
