/**
 * File problems. FILE_UNREADABLE: a CA, certificate, key or PKCS#12 file named by the user could not
 * be read. One builder for every place a file is read (profile resolve, flow checks, CLI flags), so
 * the detail always names the path and the errno, and the field at fault is set. FILE_NOT_CERTIFICATE:
 * a CA or client certificate file was read but holds no certificate (a key, a CSR, another file).
 */
import { makeProblem } from './catalogue';
import { DiagnosedError, type Problem, type ProblemField } from './problem';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** The errno code of a failed read ("EACCES"), or "EUNKNOWN". */
export function errnoOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'EUNKNOWN';
}

/** What a field's file is called in a sentence. */
function fileLabel(field: ProblemField, what?: string): string {
  if (what) return what;
  return field === 'ca' ? 'CA file' : field === 'cert' ? 'client certificate file' : field === 'key' ? 'client key file' : 'file';
}

/** The problem for a file that could not be read: path and errno in the detail and facts, the field at fault. */
export function fileUnreadableProblem(field: ProblemField, path: string, e: unknown, what?: string): Problem {
  const errno = errnoOf(e);
  const reason = REASONS[errno];
  const label = fileLabel(field, what);
  return makeProblem('FILE_UNREADABLE', `The ${label} ${path} cannot be read: ${errno}${reason ? ` (${reason})` : ''}.`, {
    field,
    title: `The ${label} cannot be read`,
    facts: { path, errno },
  });
}

export function fileUnreadableError(field: ProblemField, path: string, e: unknown, what?: string): DiagnosedError {
  return new DiagnosedError(fileUnreadableProblem(field, path, e, what), { cause: e });
}

/** A CA or client certificate file (or imported PEM) in which no CERTIFICATE block could be read. */
export function fileNotCertificateProblem(field: 'ca' | 'cert', path?: string): Problem {
  const label = field === 'ca' ? 'CA file' : 'client certificate file';
  return makeProblem('FILE_NOT_CERTIFICATE', `No PEM "CERTIFICATE" block could be read from ${path ? `the ${label} ${path}` : 'it'}.`, {
    field,
    title: `The ${label} holds no certificate`,
    fix:
      field === 'ca'
        ? 'Choose the PEM file of the certificate authority that signed the server certificate.'
        : 'Choose the PEM file of the client certificate (not the key).',
    ...(path ? { facts: { path } } : {}),
  });
}
