/**
 * Key bytes: how a key is shown, copied and carried in URIs. Redis keys are binary-safe, so every
 * operation keeps the original bytes; only the display is text.
 */
import { isUtf8 } from 'node:buffer';

/**
 * True when the bytes can be shown as they are: valid UTF-8 with no ASCII or C1 control character, no
 * bidi override or isolate, no zero-width or invisible character and no line/paragraph separator.
 * Every byte is checked: a name such as "\u00e9\nrm -rf ~\n" or one holding `ESC ]52;` is not plain.
 */
export function isPlainText(bytes: Uint8Array): boolean {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x20 || b === 0x7f) return false;
    if (b >= 0x80) ascii = false;
  }
  if (ascii) return true;
  return isUtf8(bytes) && !hasUnicodeControls(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
}

/**
 * C1 controls, bidi marks, overrides and isolates, zero-width and invisible characters, the Unicode
 * line/paragraph separators and the BOM: they can make a name read differently than it is, or break
 * a line where none is.
 */
const UNICODE_CONTROLS = /[\u0080-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/;
function hasUnicodeControls(text: string): boolean {
  return UNICODE_CONTROLS.test(text);
}

/**
 * redis-cli's escaping (sdscatrepr) without the surrounding quotes: `\\`, `\"`, `\n`, `\r`, `\t`,
 * `\a`, `\b`, printable ASCII as is, every other byte as `\xNN`.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    switch (b) {
      case 0x5c:
        out += '\\\\';
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      default:
        out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * THE function for showing a name that came from a server (a key, a folder, a field): as is when it
 * is plain text, redis-cli's escapes otherwise. Tree labels, tooltips, quick picks, titles,
 * notifications, the webview and logs all go through it, so a name reads the same everywhere and
 * never carries control text to a terminal, the clipboard or the screen.
 */
export function displayBytes(bytes: Uint8Array): string {
  return isPlainText(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') : escapeBytes(bytes);
}

/** What Copy Key Name gives: the name as is when plain text, redis-cli's quoted form otherwise. */
export function copyableName(bytes: Uint8Array): string {
  return isPlainText(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8') : quoteBytes(bytes);
}

/** redis-cli's quoted form (`"..."`), exact for any bytes: what "copy key name" gives for binary keys. */
export function quoteBytes(bytes: Uint8Array): string {
  return `"${escapeBytes(bytes)}"`;
}

const SIMPLE_ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x61: 0x07, 0x62: 0x08, 0x5c: 0x5c, 0x22: 0x22 };

/** Parses a redis-cli quoted or escaped string back to bytes (the inverse of escapeBytes). */
export function unescapeBytes(text: string): Buffer {
  const out: number[] = [];
  const unquoted = text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  const src = Buffer.from(unquoted, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b !== 0x5c || i + 1 >= src.length) {
      out.push(b);
      continue;
    }
    const next = src[i + 1] as number;
    if (next === 0x78 && i + 3 < src.length) {
      const hex = src.subarray(i + 2, i + 4).toString('latin1');
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 3;
        continue;
      }
    }
    const mapped = SIMPLE_ESCAPES[next];
    if (mapped !== undefined) {
      out.push(mapped);
      i += 1;
      continue;
    }
    out.push(b);
  }
  return Buffer.from(out);
}

/** Key bytes as a URI-safe token (base64url: reversible, no `/`, `?`, `#` or `%`). */
export function keyToToken(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('base64url');
}

export function keyFromToken(token: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) throw new Error('not a key token');
  return Buffer.from(token, 'base64url');
}

/** Escapes glob metacharacters so a byte prefix can be used in `SCAN MATCH prefix*`. */
export function globEscape(bytes: Uint8Array): Buffer {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x2a || b === 0x3f || b === 0x5b || b === 0x5d || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return Buffer.from(out);
}

/**
 * Whether `key` matches the glob `pattern` as Redis's SCAN MATCH decides it (util.c stringmatchlen:
 * `*`, `?`, `[...]` with `^` and ranges, `\` escapes; bytes, case-sensitive). Used to place a key
 * the user just created or renamed in a filtered tree without scanning again.
 */
export function globMatches(pattern: string | Uint8Array, key: Uint8Array): boolean {
  const p = typeof pattern === 'string' ? Buffer.from(pattern, 'utf8') : pattern;
  const match = (pi: number, si: number, depth: number): boolean => {
    if (depth > 1000) return false; // Redis caps the recursion too: a pathological pattern matches nothing
    while (pi < p.length && si <= key.length) {
      const c = p[pi]!;
      if (c === 0x2a /* * */) {
        while (pi + 1 < p.length && p[pi + 1] === 0x2a) pi++;
        if (pi + 1 === p.length) return true;
        for (let s = si; s <= key.length; s++) if (match(pi + 1, s, depth + 1)) return true;
        return false;
      }
      if (si === key.length) return false;
      const k = key[si]!;
      if (c === 0x3f /* ? */) {
        si++;
      } else if (c === 0x5b /* [ */) {
        pi++;
        const not = p[pi] === 0x5e; /* ^ */
        if (not) pi++;
        let hit = false;
        for (;;) {
          if (pi >= p.length) {
            pi--; // unterminated: as Redis, the last byte closes the class
            break;
          }
          const q = p[pi]!;
          if (q === 0x5c && pi + 1 < p.length) {
            pi++;
            if (p[pi] === k) hit = true;
          } else if (q === 0x5d /* ] */) {
            break;
          } else if (pi + 2 < p.length && p[pi + 1] === 0x2d /* - */) {
            let lo = q;
            let hi = p[pi + 2]!;
            if (lo > hi) [lo, hi] = [hi, lo];
            pi += 2;
            if (k >= lo && k <= hi) hit = true;
          } else if (q === k) {
            hit = true;
          }
          pi++;
        }
        if (not) hit = !hit;
        if (!hit) return false;
        si++;
      } else {
        if (c === 0x5c /* \ */ && pi + 1 < p.length) pi++;
        if (p[pi] !== k) return false;
        si++;
      }
      pi++;
    }
    while (pi < p.length && p[pi] === 0x2a) pi++;
    return pi === p.length && si === key.length;
  };
  return match(0, 0, 0);
}
