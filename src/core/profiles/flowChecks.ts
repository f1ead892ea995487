/**
 * The checks of the Add/Edit Connection flow, free of any UI: reading the files an answers object
 * links, the pre-connect checks of a draft, and the validators of typed answers (host:port, file
 * paths, passphrases). The flow (commands/connectionFlow.ts) only asks and shows.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Problem } from '../diagnosis/problem';
import type { AnswerFiles, ConnectionAnswers } from './answers';
import { preflight, type PreflightResult } from './checks';
import { validatePort, type ProfileDraft } from './draft';
import type { Profile } from './profile';
import { nodeFileReader, ProfileFileError, readCaFile } from './resolve';
import { fileUnreadableProblem } from '../diagnosis/fileProblem';

export function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** Reads the files an answers object links (else those of `base`); unreadable files become problems of their field. */
export async function readAnswerFiles(answers: ConnectionAnswers, base?: Profile): Promise<{ files: AnswerFiles; problems: Problem[] }> {
  const files: AnswerFiles = {};
  const problems: Problem[] = [];
  const missing = (field: 'ca' | 'cert' | 'key', file: string, e: unknown, what?: string): void => {
    problems.push(e instanceof ProfileFileError ? e.problem : fileUnreadableProblem(field, file, e, what));
  };
  const caPath = answers.caPath ?? (base?.ca.kind === 'file' && answers.caPem === undefined ? base.ca.path : undefined);
  if (caPath) {
    try {
      files.ca = await readCaFile(nodeFileReader, caPath);
    } catch (e) {
      missing('ca', caPath, e);
    }
  }
  const linked = base?.client.kind === 'files' ? base.client : undefined;
  const certPath = answers.certPath ?? (answers.pfxPath === undefined && answers.certPem === undefined ? linked?.certPath : undefined);
  const keyPath = answers.keyPath ?? (answers.pfxPath === undefined && answers.keyPem === undefined ? linked?.keyPath : undefined);
  for (const [field, file] of [
    ['cert', certPath],
    ['key', keyPath],
  ] as const) {
    if (!file) continue;
    try {
      files[field] = await fs.readFile(file);
    } catch (e) {
      missing(field, file, e);
    }
  }
  const pfxPath = answers.pfxPath ?? (base?.client.kind === 'pfx' && answers.certPath === undefined ? base.client.path : undefined);
  if (pfxPath) {
    try {
      files.pfx = await fs.readFile(pfxPath);
    } catch (e) {
      missing('cert', pfxPath, e, 'PKCS#12 file');
    }
  }
  return { files, problems };
}

/** The pre-connect checks of a draft (CA, identity, passphrase, expiry). */
export function checkDraft(
  draft: ProfileDraft,
  files: AnswerFiles,
  warningDays: number,
  storedSecrets: ProfileDraft['secrets'] = {},
): PreflightResult {
  const s = { ...storedSecrets, ...draft.secrets };
  const p = draft.profile;
  if (!p.tls) return { errors: [], warnings: [] };
  const ca = p.ca.kind === 'file' ? files.ca : p.ca.kind === 'imported' && s.caPem ? [s.caPem] : undefined;
  const cert = p.client.kind === 'files' ? files.cert : p.client.kind === 'imported' ? s.certPem : undefined;
  const key = p.client.kind === 'files' ? files.key : p.client.kind === 'imported' ? s.keyPem : undefined;
  const pfx = p.client.kind === 'pfx' ? files.pfx : undefined;
  return preflight({ ca, cert, key, passphrase: s.passphrase, pfx, pfxPassword: s.pfxPassword, warningDays });
}

/** "host", "host:port" or "[v6]:port"; a port that is not valid is left out. */
export function splitHostPort(text: string): { host: string; port?: number } {
  const t = text.trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t) ?? /^([^:]+):(\d+)$/.exec(t);
  if (m) return { host: m[1], port: m[2] && validatePort(m[2]) === undefined ? Number(m[2]) : undefined };
  return { host: t };
}

/** A typed path to an existing file (or directory, when allowed): an error message, or undefined. */
export function validateLocalPath(text: string, allowDirectory: boolean): string | undefined {
  const file = expandHome(text.trim());
  if (!path.isAbsolute(file)) return 'Enter an absolute path.';
  if (!existsSync(file)) return 'No such file.';
  if (!allowDirectory && statSync(file).isDirectory()) return 'This is a directory.';
  return undefined;
}

/** Whether `passphrase` opens the encrypted PEM key. */
export function passphraseOpensKey(keyPem: Buffer | string, passphrase: string): boolean {
  try {
    createPrivateKey({ key: keyPem, format: 'pem', passphrase });
    return true;
  } catch {
    return false;
  }
}

/** Whether `password` opens the PKCS#12 file (undefined file: nothing to check). */
export function passwordOpensPfx(pfx: Buffer | undefined, password: string): boolean {
  return !pfx || !preflight({ pfx, pfxPassword: password }).errors.some((e) => e.code === 'KEY_PASSPHRASE' && e.field === 'passphrase');
}
