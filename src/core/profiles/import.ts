/**
 * Profiles from a `redis://` / `rediss://` URL or a pasted `redis-cli` command line. Passwords found
 * there go to the draft's secrets, never into the profile.
 */
import { parseConnectionArgs, splitCommandLine } from '../client/redisCliArgs';
import { parseRedisUrl, PASSWORD_IN_URL_WARNING } from '../client/url';
import { defaultName, emptyProfile, type ProfileDraft } from './draft';
import type { Profile } from './profile';

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

/** Parses a Redis URL into a draft (the client's shared parser, plus `sni`/`ssl_cert_reqs` parameters). Throws on invalid input. */
export function profileFromUrl(text: string, base?: Partial<Profile>): ProfileDraft {
  const parsed = parseRedisUrl(text);
  if (!parsed.ok) throw new Error(parsed.error);
  const u = parsed.value;
  const warnings: string[] = [];
  const profile = emptyProfile({ ...base, tls: u.tls, host: u.host, port: u.port, db: u.db ?? 0 });
  const secrets: ProfileDraft['secrets'] = {};
  if (u.username !== undefined) profile.username = u.username;
  if (u.password !== undefined) {
    secrets.password = u.password;
    profile.hasPassword = true;
  }
  for (const [key, value] of new URL(text.trim()).searchParams) {
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

/** Splits a pasted command line like a shell (quotes, backslashes, `\`-newline continuations). */
export function tokenizeShell(line: string): string[] {
  return splitCommandLine(line.replace(/\\\r?\n/g, ' '));
}

/** Options of redis-cli that take a value but do not concern the profile (their value is skipped). */
const OTHER_VALUE_FLAGS = new Set([
  '-s',
  '-r',
  '-i',
  '-d',
  '-D',
  '--pattern',
  '--count',
  '--tls-ciphers',
  '--tls-ciphersuites',
  '--eval',
  '--memkeys-samples',
  '--quoted-pattern',
]);

/**
 * Parses a pasted redis-cli command line (`-h -p -n --user -a/--pass --tls --cacert --cacertdir
 * --cert --key --sni --insecure -u`, with the client's shared parser). `REDISCLI_AUTH=...` before
 * the command is read as the password.
 */
export function profileFromRedisCli(line: string, base?: Partial<Profile>): ProfileDraft {
  let tokens = tokenizeShell(line.trim().replace(/^\$\s+/, ''));
  const warnings: string[] = [];
  const secrets: ProfileDraft['secrets'] = {};
  // Leading environment assignments, then the program name.
  while (tokens.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[0])) {
    const [name, ...rest] = tokens[0].split('=');
    if (name === 'REDISCLI_AUTH') secrets.password = rest.join('=');
    tokens = tokens.slice(1);
  }
  if (tokens.length > 0 && /(^|\/)redis-cli(\.exe)?$/.test(tokens[0])) tokens = tokens.slice(1);
  else if (tokens.length > 0 && !tokens[0].startsWith('-') && !/^rediss?:\/\//i.test(tokens[0]))
    throw new Error('Not a redis-cli command line: paste something like "redis-cli -h host -p 6380 --tls --cacert ca.pem".');

  const args = parseConnectionArgs(tokens);
  if (args.errors.length > 0) throw new Error(args.errors.join(' '));
  warnings.push(...args.warnings.filter((w) => w !== PASSWORD_IN_URL_WARNING));

  const p = emptyProfile({ ...base, tls: args.tls, host: args.host ?? '127.0.0.1', port: args.port ?? 6379, db: args.db ?? 0 });
  if (args.user !== undefined) p.username = args.user;
  if (args.password !== undefined) secrets.password = args.password;
  if (args.sni !== undefined) p.servername = args.sni;
  if (args.tlsMinVersion) p.minTlsVersion = args.tlsMinVersion;
  if (args.tlsMaxVersion) p.maxTlsVersion = args.tlsMaxVersion;
  if (args.insecure) {
    p.verify = 'insecure';
    warnings.push('--insecure turns certificate verification off: the profile is marked unverified.');
  }
  // A CA path may be a directory (--cacertdir): every .pem/.crt/.cer in it is trusted at connect time.
  const caPath = args.cacert ?? args.cacertdir;
  if (caPath !== undefined) p.ca = { kind: 'file', path: caPath };
  if (args.cacert !== undefined && args.cacertdir !== undefined) warnings.push('Both --cacert and --cacertdir: only --cacert is used.');
  if (args.cert !== undefined && args.key !== undefined) p.client = { kind: 'files', certPath: args.cert, keyPath: args.key };
  else if (args.cert !== undefined || args.key !== undefined)
    warnings.push('--cert and --key go together: the client certificate was left out.');
  if (args.tls && !args.tlsFlag && !(args.url && /^rediss:/i.test(args.url))) warnings.push('TLS options without --tls: TLS turned on.');

  for (let i = 0; i < args.rest.length; i++) {
    const flag = args.rest[i];
    if (!flag.startsWith('-')) {
      // Its words are not repeated: they may hold a secret (e.g. a trailing AUTH user password).
      const words = args.rest.length - i;
      warnings.push(`The Redis command at the end (${words} word${words === 1 ? '' : 's'}) is not part of the profile.`);
      break;
    }
    if (flag === '-c') warnings.push('-c (cluster mode) is not stored: the connection follows redirects itself.');
    else if (flag === '--askpass') {
      p.hasPassword = true;
      warnings.push('--askpass: you will be asked for the password.');
    } else if (OTHER_VALUE_FLAGS.has(flag)) {
      warnings.push(`${flag} is not part of a connection profile and was left out.`);
      i++;
    } else if (!['--no-auth-warning', '--no-raw', '--raw', '-x', '-e', '-2', '-3', '--verbose', '--quoted-input'].includes(flag)) {
      warnings.push(`Unknown option ${flag} was left out.`);
    }
  }
  if (secrets.password !== undefined) p.hasPassword = true;
  p.name = base?.name ?? defaultName(p);
  return { profile: p, secrets, warnings };
}

/** Accepts either form. */
export function profileFromText(text: string, base?: Partial<Profile>): ProfileDraft {
  return /^\s*rediss?:\/\//i.test(text) ? profileFromUrl(text, base) : profileFromRedisCli(text, base);
}
