/**
 * Command history: what is remembered, and navigation with up/down. Lines that carry a secret are
 * never stored: AUTH, HELLO ... AUTH, ACL SETUSER with a password rule (>pass, <pass, #hash, !hash),
 * CONFIG SET requirepass/masterauth, MIGRATE ... AUTH/AUTH2. A line that cannot be parsed is judged by
 * its words, erring towards not storing it.
 */
import { splitArgs } from './args';

const SECRET_CONFIG = new Set(['requirepass', 'masterauth', 'masteruser', 'tls-key-file-pass', 'tls-client-key-file-pass']);

export function isSensitiveLine(line: string): boolean {
  const args = splitArgs(line)?.map((a) => a.toString('latin1'));
  if (!args) return /\b(auth|auth2|setuser|requirepass|masterauth)\b/i.test(line);
  let words = args;
  // A NODE host:port prefix (cluster terminal) or a repeat count does not change what follows.
  if (words[0]?.toUpperCase() === 'NODE') words = words.slice(2);
  if (words.length > 1 && /^\d+$/.test(words[0] ?? '')) words = words.slice(1);
  const upper = words.map((w) => w.toUpperCase());
  const name = upper[0] ?? '';
  if (name === 'AUTH') return true;
  if (name === 'HELLO' || name === 'MIGRATE') return upper.includes('AUTH') || upper.includes('AUTH2');
  if (name === 'ACL' && upper[1] === 'SETUSER') return words.slice(3).some((w) => /^[<>#!]/.test(w));
  if (name === 'CONFIG' && upper[1] === 'SET') return words.slice(2).some((w, i) => i % 2 === 0 && SECRET_CONFIG.has(w.toLowerCase()));
  return false;
}

export class History {
  private entries: string[];
  /** Index into entries while browsing; entries.length = the line being typed. */
  private cursor: number;
  private draft = '';

  constructor(
    initial: readonly string[] = [],
    private readonly max = 1000,
  ) {
    this.entries = initial.filter((l) => l.trim() !== '' && !isSensitiveLine(l)).slice(-max);
    this.cursor = this.entries.length;
  }

  /** The stored lines, oldest first (what gets persisted). */
  get lines(): readonly string[] {
    return this.entries;
  }

  /** Remembers a submitted line unless it is blank, a repeat of the last one, or sensitive. Returns whether it was stored. */
  add(line: string): boolean {
    this.cursor = this.entries.length;
    this.draft = '';
    if (line.trim() === '' || isSensitiveLine(line)) return false;
    if (this.entries[this.entries.length - 1] === line) return false;
    this.entries.push(line);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    this.cursor = this.entries.length;
    return true;
  }

  /** The previous line (up arrow); `current` is kept as the draft when leaving the bottom. */
  previous(current: string): string | undefined {
    if (this.cursor === 0) return undefined;
    if (this.cursor === this.entries.length) this.draft = current;
    this.cursor--;
    return this.entries[this.cursor];
  }

  /** The next line (down arrow), ending with the draft. */
  next(): string | undefined {
    if (this.cursor >= this.entries.length) return undefined;
    this.cursor++;
    return this.cursor === this.entries.length ? this.draft : this.entries[this.cursor];
  }
}
