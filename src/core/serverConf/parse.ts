/**
 * redis.conf reading as redis-server does it (config.c loadServerConfigFromString + sdssplitargs):
 * one directive per line, `#` comments on their own line, arguments split on blanks, double quotes
 * with C escapes (\n \r \t \b \a \\ \" \xHH), single quotes with only \' and a closing quote that
 * must be followed by a blank or the end of the line. Directive names are case-insensitive.
 * Every argument keeps its column range so the editor can underline exactly it.
 */

export interface ConfArg {
  /** The value after unquoting and unescaping. */
  value: string;
  /** Zero-based columns of the argument as written (quotes included); end is exclusive. */
  start: number;
  end: number;
  quoted: boolean;
}

export interface ConfDirective {
  /** Lower-cased directive name. */
  name: string;
  /** The name as written. */
  rawName: string;
  /** Zero-based line. */
  line: number;
  nameStart: number;
  nameEnd: number;
  args: ConfArg[];
  /** The file the line is in (absolute when known); undefined for text without a file. */
  file?: string;
}

export interface ConfSyntaxError {
  line: number;
  start: number;
  end: number;
  message: string;
  file?: string;
}

export interface ParsedConf {
  directives: ConfDirective[];
  errors: ConfSyntaxError[];
  /** The text split into lines (for quick fixes that need the line text). */
  lines: string[];
}

const BLANK = /[ \n\r\t\f\v\0]/;

function hexValue(c: string): number {
  return parseInt(c, 16);
}

/** Splits one line like sdssplitargs. Returns undefined (and the column of the fault) on unbalanced quotes. */
export function splitArgs(line: string): { args: ConfArg[] } | { error: string; column: number } {
  const args: ConfArg[] = [];
  let i = 0;
  const n = line.length;
  while (true) {
    while (i < n && BLANK.test(line[i])) i++;
    if (i >= n) return { args };
    const start = i;
    let value = '';
    let inDouble = false;
    let inSingle = false;
    let quoted = false;
    let done = false;
    while (!done) {
      if (inDouble) {
        if (i >= n) return { error: 'Unbalanced quotes: the double-quoted string is not closed', column: start };
        const c = line[i];
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          value += String.fromCharCode(hexValue(line.slice(i + 2, i + 4)));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          const e = line[++i];
          value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !BLANK.test(line[i + 1])) return { error: 'A closing quote must be followed by a space', column: i };
          done = true;
        } else {
          value += c;
        }
      } else if (inSingle) {
        if (i >= n) return { error: 'Unbalanced quotes: the single-quoted string is not closed', column: start };
        const c = line[i];
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          value += "'";
        } else if (c === "'") {
          if (i + 1 < n && !BLANK.test(line[i + 1])) return { error: 'A closing quote must be followed by a space', column: i };
          done = true;
        } else {
          value += c;
        }
      } else if (i >= n) {
        done = true;
        i--;
      } else {
        const c = line[i];
        if (BLANK.test(c)) {
          done = true;
          i--;
        } else if (c === '"') {
          inDouble = true;
          quoted = true;
        } else if (c === "'") {
          inSingle = true;
          quoted = true;
        } else {
          value += c;
        }
      }
      i++;
    }
    args.push({ value, start, end: i, quoted });
  }
}

/** Parses the text of one configuration file (no includes followed). */
export function parseConf(text: string, file?: string): ParsedConf {
  const lines = text.split(/\r\n|\n|\r/);
  const directives: ConfDirective[] = [];
  const errors: ConfSyntaxError[] = [];
  lines.forEach((raw, lineNo) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const split = splitArgs(raw);
    if ('error' in split) {
      errors.push({
        line: lineNo,
        start: split.column,
        end: raw.length,
        message: `${split.error}: redis-server refuses to start ("Unbalanced quotes in configuration line").`,
        ...(file ? { file } : {}),
      });
      return;
    }
    const [first, ...rest] = split.args;
    if (!first) return;
    directives.push({
      name: first.value.toLowerCase(),
      rawName: first.value,
      line: lineNo,
      nameStart: first.start,
      nameEnd: first.end,
      args: rest,
      ...(file ? { file } : {}),
    });
  });
  return { directives, errors, lines };
}

/** Quotes a value for redis.conf when it needs it (spaces, quotes, empty). */
export function quoteConfValue(value: string): string {
  if (value !== '' && !/[\s"'\\]/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
