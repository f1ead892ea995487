/**
 * redis-cli's argument splitting (sdssplitargs), byte for byte: blanks separate words; "double quotes"
 * take `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` and `\<any>` escapes; 'single quotes' take `\'` only; a
 * closing quote must be followed by a blank or the end of the line. Arguments are Buffers (binary safe):
 * the line's text is UTF-8 encoded first, escapes then produce any byte.
 */
import { quoteBytes } from '../keys/bytes';

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x61: 0x07 };

/** The words of a line, or undefined when its quotes are unbalanced (redis-cli: "Invalid argument(s)"). */
export function splitArgs(line: string | Buffer): Buffer[] | undefined {
  const p = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const out: Buffer[] = [];
  let i = 0;
  const at = (k: number): number => (k < p.length ? (p[k] as number) : 0);
  for (;;) {
    while (i < p.length && isSpace(at(i))) i++;
    if (i >= p.length) return out;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(i);
      if (inDouble) {
        if (c === 0x5c && at(i + 1) === 0x78 && hexValue(at(i + 2)) >= 0 && hexValue(at(i + 3)) >= 0) {
          bytes.push(hexValue(at(i + 2)) * 16 + hexValue(at(i + 3)));
          i += 3;
        } else if (c === 0x5c && i + 1 < p.length) {
          i++;
          const e = at(i);
          bytes.push(ESCAPES[e] ?? e);
        } else if (c === 0x22) {
          if (i + 1 < p.length && !isSpace(at(i + 1))) return undefined;
          done = true;
        } else if (i >= p.length) {
          return undefined;
        } else {
          bytes.push(c);
        }
      } else if (inSingle) {
        if (c === 0x5c && at(i + 1) === 0x27) {
          i++;
          bytes.push(0x27);
        } else if (c === 0x27) {
          if (i + 1 < p.length && !isSpace(at(i + 1))) return undefined;
          done = true;
        } else if (i >= p.length) {
          return undefined;
        } else {
          bytes.push(c);
        }
      } else if (i >= p.length || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        done = true;
      } else if (c === 0x22) {
        inDouble = true;
      } else if (c === 0x27) {
        inSingle = true;
      } else {
        bytes.push(c);
      }
      if (i < p.length) i++;
    }
    out.push(Buffer.from(bytes));
  }
}

/** An argument as it can be typed back: bare when safe, else redis-cli's "quoted" form. */
export function quoteArg(arg: Buffer): string {
  const text = arg.toString('latin1');
  return arg.length > 0 && /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]+$/.test(text) ? text : quoteBytes(arg);
}

/** redis-cli's words for a repeat count it cannot use (0, negative, out of range). */
export const INVALID_REPEAT = 'Invalid redis-cli repeat command option value.';

/** The largest repeat count accepted (redis-cli keeps it in an int). */
const MAX_REPEAT = 2 ** 31 - 1;

/**
 * redis-cli's repeat prefix (`3 PING` runs PING three times): when a line has more than one word and
 * the first is a whole decimal number (strtol, base 10: leading blanks and a sign allowed), that number
 * is the count and the rest is the command. A count of 0 or less, or out of range, is refused
 * (INVALID_REPEAT). Other lines run once.
 */
export function repeatPrefix(args: readonly Buffer[]): { count: number; rest: Buffer[] } | 'invalid' {
  if (args.length < 2) return { count: 1, rest: [...args] };
  const first = (args[0] as Buffer).toString('latin1');
  if (!/^(?:[ \t\n\v\f\r]*[+-]?\d+)?$/.test(first)) return { count: 1, rest: [...args] };
  const n = first === '' ? 0 : Number(first);
  if (!Number.isSafeInteger(n) || n <= 0 || n > MAX_REPEAT) return 'invalid';
  return { count: n, rest: args.slice(1) };
}
