/**
 * Profile + secrets -> ConnectionOptions, right before connecting. Linked files are read here, at
 * every connection, so a rotated certificate is used the next time without re-importing it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ConnectionOptions, TlsSettings } from '../endpoint/options';
import { isEncryptedKeyPem, preflight, splitCertificates, type PreflightInput, type PreflightResult } from './checks';
import type { DraftSecrets } from './draft';
import { isReadOnlyProfile, type Profile } from './profile';
import { DiagnosedError } from '../diagnosis/problem';
import { fileNotCertificateProblem, fileUnreadableProblem } from '../diagnosis/fileProblem';

export interface FileReader {
  readFile(file: string): Promise<Buffer>;
  /** Entries of a directory (for a CA path that is a directory, like redis-cli --cacertdir). */
  readDir?(dir: string): Promise<string[]>;
  isDirectory?(file: string): Promise<boolean>;
}

export const nodeFileReader: FileReader = {
  readFile: (file) => fs.readFile(file),
  readDir: (dir) => fs.readdir(dir),
  isDirectory: async (file) => (await fs.stat(file)).isDirectory(),
};

const CA_FILE_RE = /\.(pem|crt|cer)$/i;

/** A missing/unreadable linked file: FILE_UNREADABLE with the path, the errno and the profile field at fault. */
export class ProfileFileError extends DiagnosedError {
  constructor(
    readonly field: 'ca' | 'cert' | 'key',
    readonly file: string,
    cause: unknown,
    what?: string,
  ) {
    super(fileUnreadableProblem(field, file, cause, what), { cause });
    this.name = 'ProfileFileError';
  }
}

async function read(reader: FileReader, field: 'ca' | 'cert' | 'key', file: string, what?: string): Promise<Buffer> {
  try {
    return await reader.readFile(file);
  } catch (e) {
    throw new ProfileFileError(field, file, e, what);
  }
}

/** The PEM text(s) of a CA source: one entry per file (a directory gives every .pem/.crt/.cer in it). */
export async function readCaFile(reader: FileReader, caPath: string): Promise<Buffer[]> {
  if (reader.isDirectory && reader.readDir && (await reader.isDirectory(caPath).catch(() => false))) {
    let entries: string[];
    try {
      entries = await reader.readDir(caPath);
    } catch (e) {
      throw new ProfileFileError('ca', caPath, e, 'CA directory');
    }
    const names = entries.filter((n) => CA_FILE_RE.test(n)).sort();
    return Promise.all(names.map((n) => read(reader, 'ca', path.join(caPath, n))));
  }
  return [await read(reader, 'ca', caPath)];
}

export async function resolveConnectionOptions(
  profile: Profile,
  secrets: DraftSecrets,
  reader: FileReader = nodeFileReader,
): Promise<ConnectionOptions> {
  const tls: TlsSettings = { enabled: profile.tls };
  if (profile.tls) {
    tls.verify = profile.verify;
    if (profile.servername) tls.servername = profile.servername;
    if (profile.minTlsVersion) tls.minVersion = profile.minTlsVersion;
    if (profile.maxTlsVersion) tls.maxVersion = profile.maxTlsVersion;
    if (profile.verify === 'pin' && profile.pinSha256) tls.pinSha256 = profile.pinSha256;
    const ca = profile.ca;
    if (ca.kind === 'file') {
      tls.ca = await readCaFile(reader, ca.path);
      // A key or any other file in place of the CA: say so, rather than a handshake failing later.
      if (!tls.ca.some((pem) => splitCertificates(pem).length > 0)) throw new DiagnosedError(fileNotCertificateProblem('ca', ca.path));
      if (ca.alsoSystem) tls.useSystemCA = true;
    } else if (ca.kind === 'imported') {
      if (secrets.caPem) tls.ca = [secrets.caPem];
      if (ca.alsoSystem) tls.useSystemCA = true;
    }
    const client = profile.client;
    if (client.kind === 'files') {
      tls.cert = await read(reader, 'cert', client.certPath);
      tls.key = await read(reader, 'key', client.keyPath);
      if (secrets.passphrase) tls.passphrase = secrets.passphrase;
    } else if (client.kind === 'imported') {
      tls.cert = secrets.certPem;
      tls.key = secrets.keyPem;
      if (secrets.passphrase) tls.passphrase = secrets.passphrase;
    } else if (client.kind === 'pfx') {
      tls.pfx = secrets.pfx ? Buffer.from(secrets.pfx, 'base64') : await read(reader, 'cert', client.path, 'PKCS#12 file');
      if (secrets.pfxPassword) tls.passphrase = secrets.pfxPassword;
    }
  }
  const options: ConnectionOptions = { host: profile.host, port: profile.port, tls, db: profile.db };
  if (profile.username) options.username = profile.username;
  if (secrets.password) options.password = secrets.password;
  if (isReadOnlyProfile(profile)) {
    options.readOnly = true;
    options.profileName = profile.name;
  }
  return options;
}

/**
 * The pre-connect checks of a saved profile: reads its linked files (or imported material) now and
 * runs `preflight`. Unreadable files become problems of their field. Never connects.
 */
export async function checkProfile(
  profile: Profile,
  secrets: DraftSecrets,
  reader: FileReader = nodeFileReader,
  warningDays = 30,
): Promise<PreflightResult> {
  if (!profile.tls) return { errors: [], warnings: [] };
  const input: PreflightInput = { warningDays, passphrase: secrets.passphrase, pfxPassword: secrets.pfxPassword };
  const errors: PreflightResult['errors'] = [];
  // A linked file that cannot be read is FILE_UNREADABLE of its field (path and errno in the detail).
  const unreadable = (e: unknown): void => {
    if (!(e instanceof ProfileFileError)) throw e;
    errors.push(e.problem);
  };
  try {
    if (profile.ca.kind === 'file') input.ca = await readCaFile(reader, profile.ca.path);
    else if (profile.ca.kind === 'imported' && secrets.caPem) input.ca = [secrets.caPem];
  } catch (e) {
    unreadable(e);
  }
  const client = profile.client;
  try {
    if (client.kind === 'files') {
      input.cert = await read(reader, 'cert', client.certPath);
      input.key = await read(reader, 'key', client.keyPath);
    } else if (client.kind === 'imported') {
      input.cert = secrets.certPem;
      input.key = secrets.keyPem;
    } else if (client.kind === 'pfx') {
      input.pfx = secrets.pfx ? Buffer.from(secrets.pfx, 'base64') : await read(reader, 'cert', client.path, 'PKCS#12 file');
    }
  } catch (e) {
    unreadable(e);
  }
  // Without a stored passphrase an encrypted key is not a problem yet: it is asked for on connect.
  if (input.key !== undefined && !input.passphrase && isEncryptedKeyPem(input.key)) {
    const { key: _key, ...rest } = input;
    const result = preflight(rest);
    return { ...result, errors: [...errors, ...result.errors], keyEncrypted: true };
  }
  const result = preflight(input);
  return { ...result, errors: [...errors, ...result.errors] };
}
