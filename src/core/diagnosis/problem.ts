/**
 * Every failure the product can report maps to exactly one of these codes. UI text is derived from
 * the code and the facts gathered at the failure, never parsed back out of an error message.
 */
export const DIAGNOSIS_CODES = [
  'CONNECTION_REFUSED',
  'HOST_NOT_FOUND',
  'TIMEOUT',
  'NOT_TLS',
  'TLS_REQUIRED',
  'HOSTNAME_MISMATCH',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'SELF_SIGNED',
  'UNTRUSTED_ROOT',
  'UNKNOWN_ISSUER',
  'CA_BUNDLE_INCOMPLETE',
  'WRONG_PURPOSE',
  'WEAK_CERTIFICATE',
  'TLS_VERSION_MISMATCH',
  'CLIENT_CERT_REQUIRED',
  'CLIENT_CERT_UNTRUSTED',
  'CLIENT_CERT_REJECTED',
  'KEY_MISMATCH',
  'KEY_PASSPHRASE',
  'FILE_UNREADABLE',
  'FILE_NOT_CERTIFICATE',
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'NO_PERMISSION',
  'PROTOCOL_ERROR',
] as const;

export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

/** Which part of a connection profile is at fault; lets the editor put a squiggle on that field. */
export type ProblemField =
  'host' | 'port' | 'servername' | 'tls' | 'ca' | 'cert' | 'key' | 'passphrase' | 'username' | 'password' | 'tlsVersion' | 'pin';

export interface Problem {
  code: DiagnosisCode;
  /** One line: what is wrong. */
  title: string;
  /** The real values: names on the certificate vs. the name checked, dates, missing issuer, versions… */
  detail: string;
  /** What the user can do about it. */
  fix: string;
  /** The profile field at fault, when there is one. */
  field?: ProblemField;
  /** Machine-readable facts behind the detail (e.g. { certNames: [...], checkedName: 'x' }). */
  facts?: Record<string, unknown>;
}

/** An error that carries its diagnosis. Never put secrets in any of its strings. */
export class DiagnosedError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(`${problem.code}: ${problem.title}`, options);
    this.name = 'DiagnosedError';
    this.problem = problem;
  }
}

export function isDiagnosedError(e: unknown): e is DiagnosedError {
  return e instanceof DiagnosedError;
}
