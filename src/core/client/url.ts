/**
 * `redis://` and `rediss://` URLs, as redis-cli reads them:
 *   rediss://[user[:password]@]host[:port][/db]   (IPv6 hosts in brackets; userinfo percent-decoded)
 * A lone userinfo part without a colon is the ACL user name (`rediss://alice@host`, as the URL standard,
 * ioredis and node-redis read it; the password then comes from REDISCLI_AUTH or SecretStorage).
 * `:password@` carries a password for the default user.
 * Pure: no I/O, no defaults beyond port 6379. Shared by the CLI and the extension's import.
 */

export interface ParsedRedisUrl {
  tls: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  /** True when the URL carried a password: callers should show PASSWORD_IN_URL_WARNING. */
  passwordInUrl: boolean;
}

export type RedisUrlResult = { ok: true; value: ParsedRedisUrl } | { ok: false; error: string };

/** redis-cli's own words for a password on the command line. */
export const PASSWORD_IN_URL_WARNING = "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.";

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function isRedisUrl(text: string): boolean {
  return /^rediss?:\/\//i.test(text.trim());
}

export function parseRedisUrl(text: string): RedisUrlResult {
  const input = text.trim();
  const scheme = /^(rediss?):\/\//i.exec(input);
  if (!scheme) return { ok: false, error: 'A Redis URL starts with redis:// or rediss://' };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, error: 'Not a valid URL.' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { ok: false, error: 'The URL has no host.' };
  const port = url.port ? Number(url.port) : 6379;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, error: `Invalid port "${url.port}".` };
  const value: ParsedRedisUrl = { tls: scheme[1].toLowerCase() === 'rediss', host, port, passwordInUrl: false };
  const path = url.pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  if (path !== '') {
    if (!/^\d+$/.test(path)) return { ok: false, error: `The database in the URL path must be a number, not "${decode(path)}".` };
    value.db = Number(path);
  }
  const user = decode(url.username);
  const pass = decode(url.password);
  if (pass !== '') {
    value.password = pass;
    if (user !== '') value.username = user;
  } else if (user !== '') {
    value.username = user;
  }
  value.passwordInUrl = value.password !== undefined;
  return { ok: true, value };
}
