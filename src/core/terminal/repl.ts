/**
 * The interactive loop shared by the VS Code terminal and `redis-tls cli` on a terminal: prompt,
 * line editing, history, Tab completion, inline hints, ask-first commands, streaming commands until
 * Ctrl+C, and reconnect-on-next-command after a drop (printing its diagnosis). It reads keys and
 * writes ANSI text through a small IO interface; it owns no socket or window.
 */
import { isDiagnosedError, type Problem } from '../diagnosis/problem';
import type { Reply } from '../resp/replyTypes';
import { INVALID_REPEAT, quoteArg, repeatPrefix, splitArgs } from './args';
import { askFirst, CommandCatalog, isStreaming, parseCommandDocs } from './commands';
import { formatCommandReply, formatReply, type OutputFormat } from './format';
import { History } from './history';
import { LineEditor } from './lineEditor';
import type { TypedReply } from './resp';
import type { NodeAddress, TerminalSession } from './session';

export interface ReplIO {
  /** Writes terminal text ("\r\n" line ends, ANSI sequences). */
  write(text: string): void;
  /** Asks before an ask-first command; the question names the command and the connection. */
  confirm(question: string): Promise<boolean>;
  /** The user typed quit/exit or Ctrl+D on an empty line. */
  exit(): void;
}

export interface ReplOptions {
  session: TerminalSession;
  io: ReplIO;
  /** The connection's name, used in confirmations. */
  name: string;
  history?: History;
  /** Called after a line was added to the history (to persist it). */
  onHistory?: (lines: readonly string[]) => void;
  /** Keys fetched per Tab on a key (SCAN MATCH prefix*, COUNT 1000, at most this many keys). Default 100. */
  maxKeyCompletions?: number;
  /** How replies print: redis-cli's TTY format (default) or its raw format (`redis-tls cli --raw`). */
  format?: OutputFormat;
}

/**
 * Server-supplied bytes on their way to a terminal: text stays text, but control characters (other than
 * the line feed) are shown as \xNN so a reply cannot drive the terminal.
 */
export function terminalText(bytes: Buffer): string {
  return (
    bytes
      .toString('utf8')
      // CRLF (INFO's line ends) is a line break; a lone CR could overwrite what was printed.
      .replace(/\r\n/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .replace(/\n/g, '\r\n')
  );
}

/** A diagnosis as the CLI prints it (doctor's problem lines). */
export function problemText(p: Problem): string {
  return `PROBLEM ${p.code}: ${p.title}\n  ${p.detail}\nFix: ${p.fix}\n`;
}

function globEscape(prefix: Buffer): Buffer {
  const out: number[] = [];
  for (const b of prefix) {
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5d || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return Buffer.from(out);
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return '';
  let p = words[0] as string;
  for (const w of words) while (!w.toUpperCase().startsWith(p.toUpperCase())) p = p.slice(0, -1);
  return p;
}

/** What follows the first line break of a chunk of input. */
function afterFirstLineBreak(data: string): string {
  const m = /\r\n|\r|\n/.exec(data);
  return m ? data.slice(m.index + m[0].length) : '';
}

/** Parses `NODE host:port` at the start of a line. */
function nodePrefix(args: Buffer[]): { node: NodeAddress | undefined; rest: Buffer[] } | undefined {
  if (args[0]?.toString('latin1').toUpperCase() !== 'NODE') return { node: undefined, rest: args };
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(args[1]?.toString('latin1') ?? '');
  if (!m) return undefined;
  return { node: { host: m[1] as string, port: Number(m[2]) }, rest: args.slice(2) };
}

export class Repl {
  private readonly session: TerminalSession;
  private readonly io: ReplIO;
  private readonly history: History;
  private readonly editor: LineEditor;
  private catalog = new CommandCatalog([]);
  private busy = false;
  /** Input typed while a command runs, replayed when the prompt returns. */
  private queued = '';
  private streamAbort: AbortController | undefined;
  private cancelCurrent: (() => void) | undefined;
  private disposed = false;
  private readonly afterBusy: Array<() => void> = [];

  constructor(private readonly opts: ReplOptions) {
    this.session = opts.session;
    this.io = opts.io;
    this.history = opts.history ?? new History();
    this.editor = new LineEditor(this.history);
    this.session.onPush = (reply) => {
      if (this.disposed) return;
      this.io.write(`\r\x1b[K${terminalText(formatReply(reply, this.opts.format ?? 'tty'))}`);
      this.redraw();
    };
    this.session.onDrop((err) => {
      if (this.busy || this.disposed) return;
      this.io.write(
        `\r\x1b[K${this.text(err ? problemText(err.problem) : 'The server closed the connection.\n')}The next command reconnects.\r\n`,
      );
      this.redraw();
    });
  }

  private text(s: string): string {
    return terminalText(Buffer.from(s, 'utf8'));
  }

  private get prompt(): string {
    return this.session.connected ? this.session.prompt : 'not connected> ';
  }

  /** Connects, reads the command catalogue for completion and hints, and shows the prompt. */
  async start(): Promise<void> {
    this.busy = true;
    try {
      await this.session.connect();
      await this.loadCatalog();
    } catch (e) {
      this.printFailure(e);
    }
    this.idle();
  }

  private async loadCatalog(): Promise<void> {
    if (this.catalog.size > 0) return;
    try {
      this.catalog = new CommandCatalog(parseCommandDocs(await this.session.send(['COMMAND', 'DOCS'])));
    } catch (e) {
      if (isDiagnosedError(e) && !this.session.connected) throw e;
      // An old server or an ACL without COMMAND: no completion of names, no hints.
    }
  }

  private hint(): string {
    return this.editor.cursor === [...this.editor.line].length ? this.catalog.hint(this.editor.line) : '';
  }

  private redraw(): void {
    if (this.busy || this.disposed) return;
    this.io.write(this.editor.render(this.prompt, this.hint()));
  }

  /** Keys and pasted text from the terminal. */
  handleInput(data: string): void {
    if (this.disposed) return;
    if (this.busy) {
      if (data.includes('\x03')) {
        this.queued = '';
        this.interrupt();
      } else {
        this.queued += data;
      }
      return;
    }
    const events = this.editor.feed(data);
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (!ev) continue;
      switch (ev.kind) {
        case 'changed':
          this.redraw();
          break;
        case 'clear':
          this.io.write('\x1b[H\x1b[2J');
          this.redraw();
          break;
        case 'interrupt':
          this.io.write(`${this.editor.render(this.prompt)}^C\r\n`);
          this.redraw();
          break;
        case 'eof':
          this.io.write('\r\n');
          this.io.exit();
          return;
        case 'complete':
          void this.complete();
          return;
        case 'submit': {
          // Later keys of the same chunk (a paste) wait for this line to finish.
          const rest = events.length > i + 1 ? afterFirstLineBreak(data) : '';
          this.queued = rest + this.queued;
          this.editor.setLine('');
          void this.submit(ev.line);
          return;
        }
      }
    }
  }

  private drainQueued(): void {
    if (this.busy || !this.queued) return;
    const q = this.queued;
    this.queued = '';
    this.handleInput(q);
  }

  private interrupt(): void {
    if (this.streamAbort) {
      this.streamAbort.abort();
      return;
    }
    this.cancelCurrent?.();
  }

  /** Runs a line as if typed (the editor's "Run" CodeLens), after the command running now. */
  async runLine(line: string): Promise<void> {
    while (this.busy)
      await new Promise<void>((r) => {
        this.afterBusy.push(r);
      });
    if (this.disposed) return;
    await this.submit(line);
  }

  /** The prompt is back: wake runLine callers, then replay typed-ahead input. */
  private idle(): void {
    this.busy = false;
    if (this.disposed) return;
    this.redraw();
    for (const r of this.afterBusy.splice(0)) r();
    this.drainQueued();
  }

  private async submit(line: string): Promise<void> {
    this.busy = true;
    this.io.write(`${this.editor.render(this.prompt)}${this.text(line)}\r\n`);
    try {
      await this.execLine(line);
    } finally {
      this.cancelCurrent = undefined;
      this.streamAbort = undefined;
      this.idle();
    }
  }

  private async execLine(line: string): Promise<void> {
    if (this.history.add(line)) this.opts.onHistory?.(this.history.lines);
    const parsed = splitArgs(line);
    if (parsed === undefined) {
      this.io.write('Invalid argument(s)\r\n');
      return;
    }
    if (parsed.length === 0) return;
    // redis-cli's repeat prefix: `3 PING` runs PING three times.
    const repeat = repeatPrefix(parsed);
    if (repeat === 'invalid') {
      this.io.write(`${INVALID_REPEAT}\r\n`);
      return;
    }
    const np = nodePrefix(repeat.rest);
    if (!np) {
      this.io.write('(error) NODE needs host:port, e.g. NODE 10.0.0.5:6379 GET key\r\n');
      return;
    }
    const { node, rest: args } = np;
    const name = args[0]?.toString('latin1').toLowerCase() ?? '';
    if (args.length === 0) {
      // `NODE host:port` alone: keyless commands go there from now on.
      if (node)
        await this.run(async () => {
          await this.session.execute([Buffer.from('PING')], { node });
          this.session.node = node;
        });
      return;
    }
    if (args.length === 1 && (name === 'quit' || name === 'exit')) {
      this.io.exit();
      return;
    }
    if (args.length === 1 && name === 'clear') {
      this.io.write('\x1b[H\x1b[2J');
      return;
    }
    const refusal = this.session.helloRefusal(args);
    if (refusal) {
      this.io.write(`(error) ${refusal}\r\n`);
      return;
    }
    const confirm = askFirst(args);
    if (confirm && !(await this.io.confirm(`Run ${confirm} on "${this.opts.name}"?`))) {
      this.io.write(`(cancelled) ${confirm} was not sent.\r\n`);
      return;
    }
    for (let i = 0; i < repeat.count && !this.disposed; i++) {
      if (isStreaming(args)) {
        await this.stream(args, node);
        return;
      }
      const ok = await this.run(async () => {
        const reply = await this.session.execute(args, node ? { node } : {});
        this.printReply(reply, args);
      });
      if (!ok) return;
    }
  }

  /**
   * Runs a command body; Ctrl+C drops the connection (the next command reconnects), a failure prints its
   * diagnosis. False when it was cancelled or failed (a repeated command stops there).
   */
  private async run(body: () => Promise<void>): Promise<boolean> {
    let cancelled = false;
    const cancelled$ = new Promise<void>((resolve) => {
      this.cancelCurrent = () => {
        cancelled = true;
        this.session.abortCurrent();
        resolve();
      };
    });
    let ok = true;
    try {
      await Promise.race([body(), cancelled$]);
    } catch (e) {
      ok = false;
      if (!cancelled) this.printFailure(e);
    }
    if (cancelled) this.io.write('^C (the command was cancelled; the connection is reopened for the next one)\r\n');
    return ok && !cancelled;
  }

  private async stream(args: Buffer[], node: NodeAddress | undefined): Promise<void> {
    const abort = new AbortController();
    this.streamAbort = abort;
    const name = args[0]?.toString('latin1').toUpperCase() ?? '';
    if (name !== 'MONITOR') this.io.write('Reading messages... (press Ctrl-C to quit)\r\n');
    try {
      await this.session.stream(args, (reply) => this.printReply(reply), abort.signal, node);
      if (abort.signal.aborted) this.io.write('^C\r\n');
    } catch (e) {
      this.printFailure(e);
    }
  }

  /** A reply as redis-cli prints it (`args`: the command it answers, when it is not a streamed message). */
  printReply(reply: TypedReply, args?: readonly Buffer[]): void {
    const format = this.opts.format ?? 'tty';
    this.io.write(terminalText(args ? formatCommandReply(args, reply, format) : formatReply(reply, format)));
  }

  private printFailure(e: unknown): void {
    if (isDiagnosedError(e)) this.io.write(this.text(problemText(e.problem)));
    else this.io.write(this.text(`(error) ${e instanceof Error ? e.message : String(e)}\n`));
  }

  private async complete(): Promise<void> {
    const before = this.editor.beforeCursor;
    const after = this.editor.line.slice(before.length);
    const m = /(\S*)$/.exec(before);
    const word = m ? (m[1] as string) : '';
    const head = before.slice(0, before.length - word.length);
    let candidates: string[];
    if (head.trim() === '') {
      candidates = this.catalog.namesStartingWith(word).map((n) => n.split(' ')[0] as string);
      candidates = [...new Set(candidates)];
    } else {
      this.busy = true;
      try {
        candidates = await this.completeKeys(word);
      } catch {
        candidates = [];
      }
      this.busy = false;
    }
    if (candidates.length === 1) {
      const c = candidates[0] as string;
      this.editor.setLine(`${head}${c} ${after}`, [...`${head}${c} `].length);
    } else if (candidates.length > 1) {
      const prefix = commonPrefix(candidates);
      if (prefix.length > word.length) {
        this.editor.setLine(`${head}${prefix}${after}`, [...`${head}${prefix}`].length);
      } else {
        this.io.write(`\r\n${this.text(candidates.slice(0, 100).join('  '))}${candidates.length > 100 ? ' ...' : ''}\r\n`);
      }
    }
    this.idle();
  }

  /** Key names starting with the typed prefix: SCAN MATCH prefix* (bounded pages and keys). */
  private async completeKeys(typed: string): Promise<string[]> {
    const prefix = splitArgs(typed)?.[0] ?? Buffer.alloc(0);
    const max = this.opts.maxKeyCompletions ?? 100;
    const match = Buffer.concat([globEscape(prefix), Buffer.from('*')]);
    const found = new Set<string>();
    let cursor = '0';
    for (let page = 0; page < 10 && found.size < max; page++) {
      const reply: Reply = await this.session.send(['SCAN', cursor, 'MATCH', match, 'COUNT', 1000]);
      if (!Array.isArray(reply) || !Buffer.isBuffer(reply[0]) || !Array.isArray(reply[1])) break;
      for (const k of reply[1]) if (Buffer.isBuffer(k) && found.size < max) found.add(quoteArg(k));
      cursor = reply[0].toString('latin1');
      if (cursor === '0') break;
    }
    return [...found].sort();
  }

  dispose(): void {
    this.disposed = true;
    this.streamAbort?.abort();
    void this.session.close();
  }
}
