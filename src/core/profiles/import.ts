/**
 * Profiles from a `redis://` / `rediss://` URL or a pasted `redis-cli` command line. Passwords found
 * there go to the draft's secrets, never into the profile.
 */
import { defaultName, emptyProfile, type ProfileDraft } from './draft';
import type { Profile } from './profile';

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

/** Parses a Redis URL into a draft. Throws an Error with a user-facing message on invalid input. */
export function profileFromUrl(text: string, base?: Partial<Profile>): ProfileDraft {
  const input = text.trim();
  const m = /^(rediss?):\/\//i.exec(input);
  if (!m) throw new Error('Not a Redis URL: it must start with redis:// or rediss://');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error('Not a valid URL.');
  }
  const tls = m[1].toLowerCase() === 'rediss';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new Error('The URL has no host.');
  const warnings: string[] = [];
  const profile = emptyProfile({ ...base, tls, host, port: url.port ? Number(url.port) : 6379 });
  const path = url.pathname.replace(/^\//, '');
  if (path !== '') {
    if (!/^\d+$/.test(path)) throw new Error(`The database in the URL path must be a number, not "${decode(path)}".`);
    profile.db = Number(path);
  }
  const secrets: ProfileDraft['secrets'] = {};
  const user = decode(url.username);
  const pass = decode(url.password);
  if (pass !== '') {
    secrets.password = pass;
    profile.hasPassword = true;
    if (user !== '') profile.username = user;
  } else if (user !== '') {
    // redis://secret@host (no colon): by convention the lone userinfo part is the password.
    secrets.password = user;
    profile.hasPassword = true;
  }
  for (const [key, value] of url.searchParams) {
    const k = key.toLowerCase();
    if (k === 'db' && /^\d+$/.test(value)) profile.db = Number(value);
    else if (k === 'sni' || k === 'servername') profile.servername = value;
    else if ((k === 'ssl_cert_reqs' && value.toLowerCase() === 'none') || (k === 'insecure' && TRUE_VALUES.has(value.toLowerCase()))) {
      profile.verify = 'insecure';
      warnings.push('The URL turns certificate verification off: the profile is marked unverified.');
    } else if (k === 'username' || k === 'user') profile.username = value;
    else if (k === 'password') {
      secrets.password = value;
      profile.hasPassword = true;
    } else warnings.push(`URL parameter "${key}" is not used.`);
  }
  if (!profile.name) profile.name = defaultName(profile);
  return { profile, secrets, warnings };
}

/** Splits a shell command line like a POSIX shell would (quotes, backslashes, line continuations). */
export function tokenizeShell(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let i = 0;
  const s = line.replace(/\\\r?\n/g, ' ');
  while (i < s.length) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('Unterminated single quote in the command line.');
      cur += s.slice(i + 1, end);
      has = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) i++;
        cur += s[i++];
      }
      if (i >= s.length) throw new Error('Unterminated double quote in the command line.');
      has = true;
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      has = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
      i++;
    } else {
      cur += c;
      has = true;
      i++;
    }
  }
  if (has) out.push(cur);
  return out;
}

/** Flags taking a value that we read. */
const VALUE_FLAGS = new Set(['-h', '-p', '-n', '-a', '-u', '--user', '--pass', '--cacert', '--cacertdir', '--cert', '--key', '--sni', '--tls-ciphers', '--tls-ciphersuites', '-s', '-r', '-i', '-d', '-D', '--pattern', '--count']);
/** Flags without a value that do not change the profile. */
const IGNORED_FLAGS = new Set(['--no-auth-warning', '--no-raw', '--raw', '-x', '-e', '-2', '-3', '--verbose', '--quoted-input']);

/**
 * Parses a pasted redis-cli command line (`-h -p -n --user -a/--pass --tls --cacert --cacertdir
 * --cert --key --sni --insecure -u`). `REDISCLI_AUTH=...` before the command is read as the password.
 */
export function profileFromRedisCli(line: string, base?: Partial<Profile>): ProfileDraft {
  let tokens = tokenizeShell(line.trim().replace(/^\$\s+/, ''));
  const warnings: string[] = [];
  const secrets: ProfileDraft['secrets'] = {};
  let urlDraft: ProfileDraft | undefined;
  // Leading environment assignments, then the program name.
  while (tokens.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0])) {
    const [name, ...rest] = tokens[0].split('=');
    if (name === 'REDISCLI_AUTH') secrets.password = rest.join('=');
    tokens = tokens.slice(1);
  }
  if (tokens.length > 0 && /(^|\/)redis-cli(\.exe)?$/.test(tokens[0])) tokens = tokens.slice(1);
  else if (tokens.length > 0 && !tokens[0].startsWith('-')) throw new Error('Not a redis-cli command line: paste something like "redis-cli -h host -p 6380 --tls --cacert ca.pem".');

  const p = emptyProfile({ ...base, tls: false, host: '127.0.0.1', port: 6379 });
  let sawHost = false;
  let sawPort = false;
  for (let i = 0; i < tokens.length; i++) {
    let flag = tokens[i];
    let value: string | undefined;
    const eq = flag.startsWith('--') ? flag.indexOf('=') : -1;
    if (eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (!flag.startsWith('-')) {
      warnings.push(`The Redis command at the end ("${tokens.slice(i).join(' ').slice(0, 40)}") is not part of the profile.`);
      break;
    }
    if (VALUE_FLAGS.has(flag) && value === undefined) {
      value = tokens[++i];
      if (value === undefined) throw new Error(`${flag} needs a value.`);
    }
    const v = value ?? '';
    switch (flag) {
      case '-h': p.host = v; sawHost = true; break;
      case '-p':
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) throw new Error(`-p needs a port number, not "${v}".`);
        p.port = Number(v); sawPort = true; break;
      case '-n':
        if (!/^\d+$/.test(v)) throw new Error(`-n needs a database number, not "${v}".`);
        p.db = Number(v); break;
      case '--user': p.username = v; break;
      case '-a': case '--pass': secrets.password = v; break;
      case '-u': urlDraft = profileFromUrl(v); break;
      case '--tls': p.tls = true; break;
      case '--insecure': p.verify = 'insecure'; warnings.push('--insecure turns certificate verification off: the profile is marked unverified.'); break;
      case '--sni': p.servername = v; break;
      case '--cacert': p.ca = { kind: 'file', path: v }; break;
      case '--cacertdir': p.ca = { kind: 'file', path: v }; break;
      case '--cert': p.client = p.client.kind === 'files' ? { ...p.client, certPath: v } : { kind: 'files', certPath: v, keyPath: '' }; break;
      case '--key': p.client = p.client.kind === 'files' ? { ...p.client, keyPath: v } : { kind: 'files', certPath: '', keyPath: v }; break;
      case '-c': warnings.push('-c (cluster mode) is not stored: the connection follows redirects itself.'); break;
      case '--askpass': p.hasPassword = true; warnings.push('--askpass: you will be asked for the password.'); break;
      case '--tls-ciphers': case '--tls-ciphersuites': warnings.push(`${flag} is not supported and was left out.`); break;
      default:
        if (!IGNORED_FLAGS.has(flag) && !VALUE_FLAGS.has(flag)) warnings.push(`Unknown option ${flag} was left out.`);
    }
  }
  if (urlDraft) {
    // -u gives the base; explicit flags win (redis-cli applies them in order, -u usually first).
    const u = urlDraft.profile;
    if (!sawHost) p.host = u.host;
    if (!sawPort) p.port = u.port;
    if (p.db === 0) p.db = u.db;
    if (u.tls) p.tls = true;
    p.username ??= u.username;
    secrets.password ??= urlDraft.secrets.password;
    warnings.push(...urlDraft.warnings);
  }
  if (p.client.kind === 'files' && (p.client.certPath === '' || p.client.keyPath === '')) {
    warnings.push('--cert and --key go together: the client certificate was left out.');
    p.client = { kind: 'none' };
  }
  if (!p.tls && (p.ca.kind !== 'system' || p.client.kind !== 'none' || p.servername)) {
    // redis-cli ignores TLS flags without --tls; a user pasting them means TLS.
    p.tls = true;
    warnings.push('TLS options without --tls: TLS turned on.');
  }
  if (secrets.password !== undefined) p.hasPassword = true;
  p.name = base?.name ?? defaultName(p);
  return { profile: p, secrets, warnings };
}

/** Accepts either form. */
export function profileFromText(text: string, base?: Partial<Profile>): ProfileDraft {
  return /^\s*rediss?:\/\//i.test(text) ? profileFromUrl(text, base) : profileFromRedisCli(text, base);
}
