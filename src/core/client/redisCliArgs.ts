import type { TlsVersion } from '../endpoint/options';
import { isRedisUrl, parseRedisUrl, PASSWORD_IN_URL_WARNING } from './url';

/**
 * redis-cli's connection flags, parsed without touching the file system:
 *   -h HOST -p PORT -n DB --user NAME -a PASSWORD (--pass) -u URL (or a positional redis[s]:// URL)
 *   --tls --cacert FILE --cacertdir DIR --cert FILE --key FILE --sni NAME --insecure
 *   --tls-min-version V --tls-max-version V --timeout MS
 * Later flags win over earlier ones (and over the URL), as in redis-cli. Anything else is left in
 * `rest` for the caller (the CLI's own flags, a command to run...). Shared by the CLI and the
 * extension's "import from redis-cli command".
 */
export interface ConnectionArgs {
  host?: string;
  port?: number;
  db?: number;
  user?: string;
  /** From -a/--pass or the URL; the caller decides whether to accept a secret from argv. */
  password?: string;
  /** Where the password came from, when there is one. */
  passwordSource?: 'flag' | 'url';
  /** rediss:// or --tls or any TLS file/SNI/insecure flag. */
  tls: boolean;
  /** --tls given explicitly (redis-cli needs it; we infer TLS from TLS flags too). */
  tlsFlag: boolean;
  cacert?: string;
  cacertdir?: string;
  cert?: string;
  key?: string;
  sni?: string;
  insecure: boolean;
  tlsMinVersion?: TlsVersion;
  tlsMaxVersion?: TlsVersion;
  timeoutMs?: number;
  url?: string;
  /** Arguments this parser does not know, in order. */
  rest: string[];
  warnings: string[];
  /** Usage problems (missing values, bad numbers...). Non-empty means: do not connect. */
  errors: string[];
}

/** Flags that take a value (the next argument, or `--flag=value`). */
export const VALUE_FLAGS = new Set([
  '-h',
  '-p',
  '-n',
  '-a',
  '-u',
  '--user',
  '--pass',
  '--cacert',
  '--cacertdir',
  '--cert',
  '--key',
  '--sni',
  '--tls-min-version',
  '--tls-max-version',
  '--timeout',
]);

function toVersion(v: string): TlsVersion | undefined {
  const m = /^(?:TLSv?)?(1\.[23])$/i.exec(v.trim());
  return m ? (`TLSv${m[1]}` as TlsVersion) : undefined;
}

export function parseConnectionArgs(argv: readonly string[]): ConnectionArgs {
  const out: ConnectionArgs = { tls: false, tlsFlag: false, insecure: false, rest: [], warnings: [], errors: [] };
  const args = [...argv];
  if (args[0] && /(^|\/)redis-cli$/.test(args[0])) args.shift();
  const applyUrl = (text: string): void => {
    const r = parseRedisUrl(text);
    if (!r.ok) {
      out.errors.push(`Invalid URL: ${r.error}`);
      return;
    }
    const u = r.value;
    out.url = text;
    out.host = u.host;
    out.port = u.port;
    if (u.tls) out.tls = true;
    if (u.db !== undefined) out.db = u.db;
    if (u.username !== undefined) out.user = u.username;
    if (u.password !== undefined) {
      out.password = u.password;
      out.passwordSource = 'url';
      if (!out.warnings.includes(PASSWORD_IN_URL_WARNING)) out.warnings.push(PASSWORD_IN_URL_WARNING);
    }
  };
  const int = (flag: string, v: string, min: number, max: number): number | undefined => {
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      out.errors.push(`${flag} needs a whole number from ${min} to ${max}, not "${v}".`);
      return undefined;
    }
    return Number(v);
  };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let inlineValue: string | undefined;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0 && VALUE_FLAGS.has(a.slice(0, eq))) {
      inlineValue = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (VALUE_FLAGS.has(a)) {
      const v = inlineValue ?? args[++i];
      if (v === undefined) {
        out.errors.push(`${a} needs a value.`);
        break;
      }
      switch (a) {
        case '-h':
          out.host = v.replace(/^\[|\]$/g, '');
          break;
        case '-p': {
          const p = int(a, v, 1, 65535);
          if (p !== undefined) out.port = p;
          break;
        }
        case '-n': {
          const n = int(a, v, 0, 1_000_000);
          if (n !== undefined) out.db = n;
          break;
        }
        case '--user':
          out.user = v;
          break;
        case '-a':
        case '--pass':
          out.password = v;
          out.passwordSource = 'flag';
          if (!out.warnings.includes(PASSWORD_IN_URL_WARNING)) out.warnings.push(PASSWORD_IN_URL_WARNING);
          break;
        case '-u':
          applyUrl(v);
          break;
        case '--cacert':
          out.cacert = v;
          out.tls = true;
          break;
        case '--cacertdir':
          out.cacertdir = v;
          out.tls = true;
          break;
        case '--cert':
          out.cert = v;
          out.tls = true;
          break;
        case '--key':
          out.key = v;
          out.tls = true;
          break;
        case '--sni':
          out.sni = v;
          out.tls = true;
          break;
        case '--tls-min-version':
        case '--tls-max-version': {
          const ver = toVersion(v);
          if (!ver) out.errors.push(`${a} must be TLSv1.2 or TLSv1.3, not "${v}".`);
          else if (a === '--tls-min-version') out.tlsMinVersion = ver;
          else out.tlsMaxVersion = ver;
          out.tls = true;
          break;
        }
        case '--timeout': {
          const t = int(a, v, 1, 3_600_000);
          if (t !== undefined) out.timeoutMs = t;
          break;
        }
        default:
          break;
      }
      continue;
    }
    if (a === '--tls') {
      out.tls = true;
      out.tlsFlag = true;
      continue;
    }
    if (a === '--insecure') {
      out.insecure = true;
      out.tls = true;
      continue;
    }
    if (isRedisUrl(a)) {
      applyUrl(a);
      continue;
    }
    out.rest.push(args[i]);
  }
  if (out.tlsMinVersion && out.tlsMaxVersion && out.tlsMinVersion > out.tlsMaxVersion) {
    out.errors.push(`--tls-min-version ${out.tlsMinVersion} is above --tls-max-version ${out.tlsMaxVersion}.`);
  }
  return out;
}

/**
 * Splits a pasted command line into arguments like a POSIX shell would for the simple cases:
 * whitespace separates, single quotes are literal, double quotes allow \" and \\, backslash escapes.
 */
export function splitCommandLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\' || line[i + 1] === '$')) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      if (line[i + 1] !== '\n') cur += line[i + 1];
      i++;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}
