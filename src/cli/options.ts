import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from '../core/endpoint/options';
import type { ConnectionArgs } from '../core/client/redisCliArgs';
import { isEncryptedKeyPem } from '../core/certs/pem';
import { fileUnreadableError } from '../core/diagnosis/fileProblem';

export class UsageError extends Error {}

/** Prints a UsageError the CLI's way and returns exit status 2; anything else is rethrown. */
export function usageExit(e: unknown): number {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`redis-tls: ${e.message}\n(see redis-tls --help)\n`);
  return 2;
}

const FLAG_FIELDS = {
  '--cacert': ['ca', 'CA file (--cacert)'],
  '--cert': ['cert', 'client certificate file (--cert)'],
  '--key': ['key', 'client key file (--key)'],
} as const;

/** Reads a file named by a flag; an unreadable one is FILE_UNREADABLE (a diagnosed problem, exit 1). */
function readFile(flag: keyof typeof FLAG_FIELDS, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const [field, what] = FLAG_FIELDS[flag];
    throw fileUnreadableError(field, path, e, what);
  }
}

/** Every certificate file in a directory (as redis-cli's --cacertdir / OpenSSL's CApath would use). */
function readCaDir(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw fileUnreadableError('ca', dir, e, 'CA directory (--cacertdir)');
  }
  const out: Buffer[] = [];
  for (const n of names.sort()) {
    if (!/\.(pem|crt|cer)$|\.\d+$/i.test(n)) continue;
    const p = join(dir, n);
    try {
      if (!statSync(p).isFile()) continue;
      const b = readFileSync(p);
      if (b.includes('-----BEGIN CERTIFICATE-----')) out.push(b);
    } catch {
      // unreadable entries are skipped, as OpenSSL does
    }
  }
  if (out.length === 0) throw new UsageError(`--cacertdir ${dir} holds no PEM certificates`);
  return out;
}

/**
 * Turns parsed flags plus the environment into live connection options. Secrets only come from the
 * environment (REDISCLI_AUTH, REDIS_TLS_KEY_PASSPHRASE), the URL (with a warning), or the prompt.
 */
export function buildConnectionOptions(args: ConnectionArgs, env: NodeJS.ProcessEnv, passphrase?: string): ConnectionOptions {
  if (args.passwordSource === 'flag') {
    throw new UsageError('redis-tls takes no password on the command line (-a/--pass): set REDISCLI_AUTH instead');
  }
  const ca: Buffer[] = [];
  if (args.cacert) ca.push(readFile('--cacert', args.cacert));
  if (args.cacertdir) ca.push(...readCaDir(args.cacertdir));
  const cert = args.cert ? readFile('--cert', args.cert) : undefined;
  const key = args.key ? readFile('--key', args.key) : undefined;
  const password = args.password ?? env.REDISCLI_AUTH;
  const pass = passphrase ?? env.REDIS_TLS_KEY_PASSPHRASE;
  const o: ConnectionOptions = {
    host: args.host ?? '127.0.0.1',
    port: args.port ?? 6379,
    tls: {
      enabled: args.tls,
      ...(args.sni ? { servername: args.sni } : {}),
      ...(ca.length ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(key && pass !== undefined && pass !== '' ? { passphrase: pass } : {}),
      ...(args.tlsMinVersion ? { minVersion: args.tlsMinVersion } : {}),
      ...(args.tlsMaxVersion ? { maxVersion: args.tlsMaxVersion } : {}),
      verify: args.insecure ? 'insecure' : 'full',
    },
    ...(args.db !== undefined ? { db: args.db } : {}),
    ...(args.user ? { username: args.user } : {}),
    ...(password !== undefined && password !== '' ? { password } : {}),
    clientName: 'redis-tls',
    ...(args.timeoutMs ? { connectTimeoutMs: args.timeoutMs, commandTimeoutMs: args.timeoutMs } : {}),
  };
  return o;
}

/** buildConnectionOptions, asking for the passphrase of an encrypted --key on a terminal when the environment has none. */
export async function connectionOptionsFromArgs(args: ConnectionArgs, env: NodeJS.ProcessEnv): Promise<ConnectionOptions> {
  let passphrase: string | undefined;
  if (args.key && env.REDIS_TLS_KEY_PASSPHRASE === undefined && process.stdin.isTTY) {
    let keyPem: Buffer | undefined;
    try {
      keyPem = readFileSync(args.key);
    } catch {
      /* reported by buildConnectionOptions */
    }
    if (keyPem && isEncryptedKeyPem(keyPem)) passphrase = await promptHidden(`Passphrase for ${args.key}: `);
  }
  return buildConnectionOptions(args, env, passphrase);
}

/** Reads a line from the terminal without echo. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
