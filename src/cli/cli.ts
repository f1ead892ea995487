/**
 * `redis-tls cli <connection options> [--raw|--no-raw] [-e] [-3] [--read-only] [--yes] [COMMAND [ARG...]]`: redis-cli over
 * a verified TLS session. One command from the arguments, or one per line from stdin (pipelined), or
 * on a terminal the same REPL as the VS Code terminal. Replies print as redis-cli 7.0 prints them:
 * raw when stdout is not a terminal, quoted on a terminal; --raw / --no-raw force one.
 * `-3` speaks RESP3 (HELLO 3), as redis-cli -3; `--read-only` refuses every command that is not a read
 * (the allowlist of read-only profiles). A line may start with a repeat count (`3 PING`), as in redis-cli.
 * Exit status: 0 (also when the server answers an error), 1 with -e on an error reply, 1 on a
 * diagnosed connection problem (the doctor's report goes to stderr), 2 on a usage error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseConnectionArgs, VALUE_FLAGS } from '../core/client/redisCliArgs';
import type { ConnectionOptions } from '../core/endpoint/options';
import { isRedisUrl } from '../core/client/url';
import { isDiagnosedError } from '../core/diagnosis/problem';
import { ReadOnlyError } from '../core/client/readOnly';
import { runDoctor } from '../core/client/doctor';
import { INVALID_REPEAT, repeatPrefix, splitArgs } from '../core/terminal/args';
import { askFirst, isStreaming } from '../core/terminal/commands';
import { formatCommandReply, formatReply, type OutputFormat } from '../core/terminal/format';
import { History } from '../core/terminal/history';
import { problemText, Repl } from '../core/terminal/repl';
import type { TypedReply } from '../core/terminal/resp';
import { isHelloBeyond2, TerminalSession } from '../core/terminal/session';
import { clean, formatDoctor } from './format';
import { connectionOptionsFromArgs, usageExit, UsageError } from './options';

interface CliFlags {
  format: OutputFormat;
  errorExit: boolean;
  yes: boolean;
  resp3: boolean;
  readOnly: boolean;
}

/** Splits argv into connection options + our flags, and the command (from the first bare word on). */
export function splitCliArgv(argv: readonly string[]): { options: string[]; command: string[] } {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (VALUE_FLAGS.has(a)) i += 2;
    else if (a.startsWith('-') || isRedisUrl(a)) i += 1;
    else break;
  }
  return { options: argv.slice(0, i), command: argv.slice(i) };
}

/** How many commands from stdin may wait for their replies at once. */
const WINDOW = 4096;
const OUT_CHUNK = 256 * 1024;

class Output {
  private parts: Buffer[] = [];
  private size = 0;
  async push(b: Buffer): Promise<void> {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= OUT_CHUNK) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    if (!process.stdout.write(data)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
  }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const split = splitCliArgv(argv);
  const args = parseConnectionArgs(split.options);
  const flags: CliFlags = { format: process.stdout.isTTY ? 'tty' : 'raw', errorExit: false, yes: false, resp3: false, readOnly: false };
  let options: ConnectionOptions;
  try {
    if (args.errors.length) throw new UsageError(args.errors.join('\n'));
    for (const a of args.rest) {
      if (a === '--raw') flags.format = 'raw';
      else if (a === '--no-raw') flags.format = 'tty';
      else if (a === '-e') flags.errorExit = true;
      else if (a === '--yes') flags.yes = true;
      else if (a === '-3') flags.resp3 = true;
      else if (a === '--read-only') flags.readOnly = true;
      else throw new UsageError(`unknown option for cli: ${a}`);
    }
    options = await connectionOptionsFromArgs(args, process.env);
  } catch (e) {
    // A file named by a flag cannot be read (FILE_UNREADABLE) is a diagnosed problem: exit 1.
    return isDiagnosedError(e) ? failure(e) : usageExit(e);
  }
  for (const w of args.warnings) process.stderr.write(`${w}\n`);
  if (flags.readOnly) options.readOnly = true;

  const session = new TerminalSession({ options });
  if (flags.resp3) session.protocol = 3;
  try {
    await session.connect();
  } catch (e) {
    if (!isDiagnosedError(e)) throw e;
    // The doctor's report: what the server presented and why it failed, with a fix.
    process.stderr.write(formatDoctor(await runDoctor(options)));
    return 1;
  }
  if (options.tls.enabled && options.tls.verify === 'insecure')
    process.stderr.write('Warning: certificate verification is OFF (--insecure).\n');
  try {
    if (split.command.length > 0)
      return await runOne(
        session,
        split.command.map((w) => Buffer.from(w, 'utf8')),
        flags,
      );
    if (!process.stdin.isTTY) return await runStdin(session, flags);
    return await runRepl(session, `${options.host}:${options.port}`, flags.format);
  } finally {
    await session.close();
  }
}

function isError(r: TypedReply): boolean {
  return r.type === 'error';
}

async function confirmOnTty(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  process.stderr.write(`${question} Type yes to continue: `);
  const answer = await new Promise<string>((resolve) => {
    process.stdin.resume();
    process.stdin.once('data', (b: Buffer) => {
      process.stdin.pause();
      resolve(b.toString('utf8').trim());
    });
  });
  return answer.toLowerCase() === 'yes' || answer.toLowerCase() === 'y';
}

async function runOne(session: TerminalSession, words: Buffer[], flags: CliFlags): Promise<number> {
  const confirm = askFirst(words);
  if (confirm && !flags.yes && !(await confirmOnTty(`Run ${confirm} on ${session.prompt.replace(/> $/, '')}?`))) {
    process.stderr.write(`redis-tls: ${confirm} asks first: confirm on a terminal or add --yes\n`);
    return 1;
  }
  if (isStreaming(words)) return stream(session, words, flags);
  try {
    const reply = await session.execute(words);
    if (isError(reply) && flags.errorExit) {
      process.stderr.write(Buffer.concat([(reply as { value: Buffer }).value, Buffer.from('\n')]));
      return 1;
    }
    const out = new Output();
    await out.push(formatCommandReply(words, reply, flags.format));
    await out.flush();
    return 0;
  } catch (e) {
    if (e instanceof ReadOnlyError) {
      process.stderr.write(`redis-tls: ${e.message}\n`);
      return 1;
    }
    return failure(e);
  }
}

function failure(e: unknown): number {
  if (!isDiagnosedError(e)) throw e;
  process.stderr.write(problemText(e.problem).split('\n').map(clean).join('\n'));
  return 1;
}

async function stream(session: TerminalSession, words: Buffer[], flags: CliFlags): Promise<number> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  const name = words[0]?.toString('latin1').toUpperCase();
  if (flags.format === 'tty' && name !== 'MONITOR') process.stdout.write('Reading messages... (press Ctrl-C to quit)\n');
  try {
    await session.stream(
      words,
      (reply) => {
        process.stdout.write(formatReply(reply, flags.format));
      },
      abort.signal,
    );
    return 0;
  } catch (e) {
    if (e instanceof ReadOnlyError) {
      process.stderr.write(`redis-tls: ${e.message}\n`);
      return 1;
    }
    return failure(e);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Reads stdin line by line (binary safe) and pipelines the commands; replies print in order. */
async function runStdin(session: TerminalSession, flags: CliFlags): Promise<number> {
  const out = new Output();
  /** A reply, or a message of our own: to stdout (as redis-cli prints it there) or stderr. */
  type Item = { reply: TypedReply; args: Buffer[] } | { stdout: Buffer } | Buffer;
  const pending: Array<Promise<Item>> = [];
  let sawError = false;
  let refused = false;
  let failed: unknown;
  const settle = async (p: Promise<Item>): Promise<void> => {
    const r = await p;
    if (Buffer.isBuffer(r)) {
      await out.flush();
      process.stderr.write(r);
      return;
    }
    if ('stdout' in r) {
      await out.push(r.stdout);
      return;
    }
    if (isError(r.reply)) sawError = true;
    await out.push(formatCommandReply(r.args, r.reply, flags.format));
  };
  const drain = async (): Promise<void> => {
    while (pending.length) await settle(pending.shift() as Promise<Item>);
  };
  const handle = async (line: Buffer): Promise<void> => {
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    const parsed = splitArgs(line.subarray(0, end));
    if (parsed === undefined) {
      pending.push(Promise.resolve({ stdout: Buffer.from('Invalid argument(s)\n') }));
      return;
    }
    if (parsed.length === 0) return;
    const repeat = repeatPrefix(parsed);
    if (repeat === 'invalid') {
      pending.push(Promise.resolve({ stdout: Buffer.from(`${INVALID_REPEAT}\n`) }));
      return;
    }
    const words = repeat.rest;
    const confirm = askFirst(words);
    if (confirm && !flags.yes) {
      refused = true;
      pending.push(Promise.resolve(Buffer.from(`redis-tls: ${confirm} asks first: not sent (add --yes to send it from stdin)\n`)));
      return;
    }
    if (isStreaming(words)) {
      await drain();
      await out.flush();
      if ((await stream(session, words, flags)) !== 0) throw new Error('stream failed');
      return;
    }
    // HELLO 3 switches the decoder: it goes alone, after every reply before it.
    const alone = isHelloBeyond2(words);
    for (let i = 0; i < repeat.count; i++) {
      if (alone) await drain();
      const p = session.execute(words).then(
        (reply): Item => ({ reply, args: words }),
        (e: unknown): Item => {
          if (!(e instanceof ReadOnlyError)) throw e;
          refused = true;
          return Buffer.from(`redis-tls: ${e.message}\n`);
        },
      );
      p.catch(() => undefined);
      pending.push(p);
      if (alone) await drain();
      if (pending.length >= WINDOW) await settle(pending.shift() as Promise<Item>);
    }
  };
  try {
    let rest: Buffer = Buffer.alloc(0);
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      let data: Buffer = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        await handle(data.subarray(0, nl));
        data = data.subarray(nl + 1);
      }
      rest = data;
    }
    if (rest.length) await handle(rest);
    await drain();
  } catch (e) {
    failed = e;
  }
  await out.flush();
  if (failed !== undefined) return failed instanceof Error && failed.message === 'stream failed' ? 1 : failure(failed);
  return refused || (sawError && flags.errorExit) ? 1 : 0;
}

const HISTORY_FILE = join(homedir(), '.redis-tls-cli-history');

function loadHistory(): string[] {
  try {
    return existsSync(HISTORY_FILE)
      ? readFileSync(HISTORY_FILE, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  } catch {
    return [];
  }
}

/** The interactive prompt on a terminal: the same Repl as the VS Code terminal. */
function runRepl(session: TerminalSession, name: string, format: OutputFormat): Promise<number> {
  return new Promise<number>((resolve) => {
    const stdin = process.stdin;
    let answer: ((text: string) => void) | undefined;
    let typed = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      repl.dispose();
      resolve(0);
    };
    const repl = new Repl({
      session,
      name,
      format,
      history: new History(loadHistory()),
      onHistory: (lines) => {
        try {
          writeFileSync(HISTORY_FILE, `${lines.join('\n')}\n`, { mode: 0o600 });
        } catch {
          /* history is a convenience */
        }
      },
      io: {
        write: (text) => {
          process.stdout.write(text);
        },
        confirm: (question) =>
          new Promise<boolean>((r) => {
            process.stdout.write(`${question} (y/N) `);
            answer = (text) => {
              process.stdout.write(`${text}\r\n`);
              r(/^y/i.test(text));
            };
          }),
        exit: finish,
      },
    });
    const onData = (b: Buffer): void => {
      const text = b.toString('utf8');
      if (answer) {
        typed += text;
        const end = /[\r\n]/.exec(typed);
        if (text.includes('\x03') || end) {
          const a = answer;
          answer = undefined;
          const reply = text.includes('\x03') ? '' : typed.slice(0, end?.index ?? 0);
          typed = '';
          a(reply);
        }
        return;
      }
      repl.handleInput(text);
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    void repl.start();
  });
}
