/**
 * What the terminal knows about commands: which ask first, which stream, and the catalogue read from
 * the server's COMMAND DOCS (names for Tab completion, argument syntax for redis-cli's inline hints).
 */
import type { Reply } from '../resp/replyTypes';

function upper(arg: Buffer | string | undefined): string {
  if (arg === undefined) return '';
  return (Buffer.isBuffer(arg) ? arg.toString('latin1') : arg).toUpperCase();
}

const ASK_FIRST_SINGLE = new Set(['FLUSHALL', 'FLUSHDB', 'KEYS', 'DEBUG', 'SHUTDOWN', 'SWAPDB']);
const ASK_FIRST_PAIR = new Set(['CONFIG SET', 'SCRIPT FLUSH', 'FUNCTION FLUSH', 'CLUSTER RESET']);

/** The command's name as it is confirmed ("FLUSHALL", "CONFIG SET"), when it must ask first; else undefined. */
export function askFirst(args: readonly Buffer[]): string | undefined {
  const name = upper(args[0]);
  if (ASK_FIRST_SINGLE.has(name)) return name;
  const pair = `${name} ${upper(args[1])}`;
  return ASK_FIRST_PAIR.has(pair) ? pair : undefined;
}

const STREAMING = new Set(['MONITOR', 'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE']);

/** Commands whose replies keep coming until the client leaves: they run on their own connection. */
export function isStreaming(args: readonly Buffer[]): boolean {
  return STREAMING.has(upper(args[0]));
}

export interface CommandDoc {
  /** "GET", "CONFIG SET". */
  name: string;
  /** redis-cli's argument synopsis, e.g. "key value [NX|XX] [GET] ...". */
  params: string;
}

type Fields = Map<string, Reply>;

function fields(reply: Reply | undefined): Fields {
  const out: Fields = new Map();
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const k = reply[i];
    if (Buffer.isBuffer(k)) out.set(k.toString('latin1'), reply[i + 1] as Reply);
  }
  return out;
}

function str(v: Reply | undefined): string {
  return Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'number' ? String(v) : '';
}

function argumentSynopsis(arg: Reply): string {
  const f = fields(arg);
  const name = str(f.get('name'));
  const type = str(f.get('type'));
  const token = str(f.get('token'));
  const flagList = f.get('flags');
  const flags = new Set(Array.isArray(flagList) ? flagList.map((x) => str(x)) : []);
  const sub = f.get('arguments');
  let repeat = '';
  if (['key', 'string', 'integer', 'double', 'pattern', 'unix-time', 'token'].includes(type)) repeat = name;
  else if (type === 'oneof') repeat = synopsis(sub, '|');
  else if (type === 'block') repeat = synopsis(sub, ' ');
  let tokenPart = token;
  if (tokenPart && repeat) tokenPart += ' ';
  let out = '';
  if (flags.has('optional')) out += '[';
  out += tokenPart + repeat;
  if (flags.has('multiple')) out += ` [${flags.has('multiple_token') ? tokenPart : ''}${repeat} ...]`;
  if (flags.has('optional')) out += ']';
  return out;
}

function synopsis(args: Reply | undefined, sep: string): string {
  return Array.isArray(args) ? args.map(argumentSynopsis).join(sep) : '';
}

/** The catalogue of commands from a COMMAND DOCS reply (names upper-cased; subcommands as "CONFIG SET"). */
export function parseCommandDocs(reply: Reply): CommandDoc[] {
  const out: CommandDoc[] = [];
  const walk = (list: Reply | undefined): void => {
    if (!Array.isArray(list)) return;
    for (let i = 0; i + 1 < list.length; i += 2) {
      const name = str(list[i]).replace('|', ' ').toUpperCase();
      if (!/^[A-Z0-9_ .:-]{1,64}$/.test(name)) continue;
      const f = fields(list[i + 1]);
      out.push({ name, params: synopsis(f.get('arguments'), ' ') });
      walk(f.get('subcommands'));
    }
  };
  walk(reply);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export class CommandCatalog {
  private readonly byName = new Map<string, CommandDoc>();

  constructor(readonly docs: readonly CommandDoc[]) {
    for (const d of docs) this.byName.set(d.name, d);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Command names starting with `prefix` (case-insensitive), for Tab. */
  namesStartingWith(prefix: string): string[] {
    const p = prefix.toUpperCase();
    return this.docs.filter((d) => d.name.startsWith(p)).map((d) => d.name);
  }

  /** The entry a line's first words name: "CONFIG SET" before "CONFIG". */
  lookup(words: readonly string[]): { doc: CommandDoc; words: number } | undefined {
    const two = `${(words[0] ?? '').toUpperCase()} ${(words[1] ?? '').toUpperCase()}`;
    const sub = words.length >= 2 ? this.byName.get(two) : undefined;
    if (sub) return { doc: sub, words: 2 };
    const one = this.byName.get((words[0] ?? '').toUpperCase());
    return one ? { doc: one, words: 1 } : undefined;
  }

  /**
   * redis-cli's inline hint: the synopsis of the typed command minus the arguments already typed
   * (counted by blanks, stopping at the first optional part), as in redis-cli's hintsCallback.
   */
  hint(line: string): string {
    const words = line.split(/\s+/).filter((w) => w !== '');
    if (words.length === 0) return '';
    const endsWithSpace = /\s$/.test(line);
    const found = this.lookup(words);
    if (!found || !found.doc.params) return '';
    if (found.words === 2 && words.length === 1) return '';
    let hint = found.doc.params;
    let toRemove = words.length - found.words;
    while (toRemove > 0 && hint.length > 0) {
      if (hint[0] === '[') break;
      if (hint[0] === ' ') toRemove--;
      hint = hint.slice(1);
    }
    if (!hint) return '';
    return endsWithSpace ? hint : ` ${hint}`;
  }
}
