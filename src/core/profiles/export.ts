/** "Copy as redis-cli command": the profile as a command line, with no secret in it. */
import type { Profile } from './profile';

export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command and the notes a user needs to run it. The password is never included: redis-cli
 * reads it from the REDISCLI_AUTH environment variable, which the note tells the user to set.
 */
export function toRedisCliCommand(p: Profile): { command: string; notes: string[] } {
  const args = ['redis-cli', '-h', p.host, '-p', String(p.port)];
  const notes: string[] = [];
  if (p.db !== 0) args.push('-n', String(p.db));
  if (p.username) args.push('--user', p.username);
  if (p.tls) {
    args.push('--tls');
    if (p.servername) args.push('--sni', p.servername);
    if (p.ca.kind === 'file') args.push('--cacert', p.ca.path);
    else if (p.ca.kind === 'imported') {
      args.push('--cacert', 'ca.pem');
      notes.push('The CA is stored in the profile: save it as ca.pem first.');
    }
    if (p.client.kind === 'files') {
      args.push('--cert', p.client.certPath, '--key', p.client.keyPath);
      if (p.client.encryptedKey) notes.push('The client key is encrypted: redis-cli (OpenSSL) asks for its passphrase.');
    } else if (p.client.kind === 'imported') {
      args.push('--cert', 'client.crt', '--key', 'client.key');
      notes.push('The client certificate and key are stored in the profile: save them as client.crt and client.key first.');
    } else if (p.client.kind === 'pfx') {
      notes.push(
        `redis-cli cannot read PKCS#12: convert ${p.client.path} with "openssl pkcs12 -in FILE -out client.pem -nodes" and pass --cert/--key.`,
      );
    }
    if (p.verify === 'insecure') {
      args.push('--insecure');
      notes.push('This profile does not verify the server certificate (UNVERIFIED).');
    } else if (p.verify === 'pin') {
      notes.push('redis-cli has no certificate pinning: it verifies the chain against --cacert instead.');
    }
    notes.push("redis-cli 7.0 does not check the server's host name.");
  }
  if (p.hasPassword) {
    notes.unshift('Set the password in the environment first (it is not in the command): export REDISCLI_AUTH=...');
  }
  return { command: args.map(shellQuote).join(' '), notes };
}
