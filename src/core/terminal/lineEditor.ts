/**
 * The prompt's line editor as a state machine over terminal input (keys and escape sequences as a
 * terminal sends them): insert, left/right, home/end, backspace/delete, Ctrl+A/E/B/F/K/U/W, history
 * up/down, Tab, Ctrl+C/D/L. It renders with ANSI sequences and never writes anything itself.
 */
import type { History } from './history';

export type EditorEvent =
  | { kind: 'submit'; line: string }
  | { kind: 'interrupt' }
  | { kind: 'eof' }
  | { kind: 'complete' }
  | { kind: 'clear' }
  | { kind: 'changed' };

const KEYS: Record<string, string> = {
  '\x1b[D': 'left',
  '\x1bOD': 'left',
  '\x02': 'left',
  '\x1b[C': 'right',
  '\x1bOC': 'right',
  '\x06': 'right',
  '\x1b[H': 'home',
  '\x1bOH': 'home',
  '\x1b[1~': 'home',
  '\x1b[7~': 'home',
  '\x01': 'home',
  '\x1b[F': 'end',
  '\x1bOF': 'end',
  '\x1b[4~': 'end',
  '\x1b[8~': 'end',
  '\x05': 'end',
  '\x1b[A': 'up',
  '\x1bOA': 'up',
  '\x10': 'up',
  '\x1b[B': 'down',
  '\x1bOB': 'down',
  '\x0e': 'down',
  '\x1b[3~': 'delete',
  '\x7f': 'backspace',
  '\x08': 'backspace',
  '\x15': 'kill-line',
  '\x17': 'kill-word',
  '\x0b': 'kill-end',
  '\x03': 'interrupt',
  '\x04': 'eof',
  '\x0c': 'clear',
  '\t': 'complete',
  '\r': 'submit',
  '\n': 'submit',
};

/** Splits input into keys: escape sequences (CSI/SS3) whole, everything else per code point. */
export function splitKeys(data: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === '\x1b' && (data[i + 1] === '[' || data[i + 1] === 'O')) {
      let j = i + 2;
      if (data[i + 1] === '[') while (j < data.length && /[0-9;]/.test(data[j] as string)) j++;
      keys.push(data.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (data[i] === '\r' && data[i + 1] === '\n') {
      keys.push('\r');
      i += 2;
      continue;
    }
    const cp = data.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    keys.push(ch);
    i += ch.length;
  }
  return keys;
}

export class LineEditor {
  /** The line as code points. */
  private chars: string[] = [];
  private pos = 0;

  constructor(private readonly history?: History) {}

  get line(): string {
    return this.chars.join('');
  }

  get cursor(): number {
    return this.pos;
  }

  /** Replaces the line (completion, history) and puts the cursor at its end. */
  setLine(line: string, cursor?: number): void {
    this.chars = [...line];
    this.pos = Math.min(cursor ?? this.chars.length, this.chars.length);
  }

  /** Text before the cursor. */
  get beforeCursor(): string {
    return this.chars.slice(0, this.pos).join('');
  }

  feed(data: string): EditorEvent[] {
    const events: EditorEvent[] = [];
    let changed = false;
    for (const key of splitKeys(data)) {
      const action = KEYS[key];
      switch (action) {
        case 'left':
          if (this.pos > 0) {
            this.pos--;
            changed = true;
          }
          break;
        case 'right':
          if (this.pos < this.chars.length) {
            this.pos++;
            changed = true;
          }
          break;
        case 'home':
          this.pos = 0;
          changed = true;
          break;
        case 'end':
          this.pos = this.chars.length;
          changed = true;
          break;
        case 'backspace':
          if (this.pos > 0) {
            this.chars.splice(this.pos - 1, 1);
            this.pos--;
            changed = true;
          }
          break;
        case 'delete':
          if (this.pos < this.chars.length) {
            this.chars.splice(this.pos, 1);
            changed = true;
          }
          break;
        case 'kill-line':
          this.chars = [];
          this.pos = 0;
          changed = true;
          break;
        case 'kill-end':
          this.chars.splice(this.pos);
          changed = true;
          break;
        case 'kill-word': {
          let start = this.pos;
          while (start > 0 && this.chars[start - 1] === ' ') start--;
          while (start > 0 && this.chars[start - 1] !== ' ') start--;
          this.chars.splice(start, this.pos - start);
          this.pos = start;
          changed = true;
          break;
        }
        case 'up':
        case 'down': {
          const line = action === 'up' ? this.history?.previous(this.line) : this.history?.next();
          if (line !== undefined) {
            this.setLine(line);
            changed = true;
          }
          break;
        }
        case 'eof':
          if (this.chars.length === 0) {
            flush();
            events.push({ kind: 'eof' });
          } else if (this.pos < this.chars.length) {
            this.chars.splice(this.pos, 1);
            changed = true;
          }
          break;
        case 'interrupt':
          this.chars = [];
          this.pos = 0;
          flush();
          events.push({ kind: 'interrupt' });
          break;
        case 'clear':
          flush();
          events.push({ kind: 'clear' });
          break;
        case 'complete':
          flush();
          events.push({ kind: 'complete' });
          break;
        case 'submit': {
          const line = this.line;
          this.chars = [];
          this.pos = 0;
          changed = false;
          events.push({ kind: 'submit', line });
          break;
        }
        default:
          // Other control characters and unknown escape sequences are ignored, never inserted.
          if (key.length > 0 && !key.startsWith('\x1b') && (key.codePointAt(0) as number) >= 0x20 && key !== '\x7f') {
            this.chars.splice(this.pos, 0, key);
            this.pos++;
            changed = true;
          }
      }
    }
    flush();
    return events;

    function flush(): void {
      if (changed) events.push({ kind: 'changed' });
      changed = false;
    }
  }

  /**
   * ANSI text that redraws the prompt line: prompt, line, an optional grey hint, then the cursor
   * moved back to where it is in the line.
   */
  render(prompt: string, hint = ''): string {
    const text = this.line;
    const tail = this.chars.length - this.pos;
    let out = `\r\x1b[K${prompt}${text}`;
    if (hint) out += `\x1b[90m${hint}\x1b[0m`;
    const back = tail + [...hint].length;
    if (back > 0) out += `\x1b[${back}D`;
    return out;
  }
}
