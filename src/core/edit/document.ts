/**
 * Value documents read back: the text of a `redis-tls:` value document (as `core/keys/values.ts`
 * renders it, then edited by the user) parsed into the value it stands for. Every problem carries its
 * place in the text (offset, line, column), and a document with a problem yields no value at all, so
 * nothing is written.
 *
 * Formats (the reader's): strings as the text itself, pretty JSON (any valid JSON is written exactly as
 * typed), or an `xxd`-like hex dump (the hex columns count; the offset and ASCII columns are ignored);
 * hashes, sorted sets and streams as JSONC objects, lists and sets as JSONC arrays. A string literal
 * followed by the comment `/* binary, \xNN escaped *\/` holds bytes escaped like redis-cli (`\xff`).
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { DocumentKind } from '../keys/values';
import type { KeyType } from '../keys/keyInfo';
import { unescapeBytes } from '../keys/bytes';

export type EditableType = Exclude<KeyType, 'none' | 'unknown'>;

export type EditedValue =
  | { type: 'string'; bytes: Buffer }
  | { type: 'hash'; fields: Array<[Buffer, Buffer]> }
  | { type: 'list'; items: Buffer[] }
  | { type: 'set'; members: Buffer[] }
  /** Scores as typed (`1.5`, `-inf`): Redis parses them; compared numerically. */
  | { type: 'zset'; members: Array<[Buffer, string]> }
  /** `*` (or `*anything`) as an id: a new entry with an id the server assigns. */
  | { type: 'stream'; entries: Array<{ id: string; fields: Array<[Buffer, Buffer]> }> }
  | { type: 'ReJSON-RL'; json: string };

/** One problem in a document: 0-based line and column, like an editor range start. */
export interface EditProblem {
  message: string;
  offset: number;
  length: number;
  line: number;
  column: number;
}

/** The document cannot be turned into a value; nothing was written. */
export class DocumentError extends Error {
  readonly code = 'INVALID_DOCUMENT';
  constructor(readonly problems: EditProblem[]) {
    const first = problems[0];
    super(
      first
        ? `Line ${first.line + 1}, column ${first.column + 1}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}. Nothing was written.`
        : 'The document is invalid. Nothing was written.',
    );
    this.name = 'DocumentError';
  }
}

/** A part note the reader puts above a partial string (`[redis-tls] Showing bytes ...` + blank line). */
const STRING_NOTE = /^\[redis-tls\] Showing [^\n]*\n\n/;
const BINARY_MARK = /^[ \t]*\/\*\s*binary\b/;
const SCORE_WORD = /^[+-]?inf$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const STREAM_ID = /^(\d+-\d+|\d+|\d+-\*|\*.*)$/;

class Problems {
  readonly list: EditProblem[] = [];
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  add(message: string, offset: number, length = 1): void {
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.list.push({ message, offset, length: Math.max(1, length), line: lo, column: offset - (starts[lo] as number) });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new DocumentError(this.list);
  }
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

/** Strips the part note of a partial string document; returns the body and where it starts. */
export function stringBody(text: string): { body: string; at: number } {
  const m = STRING_NOTE.exec(text);
  return m ? { body: text.slice(m[0].length), at: m[0].length } : { body: text, at: 0 };
}

/** The bytes of a hex dump: per line, the hex pairs between the offset column and the `|ascii|` column. */
function parseHexDump(text: string, at: number, problems: Problems): Buffer {
  const bytes: number[] = [];
  let lineAt = at;
  for (const line of text.split('\n')) {
    const bar = line.indexOf('|');
    const hexPart = bar >= 0 ? line.slice(0, bar) : line;
    const offsetColumn = /^[0-9a-fA-F]{8}(?=\s)/.exec(hexPart);
    let col = offsetColumn ? offsetColumn[0].length : 0;
    const rest = hexPart.slice(col);
    for (const token of rest.split(/(\s+)/)) {
      if (token !== '' && !/^\s+$/.test(token)) {
        if (!/^[0-9a-fA-F]+$/.test(token)) {
          problems.add(`"${token.slice(0, 20)}" is not hex (0-9, a-f)`, lineAt + col, token.length);
        } else if (token.length % 2 !== 0) {
          problems.add(`odd number of hex digits in "${token.slice(0, 20)}": each byte is two digits`, lineAt + col, token.length);
        } else {
          for (let i = 0; i < token.length; i += 2) bytes.push(parseInt(token.slice(i, i + 2), 16));
        }
      }
      col += token.length;
    }
    lineAt += line.length + 1;
  }
  return Buffer.from(bytes);
}

function jsonProblems(errors: ParseError[], problems: Problems): void {
  for (const e of errors) problems.add(`invalid JSON: ${describeParseError(printParseErrorCode(e.error))}`, e.offset, e.length);
}

function describeParseError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** The bytes of a string literal node: UTF-8, or redis-cli escapes when the binary comment follows it. */
function literalBytes(node: Node, text: string): Buffer {
  const value = String(node.value);
  return BINARY_MARK.test(text.slice(node.offset + node.length, node.offset + node.length + 40))
    ? unescapeBytes(value)
    : Buffer.from(value, 'utf8');
}

/** A field, member or element: a string, or a number/boolean as written (Redis stores text). */
function elementBytes(node: Node | undefined, text: string, problems: Problems, what: string): Buffer | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return literalBytes(node, text);
  if (node.type === 'number' || node.type === 'boolean') return Buffer.from(text.slice(node.offset, node.offset + node.length), 'utf8');
  problems.add(
    `${what} must be a string (or a number), not ${node.type === 'null' ? 'null' : `an ${node.type}`}`,
    node.offset,
    node.length,
  );
  return undefined;
}

function parseJsonc(text: string, root: 'object' | 'array', problems: Problems, typeName: string): Node | undefined {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  jsonProblems(errors, problems);
  if (errors.length > 0) return undefined;
  if (!tree || tree.type !== root) {
    problems.add(
      `a ${typeName} document is a JSON ${root === 'object' ? 'object { ... }' : 'array [ ... ]'}`,
      tree?.offset ?? 0,
      tree?.length ?? 1,
    );
    return undefined;
  }
  return tree;
}

/** Properties of an object node as [key node, value node], reporting duplicate keys (by bytes). */
function properties(obj: Node, text: string, problems: Problems, what: string): Array<[Node, Node | undefined, Buffer]> {
  const seen = new Map<string, number>();
  const out: Array<[Node, Node | undefined, Buffer]> = [];
  for (const prop of obj.children ?? []) {
    const [keyNode, valueNode] = prop.children ?? [];
    if (!keyNode) continue;
    const bytes = literalBytes(keyNode, text);
    const id = bytes.toString('latin1');
    const first = seen.get(id);
    if (first !== undefined) {
      problems.add(
        `duplicate ${what} ${JSON.stringify(String(keyNode.value)).slice(0, 60)} (also on line ${first + 1}): each ${what} appears once`,
        keyNode.offset,
        keyNode.length,
      );
      continue;
    }
    seen.set(id, lineStarts(text.slice(0, keyNode.offset)).length - 1);
    out.push([keyNode, valueNode, bytes]);
  }
  return out;
}

/**
 * Parses a value document. `kind` is the document kind the reader produced (json / text / hex for
 * strings; jsonc for collections). Throws DocumentError with every problem found.
 */
export function parseDocument(type: EditableType, kind: DocumentKind, text: string): EditedValue {
  const problems = new Problems(text);
  switch (type) {
    case 'string': {
      if (kind === 'hex') {
        const { body, at } = stringBody(text);
        const bytes = parseHexDump(body, at, problems);
        problems.throwIfAny();
        return { type, bytes };
      }
      if (kind === 'json') {
        // The reader adds one newline after pretty JSON; any other text is kept exactly as typed.
        const json = text.endsWith('\n') ? text.slice(0, -1) : text;
        const errors: ParseError[] = [];
        parseTree(json, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
        jsonProblems(errors, problems);
        problems.throwIfAny();
        return { type, bytes: Buffer.from(json, 'utf8') };
      }
      return { type, bytes: Buffer.from(stringBody(text).body, 'utf8') };
    }
    case 'ReJSON-RL': {
      if (kind !== 'json') {
        problems.add('only a whole RedisJSON document can be edited (this one is cut at redisTls.values.maxBytes)', 0, 1);
        problems.throwIfAny();
      }
      const errors: ParseError[] = [];
      parseTree(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
      jsonProblems(errors, problems);
      problems.throwIfAny();
      return { type, json: text.trim() };
    }
    case 'hash': {
      const tree = parseJsonc(text, 'object', problems, 'hash');
      const fields: Array<[Buffer, Buffer]> = [];
      if (tree) {
        for (const [, valueNode, field] of properties(tree, text, problems, 'field')) {
          const value = elementBytes(valueNode, text, problems, 'a hash value');
          if (value) fields.push([field, value]);
        }
      }
      problems.throwIfAny();
      return { type, fields };
    }
    case 'list':
    case 'set': {
      const tree = parseJsonc(text, 'array', problems, type);
      const items: Buffer[] = [];
      const seen = new Set<string>();
      for (const node of tree?.children ?? []) {
        const item = elementBytes(node, text, problems, type === 'list' ? 'a list element' : 'a set member');
        if (!item) continue;
        if (type === 'set') {
          const id = item.toString('latin1');
          if (seen.has(id)) {
            problems.add('duplicate set member: each member appears once', node.offset, node.length);
            continue;
          }
          seen.add(id);
        }
        items.push(item);
      }
      problems.throwIfAny();
      return type === 'list' ? { type, items } : { type, members: items };
    }
    case 'zset': {
      const tree = parseJsonc(text, 'object', problems, 'sorted set');
      const members: Array<[Buffer, string]> = [];
      if (tree) {
        for (const [, scoreNode, member] of properties(tree, text, problems, 'member')) {
          const score = scoreText(scoreNode, text, problems);
          if (score !== undefined) members.push([member, score]);
        }
      }
      problems.throwIfAny();
      return { type, members };
    }
    case 'stream': {
      const tree = parseJsonc(text, 'object', problems, 'stream');
      const entries: Array<{ id: string; fields: Array<[Buffer, Buffer]> }> = [];
      if (tree) {
        for (const [idNode, body] of properties(tree, text, problems, 'entry id')) {
          const id = String(idNode.value);
          if (!STREAM_ID.test(id)) {
            problems.add(
              `"${id.slice(0, 40)}" is not a stream id (milliseconds-sequence, or * for a new entry)`,
              idNode.offset,
              idNode.length,
            );
            continue;
          }
          if (!body || body.type !== 'object') {
            problems.add(
              'a stream entry is an object of fields { "field": "value" }',
              body?.offset ?? idNode.offset,
              body?.length ?? idNode.length,
            );
            continue;
          }
          const fields: Array<[Buffer, Buffer]> = [];
          for (const [, valueNode, field] of properties(body, text, problems, 'field')) {
            const value = elementBytes(valueNode, text, problems, 'a stream field value');
            if (value) fields.push([field, value]);
          }
          if (fields.length === 0) problems.add('a stream entry needs at least one field', body.offset, body.length);
          entries.push({ id: id.startsWith('*') ? '*' : id, fields });
        }
      }
      problems.throwIfAny();
      return { type, entries };
    }
  }
}

function scoreText(node: Node | undefined, text: string, problems: Problems): string | undefined {
  if (!node) return undefined;
  const raw =
    node.type === 'number' ? text.slice(node.offset, node.offset + node.length) : node.type === 'string' ? String(node.value).trim() : '';
  if (NUMBER.test(raw) || SCORE_WORD.test(raw)) return raw;
  problems.add(
    `a score must be a number (or "inf" / "-inf"), not ${node.type === 'string' ? JSON.stringify(String(node.value)).slice(0, 40) : node.type}`,
    node.offset,
    node.length,
  );
  return undefined;
}

/** A score as a number for comparisons (`inf` -> Infinity). */
export function scoreValue(score: string): number {
  const s = score.trim().toLowerCase();
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}
