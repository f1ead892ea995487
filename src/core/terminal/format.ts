/**
 * Replies printed exactly as redis-cli 7.0 prints them: the TTY format (cliFormatReplyTTY: quoted
 * strings, `(integer) 1`, `(nil)`, numbered nested arrays) and the raw format (cliFormatReplyRaw, its
 * default when stdout is not a terminal). Output is bytes: raw strings are written as the server sent them.
 */
import { quoteBytes } from '../keys/bytes';
import type { TypedReply } from './resp';

export type OutputFormat = 'tty' | 'raw';

function ascii(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

const NL = ascii('\n');

function emptyName(type: 'array' | 'set' | 'push' | 'map'): string {
  return type === 'array' ? '(empty array)' : type === 'map' ? '(empty hash)' : type === 'set' ? '(empty set)' : '(empty push)';
}

/** cliFormatReplyTTY: one reply, every line ending in "\n"; `prefix` indents the lines of nested aggregates. */
export function formatTty(r: TypedReply, prefix = ''): Buffer {
  switch (r.type) {
    case 'error':
      return Buffer.concat([ascii('(error) '), r.value, NL]);
    case 'status':
      return Buffer.concat([r.value, NL]);
    case 'integer':
      return ascii(`(integer) ${r.value}\n`);
    case 'double':
      return ascii(`(double) ${r.value}\n`);
    case 'bignum':
      return ascii(`(big number) ${r.value}\n`);
    case 'string':
      return ascii(`${quoteBytes(r.value)}\n`);
    case 'verbatim':
      return Buffer.concat([r.value, NL]);
    case 'nil':
      return ascii('(nil)\n');
    case 'bool':
      return ascii(r.value ? '(true)\n' : '(false)\n');
    default: {
      const items = r.items;
      if (items.length === 0) return ascii(`${emptyName(r.type)}\n`);
      const isMap = r.type === 'map';
      const count = isMap ? Math.floor(items.length / 2) : items.length;
      const idxLen = String(count).length;
      const childPrefix = prefix + ' '.repeat(idxLen + 2);
      const sep = r.type === 'set' ? '~' : isMap ? '#' : ')';
      const parts: Buffer[] = [];
      for (let i = 0; i < items.length; i++) {
        const human = (isMap ? Math.floor(i / 2) : i) + 1;
        parts.push(ascii(`${i === 0 ? '' : prefix}${String(human).padStart(idxLen, ' ')}${sep} `));
        parts.push(formatTty(items[i] as TypedReply, childPrefix));
        if (isMap) {
          i++;
          const key = parts.pop() as Buffer;
          parts.push(key.subarray(0, key.length - 1), ascii(' => '));
          const value = items[i];
          // A non-empty aggregate value starts on the next line, indented (redis-cli 7.0).
          if (value && 'items' in value && value.items.length > 0) parts.push(NL, ascii(childPrefix));
          parts.push(value ? formatTty(value, childPrefix) : NL);
        }
      }
      return Buffer.concat(parts);
    }
  }
}

/** cliFormatReplyRaw: strings as their bytes, aggregates one element per line, nil as nothing. */
export function formatRawBody(r: TypedReply): Buffer {
  switch (r.type) {
    case 'nil':
      return Buffer.alloc(0);
    case 'error':
      return Buffer.concat([r.value, NL]);
    case 'status':
    case 'string':
    case 'verbatim':
      return r.value;
    case 'bool':
      return ascii(r.value ? '(true)' : '(false)');
    case 'integer':
    case 'double':
    case 'bignum':
      return ascii(r.value);
    case 'map': {
      const parts: Buffer[] = [];
      for (let i = 0; i < r.items.length; i += 2) {
        if (i > 0) parts.push(NL);
        parts.push(formatRawBody(r.items[i] as TypedReply), ascii(' '));
        const value = r.items[i + 1];
        if (value) parts.push(formatRawBody(value));
      }
      return Buffer.concat(parts);
    }
    default: {
      const parts: Buffer[] = [];
      r.items.forEach((item, i) => {
        if (i > 0) parts.push(NL);
        parts.push(formatRawBody(item));
      });
      return Buffer.concat(parts);
    }
  }
}

/** A top-level reply as redis-cli writes it to stdout in the given format. */
export function formatReply(r: TypedReply, format: OutputFormat): Buffer {
  return format === 'tty' ? formatTty(r) : Buffer.concat([formatRawBody(r), NL]);
}

function word(a: Buffer | undefined): string {
  return a === undefined ? '' : a.toString('latin1').toLowerCase();
}

/**
 * Commands whose reply redis-cli 7.0 prints as its raw text in both formats, without a line feed of its
 * own (cliSendCommand's `output_raw`: INFO, LOLWUT, CLIENT LIST, MEMORY DOCTOR...): their text is meant
 * to be read as it is. Argument counts as redis-cli checks them (`CLUSTER INFO` but not `CLUSTER INFO x`).
 */
export function printsRawText(args: readonly Buffer[]): boolean {
  const name = word(args[0]);
  const sub = word(args[1]);
  const argc = args.length;
  return (
    name === 'info' ||
    name === 'lolwut' ||
    (argc >= 2 && name === 'debug' && (sub === 'htstats' || sub === 'htstats-key' || sub === 'client-eviction')) ||
    (argc >= 2 && name === 'memory' && (sub === 'malloc-stats' || sub === 'doctor')) ||
    (argc === 2 && name === 'cluster' && (sub === 'nodes' || sub === 'info')) ||
    (argc >= 2 && name === 'client' && (sub === 'list' || sub === 'info')) ||
    (argc === 3 && name === 'latency' && sub === 'graph') ||
    (argc === 2 && name === 'latency' && sub === 'doctor') ||
    (argc >= 2 && name === 'proxy' && sub === 'info')
  );
}

/** The reply to `args` as redis-cli writes it to stdout: its raw text for the printsRawText commands, else in `format`. */
export function formatCommandReply(args: readonly Buffer[], r: TypedReply, format: OutputFormat): Buffer {
  return printsRawText(args) ? formatRawBody(r) : formatReply(r, format);
}
