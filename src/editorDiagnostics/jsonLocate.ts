/**
 * A JSON parser that keeps offsets, so a diagnostic can sit on the exact property of a profile in
 * `.vscode/redis-tls.json`. Tolerates // and block comments and trailing commas (JSONC, as VS Code edits it).
 * No vscode import: unit-testable.
 */

export interface JsonNode {
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  start: number;
  end: number;
  value?: string | number | boolean | null;
  properties?: JsonProperty[];
  items?: JsonNode[];
}

export interface JsonProperty {
  key: string;
  keyStart: number;
  keyEnd: number;
  value: JsonNode;
}

class JsonSyntaxError extends Error {}

export function parseJsonWithOffsets(text: string): JsonNode | undefined {
  let i = 0;
  const ws = (): void => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i])) i++;
      if (text.startsWith('//', i)) {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? text.length : end + 2;
      } else return;
    }
  };
  const str = (): JsonNode => {
    const start = i;
    i++;
    let out = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const esc = text[i + 1];
        if (esc === 'u') {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : esc === 'b' ? '\b' : esc === 'f' ? '\f' : esc;
        i += 2;
        continue;
      }
      out += text[i++];
    }
    if (text[i] !== '"') throw new JsonSyntaxError('unterminated string');
    i++;
    return { type: 'string', start, end: i, value: out };
  };
  const value = (depth: number): JsonNode => {
    if (depth > 100) throw new JsonSyntaxError('too deep');
    ws();
    const c = text[i];
    const start = i;
    if (c === '{') {
      i++;
      const properties: JsonProperty[] = [];
      ws();
      while (text[i] !== '}') {
        if (i >= text.length) throw new JsonSyntaxError('unterminated object');
        if (text[i] !== '"') throw new JsonSyntaxError('expected a key');
        const key = str();
        ws();
        if (text[i] !== ':') throw new JsonSyntaxError('expected :');
        i++;
        const v = value(depth + 1);
        properties.push({ key: String(key.value), keyStart: key.start, keyEnd: key.end, value: v });
        ws();
        if (text[i] === ',') {
          i++;
          ws();
        } else if (text[i] !== '}') throw new JsonSyntaxError('expected , or }');
      }
      i++;
      return { type: 'object', start, end: i, properties };
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      while (text[i] !== ']') {
        if (i >= text.length) throw new JsonSyntaxError('unterminated array');
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          ws();
        } else if (text[i] !== ']') throw new JsonSyntaxError('expected , or ]');
      }
      i++;
      return { type: 'array', start, end: i, items };
    }
    if (c === '"') return str();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) throw new JsonSyntaxError('unexpected token');
    i += m[0].length;
    const lit = m[0];
    if (lit === 'true' || lit === 'false') return { type: 'boolean', start, end: i, value: lit === 'true' };
    if (lit === 'null') return { type: 'null', start, end: i, value: null };
    return { type: 'number', start, end: i, value: Number(lit) };
  };
  try {
    return value(0);
  } catch {
    return undefined;
  }
}

/** The profile objects of a redis-tls.json document ({ "profiles": [...] } or a bare array). */
export function profileObjects(root: JsonNode | undefined): JsonNode[] {
  if (!root) return [];
  const list = root.type === 'array' ? root : root.properties?.find((p) => p.key === 'profiles')?.value;
  return (list?.items ?? []).filter((n) => n.type === 'object');
}

export function property(obj: JsonNode, key: string): JsonProperty | undefined {
  return obj.properties?.find((p) => p.key === key);
}

/** Finds the profile object whose "id" or "name" is the given one. */
export function findProfileObject(root: JsonNode | undefined, name: string, id?: string): JsonNode | undefined {
  const objects = profileObjects(root);
  return objects.find((o) => id !== undefined && property(o, 'id')?.value.value === id)
    ?? objects.find((o) => property(o, 'name')?.value.value === name);
}
