/**
 * Text renderings of Redis values. Values are untrusted bytes: nothing here evaluates them, numbers
 * in JSON are re-indented as written (never parsed and re-printed, which would round big integers),
 * and binary data becomes a hex dump or `\xNN` escapes.
 */
import { isUtf8 } from 'node:buffer';
import { escapeBytes } from './bytes';

/** Valid UTF-8 without control characters other than tab, newline and carriage return. */
export function isText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return false;
  }
  return isUtf8(bytes);
}

/** `xxd`-like dump: offset, 16 bytes in hex, printable ASCII. */
export function hexDump(bytes: Uint8Array, baseOffset = 0): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, bytes.length));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      if (i < row.length) {
        const b = row[i] as number;
        hex += b.toString(16).padStart(2, '0') + ' ';
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${(baseOffset + at).toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}

/**
 * Pretty-prints JSON text when it is a JSON object or array; undefined otherwise. Validates with
 * JSON.parse, then re-indents the original tokens so every literal stays exactly as stored.
 */
export function prettyJson(text: string, indent = '  '): string | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  try {
    JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += trimmed[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[': {
        // Keep empty containers on one line.
        let j = i + 1;
        while (j < trimmed.length && /\s/.test(trimmed[j] as string)) j++;
        const close = c === '{' ? '}' : ']';
        if (trimmed[j] === close) {
          out += c + close;
          i = j;
        } else {
          depth++;
          out += c + '\n' + indent.repeat(depth);
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        out += '\n' + indent.repeat(depth) + c;
        break;
      case ',':
        out += ',\n' + indent.repeat(depth);
        break;
      case ':':
        out += ': ';
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

/**
 * A Redis string as a JSON(C) string literal: UTF-8 text as is (JSON-escaped); other bytes escaped
 * like redis-cli and marked with a comment so they cannot be mistaken for text.
 */
export function jsonLiteral(bytes: Uint8Array): string {
  if (isUtf8(bytes)) return JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  return `${JSON.stringify(escapeBytes(bytes))} /* binary, \\xNN escaped */`;
}

/** A sorted-set score as a JSON number when it is one, a string otherwise (inf, -inf, nan). */
export function scoreLiteral(score: Uint8Array): string {
  const text = Buffer.from(score.buffer, score.byteOffset, score.length).toString('latin1');
  return /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? text : JSON.stringify(text);
}

/** Thousands separators, locale-independent. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
