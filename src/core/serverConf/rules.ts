/**
 * The TLS rules for redis.conf: one core module behind `redis-tls check-conf` and the editor's
 * diagnostics. Reads the file (and its includes) like redis-server, resolves relative paths like it
 * (against the working directory, or `dir` once set), checks the certificate and key files with the
 * certificate core, and returns findings located on the line at fault, each with a fix where one exists.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildChain,
  certificateFindings,
  DEFAULT_EXPIRY_WARNING_DAYS,
  isEncryptedKeyPem,
  keyMatchesCertificate,
  parseCertificates,
  type Certificate,
} from '../certs';
import { closestTlsDirective, tlsDirective, type TlsDirectiveInfo } from './catalogue';
import { parseConf, quoteConfValue, type ConfArg, type ConfDirective } from './parse';

export type ConfSeverity = 'error' | 'warning' | 'info';

export type ConfFindingCode =
  | 'SYNTAX'
  | 'UNKNOWN_DIRECTIVE'
  | 'BAD_VALUE'
  | 'INCLUDE_NOT_FOUND'
  | 'TLS_PORT_WITHOUT_CERT'
  | 'TLS_PORT_WITHOUT_KEY'
  | 'TLS_NO_CA'
  | 'TLS_OFF'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'CERT_UNREADABLE'
  | 'KEY_UNREADABLE'
  | 'KEY_MISMATCH'
  | 'KEY_ENCRYPTED_NO_PASS'
  | 'KEY_PASS_WRONG'
  | 'CERT_EXPIRED'
  | 'CERT_EXPIRING'
  | 'CERT_NOT_YET_VALID'
  | 'CA_MISSING_ISSUER'
  | 'CLIENT_EKU'
  | 'PLAINTEXT_PORT'
  | 'AUTH_CLIENTS_NO'
  | 'OLD_PROTOCOLS'
  | 'REPLICATION_CLEARTEXT'
  | 'CLUSTER_CLEARTEXT'
  | 'SESSION_CACHING_OFF'
  | 'WEAK_CIPHERS';

/** A text change in the file the finding is in: replace [start, end) of `line` with `newText`. */
export interface ConfEdit {
  line: number;
  start: number;
  end: number;
  newText: string;
}

export interface ConfFix {
  /** What to do, in words (also the quick fix title when `edits` exist). */
  title: string;
  edits?: ConfEdit[];
}

export interface ConfFinding {
  /** The file the line is in (an included file, or the checked one). */
  file?: string;
  /** Zero-based line and columns. */
  line: number;
  start: number;
  end: number;
  severity: ConfSeverity;
  code: ConfFindingCode;
  message: string;
  fix?: ConfFix;
  /** The certificate/key file a file finding is about (for the Inspect CodeLens and the hover). */
  path?: string;
}

export interface CheckConfOptions {
  /** The text of the file being checked (the editor passes unsaved text). */
  text: string;
  /** Its absolute path, when it has one. */
  file?: string;
  /** The directory redis-server is assumed to start in: relative paths resolve against it. */
  workingDir: string;
  /** How the working directory was chosen, for messages: "the working directory", "the workspace folder". */
  workingDirLabel: string;
  now?: Date;
  warnDays?: number;
  /** Reads a file (default: fs.readFileSync). Throws like fs on failure. */
  readFile?: (p: string) => Buffer;
}

export interface CheckConfResult {
  findings: ConfFinding[];
  /** Every directive read, includes expanded, in the order redis-server applies them. */
  directives: ConfDirective[];
  /** Certificate and key file directives of the checked file with their resolved paths (CodeLens). */
  files: Array<{ directive: ConfDirective; path: string; role: NonNullable<TlsDirectiveInfo['fileRole']> | 'dir' }>;
}

const MAX_INCLUDE_DEPTH = 8;
const PROTOCOLS = new Set(['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3']);
/** Cipher-string tokens that switch on suites broken or without authentication. */
const WEAK_CIPHER_TOKEN =
  /^(?:[+]?)(?:.*\b)?(RC4|DES|3DES|DES-CBC3|MD5|NULL|eNULL|aNULL|EXP|EXPORT|ADH|AECDH|LOW|IDEA|SEED|RC2|@SECLEVEL=[01]|ALL|COMPLEMENTOFALL)(?:\b.*)?$/i;

interface Loaded {
  directives: ConfDirective[];
  findings: ConfFinding[];
  /** The directory relative TLS paths resolve against once the configuration is read, and why. */
  finalDir: string;
  finalDirLabel: string;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'does not exist'
    : code === 'EACCES'
      ? 'cannot be read (permission denied)'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : `cannot be read (${code ?? 'error'})`;
}

function argRange(d: ConfDirective, i = 0): { line: number; start: number; end: number; file?: string } {
  const a = d.args[i] ?? d.args[d.args.length - 1];
  return { line: d.line, start: a ? a.start : d.nameStart, end: a ? a.end : d.nameEnd, ...(d.file ? { file: d.file } : {}) };
}

function nameRange(d: ConfDirective): { line: number; start: number; end: number; file?: string } {
  return { line: d.line, start: d.nameStart, end: d.nameEnd, ...(d.file ? { file: d.file } : {}) };
}

function lineEndOf(d: ConfDirective): number {
  const last = d.args[d.args.length - 1];
  return last ? last.end : d.nameEnd;
}

/** A new line after directive `d` (same file). */
function insertAfter(d: ConfDirective, text: string): ConfEdit {
  const end = lineEndOf(d);
  return { line: d.line, start: end, end, newText: `\n${text}` };
}

function replaceArg(d: ConfDirective, a: ConfArg, value: string): ConfEdit {
  return { line: d.line, start: a.start, end: a.end, newText: value };
}

function load(o: CheckConfOptions, read: (p: string) => Buffer): Loaded {
  const findings: ConfFinding[] = [];
  const directives: ConfDirective[] = [];
  let cwd = o.workingDir;
  let cwdLabel = `${o.workingDirLabel} ${o.workingDir}`;
  const visit = (text: string, file: string | undefined, depth: number): void => {
    const parsed = parseConf(text, file);
    for (const e of parsed.errors) findings.push({ ...e, severity: 'error', code: 'SYNTAX', message: e.message });
    for (const d of parsed.directives) {
      if (d.name === 'dir' && d.args[0]) {
        cwd = path.resolve(cwd, d.args[0].value);
        cwdLabel = `\`dir\` ${cwd} (redis-server changes into it while reading the configuration)`;
      }
      directives.push(d);
      if (d.name !== 'include' || !d.args[0]) continue;
      const target = path.resolve(cwd, d.args[0].value);
      const relative = !path.isAbsolute(d.args[0].value);
      if (/[*?[]/.test(path.basename(target))) {
        // Redis 7 includes every file matching a wildcard, in alphabetical order; none is no error.
        const pattern = new RegExp(
          `^${path
            .basename(target)
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        );
        let names: string[] = [];
        try {
          names = fs
            .readdirSync(path.dirname(target))
            .filter((n) => pattern.test(n))
            .sort();
        } catch {
          /* no directory: nothing included */
        }
        for (const n of names) {
          try {
            visit(read(path.join(path.dirname(target), n)).toString('utf8'), path.join(path.dirname(target), n), depth + 1);
          } catch {
            /* an unreadable match is skipped here */
          }
        }
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH) {
        findings.push({
          ...argRange(d),
          severity: 'error',
          code: 'INCLUDE_NOT_FOUND',
          message: `Includes nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?): ${target} is not read.`,
        });
        continue;
      }
      let body: Buffer;
      try {
        body = read(target);
      } catch (e) {
        findings.push({
          ...argRange(d),
          severity: 'error',
          code: 'INCLUDE_NOT_FOUND',
          path: target,
          message: `The included file ${target} ${errnoText(e)}${relative ? ` (a relative path: resolved against ${cwdLabel}, as redis-server does)` : ''}; redis-server refuses to start.`,
        });
        continue;
      }
      visit(body.toString('utf8'), target, depth + 1);
    }
  };
  visit(o.text, o.file, 0);
  return { directives, findings, finalDir: cwd, finalDirLabel: cwdLabel };
}

/** The last occurrence of a directive (redis-server keeps the last value). */
function last(directives: ConfDirective[], name: string): ConfDirective | undefined {
  for (let i = directives.length - 1; i >= 0; i--) if (directives[i].name === name) return directives[i];
  return undefined;
}

function value(d: ConfDirective | undefined): string | undefined {
  return d?.args[0]?.value;
}

function checkValues(directives: ConfDirective[], findings: ConfFinding[]): void {
  for (const d of directives) {
    if (d.name.startsWith('tls-')) {
      const info = tlsDirective(d.name);
      if (!info) {
        const near = closestTlsDirective(d.name);
        findings.push({
          ...nameRange(d),
          severity: 'error',
          code: 'UNKNOWN_DIRECTIVE',
          message: `Unknown directive "${d.rawName}": redis-server refuses to start ("Bad directive or wrong number of arguments").${near ? ` Did you mean ${near}?` : ''}`,
          ...(near
            ? { fix: { title: `Change to ${near}`, edits: [{ line: d.line, start: d.nameStart, end: d.nameEnd, newText: near }] } }
            : {}),
        });
        continue;
      }
      if (d.args.length !== 1) {
        findings.push({
          ...nameRange(d),
          severity: 'error',
          code: 'BAD_VALUE',
          message: `${info.name} takes exactly one argument (${d.args.length} given)${info.name === 'tls-protocols' || info.name.startsWith('tls-cipher') ? '; quote a list with spaces: tls-protocols "TLSv1.2 TLSv1.3"' : ''}: redis-server refuses to start.`,
          ...(info.name === 'tls-protocols' && d.args.length > 1
            ? {
                fix: {
                  title: 'Quote the list',
                  edits: [
                    {
                      line: d.line,
                      start: d.args[0].start,
                      end: lineEndOf(d),
                      newText: quoteConfValue(d.args.map((a) => a.value).join(' ')),
                    },
                  ],
                },
              }
            : {}),
        });
        continue;
      }
      const v = d.args[0].value;
      if (info.kind === 'yesno' && !/^(yes|no)$/i.test(v)) {
        findings.push({ ...argRange(d), severity: 'error', code: 'BAD_VALUE', message: `${info.name} takes yes or no, not "${v}".` });
      } else if (info.kind === 'enum' && !(info.values ?? []).includes(v.toLowerCase())) {
        findings.push({
          ...argRange(d),
          severity: 'error',
          code: 'BAD_VALUE',
          message: `${info.name} takes ${(info.values ?? []).join(', ')}, not "${v}".`,
        });
      } else if ((info.kind === 'port' && (!/^\d+$/.test(v) || Number(v) > 65535)) || (info.kind === 'number' && !/^\d+$/.test(v))) {
        findings.push({
          ...argRange(d),
          severity: 'error',
          code: 'BAD_VALUE',
          message: `${info.name} takes a ${info.kind === 'port' ? 'port number (0-65535)' : 'whole number'}, not "${v}".`,
        });
      } else if (info.name === 'tls-protocols') {
        const bad = v.split(/\s+/).filter((p) => p && !PROTOCOLS.has(p.toLowerCase()));
        if (bad.length)
          findings.push({
            ...argRange(d),
            severity: 'error',
            code: 'BAD_VALUE',
            message: `tls-protocols: unknown protocol ${bad.map((b) => `"${b}"`).join(', ')} (known: TLSv1 TLSv1.1 TLSv1.2 TLSv1.3); redis-server refuses to start.`,
          });
      }
    } else if (d.name === 'port' && d.args[0] && (!/^\d+$/.test(d.args[0].value) || Number(d.args[0].value) > 65535)) {
      findings.push({
        ...argRange(d),
        severity: 'error',
        code: 'BAD_VALUE',
        message: `port takes a port number (0-65535), not "${d.args[0].value}".`,
      });
    }
  }
}

interface FileRead {
  d: ConfDirective;
  path: string;
  data?: Buffer;
}

function checkConfiguration(directives: ConfDirective[], findings: ConfFinding[]): void {
  const tlsPortD = last(directives, 'tls-port');
  const tlsPort = Number(value(tlsPortD) ?? '0');
  const certD = last(directives, 'tls-cert-file');
  const keyD = last(directives, 'tls-key-file');
  const portD = last(directives, 'port');
  const replD = last(directives, 'tls-replication');
  const clusterD = last(directives, 'tls-cluster');
  const tlsReplication = /^yes$/i.test(value(replD) ?? 'no');
  const tlsCluster = /^yes$/i.test(value(clusterD) ?? 'no');
  const authD = last(directives, 'tls-auth-clients');
  const auth = (value(authD) ?? 'yes').toLowerCase();
  const tlsUsed = tlsPort > 0 || tlsReplication || tlsCluster;

  if (tlsUsed) {
    const at = tlsPortD && tlsPort > 0 ? tlsPortD : ((tlsReplication ? replD : clusterD) as ConfDirective);
    if (!certD)
      findings.push({
        ...nameRange(at),
        severity: 'error',
        code: 'TLS_PORT_WITHOUT_CERT',
        message: `${at.name} is set but tls-cert-file is not: redis-server refuses to start ("No tls-cert-file configured!").`,
        fix: { title: 'Add tls-cert-file (the server certificate, PEM) and tls-key-file (its key).' },
      });
    if (!keyD)
      findings.push({
        ...nameRange(at),
        severity: 'error',
        code: 'TLS_PORT_WITHOUT_KEY',
        message: `${at.name} is set but tls-key-file is not: redis-server refuses to start ("No tls-key-file configured!").`,
        fix: { title: 'Add tls-key-file with the private key of tls-cert-file.' },
      });
    if ((auth !== 'no' || tlsReplication || tlsCluster) && !last(directives, 'tls-ca-cert-file') && !last(directives, 'tls-ca-cert-dir')) {
      const why =
        auth !== 'no'
          ? `tls-auth-clients is ${authD ? `"${auth}"` : '"yes" by default'}`
          : tlsReplication
            ? 'tls-replication is yes'
            : 'tls-cluster is yes';
      findings.push({
        ...nameRange(at),
        severity: 'error',
        code: 'TLS_NO_CA',
        message: `No tls-ca-cert-file or tls-ca-cert-dir while ${why}: redis-server refuses to start ("Either tls-ca-cert-file or tls-ca-cert-dir must be specified").`,
        fix: {
          title:
            'Add tls-ca-cert-file with the CA that signs the client (and node) certificates, or set tls-auth-clients no if clients authenticate with a password only.',
          ...(auth !== 'no' && !tlsReplication && !tlsCluster
            ? { edits: [authD && authD.args[0] ? replaceArg(authD, authD.args[0], 'no') : insertAfter(at, 'tls-auth-clients no')] }
            : {}),
        },
      });
    }
  } else if (certD || keyD) {
    const at = (certD ?? keyD) as ConfDirective;
    findings.push({
      ...nameRange(at),
      severity: 'warning',
      code: 'TLS_OFF',
      message: `${at.name} is set but there is no tls-port (nor tls-replication/tls-cluster yes): TLS is silently OFF and clients can only connect in clear text.`,
      fix: { title: 'Add tls-port 6380', edits: [insertAfter(at, 'tls-port 6380')] },
    });
  }

  if (tlsPort > 0) {
    const plainPort = portD ? Number(value(portD) ?? '6379') : 6379;
    if (plainPort !== 0) {
      const loc = portD ? argRange(portD) : nameRange(tlsPortD as ConfDirective);
      findings.push({
        ...loc,
        severity: 'warning',
        code: 'PLAINTEXT_PORT',
        message: portD
          ? `port ${plainPort} still serves Redis in clear text next to tls-port ${tlsPort}: passwords and data can bypass TLS.`
          : `No "port" directive: redis-server also serves clear text on the default port 6379 next to tls-port ${tlsPort}.`,
        fix: {
          title: 'Set port 0 (TLS only)',
          edits: [portD && portD.args[0] ? replaceArg(portD, portD.args[0], '0') : insertAfter(tlsPortD as ConfDirective, 'port 0')],
        },
      });
    }
  }

  if (authD && auth === 'no' && tlsUsed) {
    findings.push({
      ...argRange(authD),
      severity: 'info',
      code: 'AUTH_CLIENTS_NO',
      message:
        'tls-auth-clients no: clients need no certificate; make sure they authenticate with a password or ACL user (requirepass / user).',
    });
  }

  const protoD = last(directives, 'tls-protocols');
  if (protoD?.args.length === 1) {
    const old = protoD.args[0].value.split(/\s+/).filter((p) => /^tlsv1(\.1)?$/i.test(p));
    if (old.length) {
      findings.push({
        ...argRange(protoD),
        severity: 'warning',
        code: 'OLD_PROTOCOLS',
        message: `tls-protocols allows ${old.join(' and ')}: deprecated (RFC 8996), with weak handshakes; no current client needs them.`,
        fix: { title: 'Allow TLSv1.2 and TLSv1.3 only', edits: [replaceArg(protoD, protoD.args[0], '"TLSv1.2 TLSv1.3"')] },
      });
    }
  }

  const replicaOf = last(directives, 'replicaof') ?? last(directives, 'slaveof');
  if (replicaOf && tlsPort > 0 && !tlsReplication) {
    const at = replD ?? replicaOf;
    findings.push({
      ...(replD ? argRange(replD) : nameRange(replicaOf)),
      severity: 'warning',
      code: 'REPLICATION_CLEARTEXT',
      message: `This server replicates from ${replicaOf.args.map((a) => a.value).join(' ')} but tls-replication is ${replD ? value(replD) : 'no (the default)'}: the whole dataset travels in clear text.`,
      fix: {
        title: 'Set tls-replication yes',
        edits: [replD && replD.args[0] ? replaceArg(replD, replD.args[0], 'yes') : insertAfter(at, 'tls-replication yes')],
      },
    });
  }
  const clusterEnabled = last(directives, 'cluster-enabled');
  if (clusterEnabled && /^yes$/i.test(value(clusterEnabled) ?? '') && tlsPort > 0 && !tlsCluster) {
    findings.push({
      ...(clusterD ? argRange(clusterD) : argRange(clusterEnabled)),
      severity: 'warning',
      code: 'CLUSTER_CLEARTEXT',
      message: `cluster-enabled yes but tls-cluster is ${clusterD ? value(clusterD) : 'no (the default)'}: the cluster bus (gossip, failover) runs in clear text and CLUSTER SLOTS announces the plaintext ports.`,
      fix: {
        title: 'Set tls-cluster yes',
        edits: [
          clusterD && clusterD.args[0] ? replaceArg(clusterD, clusterD.args[0], 'yes') : insertAfter(clusterEnabled, 'tls-cluster yes'),
        ],
      },
    });
  }

  const cachingD = last(directives, 'tls-session-caching');
  if (cachingD?.args[0] && /^no$/i.test(cachingD.args[0].value)) {
    findings.push({
      ...argRange(cachingD),
      severity: 'info',
      code: 'SESSION_CACHING_OFF',
      message:
        "tls-session-caching no turns off the server's TLS session cache: clients that resume from the cache pay a full handshake on every reconnect. (OpenSSL's stateless session tickets still resume: measured with Redis 7.0 and OpenSSL 3.0.)",
      fix: { title: 'Set tls-session-caching yes', edits: [replaceArg(cachingD, cachingD.args[0], 'yes')] },
    });
  }

  const ciphersD = last(directives, 'tls-ciphers');
  if (ciphersD?.args.length === 1) {
    const weak = ciphersD.args[0].value.split(/[:,\s]+/).filter((t) => t && !/^[!-]/.test(t) && WEAK_CIPHER_TOKEN.test(t));
    if (weak.length) {
      findings.push({
        ...argRange(ciphersD),
        severity: 'warning',
        code: 'WEAK_CIPHERS',
        message: `tls-ciphers enables weak suites or lowers the security level: ${weak.join(', ')}.`,
        fix: { title: "Use OpenSSL's default list (DEFAULT)", edits: [replaceArg(ciphersD, ciphersD.args[0], 'DEFAULT')] },
      });
    }
  }
}

function certsOf(f: FileRead): Certificate[] {
  try {
    return f.data ? parseCertificates(f.data, f.path) : [];
  } catch {
    return [];
  }
}

function checkFiles(
  directives: ConfDirective[],
  loaded: Loaded,
  o: CheckConfOptions,
  read: (p: string) => Buffer,
  findings: ConfFinding[],
  files: CheckConfResult['files'],
): void {
  const now = o.now ?? new Date();
  const warnDays = o.warnDays ?? DEFAULT_EXPIRY_WARNING_DAYS;
  const reads = new Map<string, FileRead>();
  const tlsUsed =
    Number(value(last(directives, 'tls-port')) ?? '0') > 0 ||
    /^yes$/i.test(value(last(directives, 'tls-replication')) ?? '') ||
    /^yes$/i.test(value(last(directives, 'tls-cluster')) ?? '');

  for (const d of directives) {
    const info = tlsDirective(d.name);
    if (!info || (info.kind !== 'file' && info.kind !== 'dir') || d.args.length !== 1) continue;
    if (last(directives, d.name) !== d) continue;
    const raw = d.args[0].value;
    const resolved = path.resolve(loaded.finalDir, raw);
    const relative = !path.isAbsolute(raw);
    const where = relative ? ` (a relative path: resolved against ${loaded.finalDirLabel}, as redis-server does)` : '';
    if (!d.file || d.file === o.file) files.push({ directive: d, path: resolved, role: info.fileRole ?? 'dir' });
    if (info.kind === 'dir') {
      try {
        if (!fs.statSync(resolved).isDirectory())
          findings.push({
            ...argRange(d),
            severity: 'error',
            code: 'FILE_NOT_FOUND',
            path: resolved,
            message: `${info.name}: ${resolved} is not a directory${where}.`,
          });
      } catch (e) {
        findings.push({
          ...argRange(d),
          severity: 'error',
          code: 'FILE_NOT_FOUND',
          path: resolved,
          message: `${info.name}: the directory ${resolved} ${errnoText(e)}${where}.`,
        });
      }
      continue;
    }
    try {
      reads.set(d.name, { d, path: resolved, data: read(resolved) });
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      findings.push({
        ...argRange(d),
        severity: tlsUsed ? 'error' : 'warning',
        code: missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        path: resolved,
        message: `${info.name}: ${resolved} ${errnoText(e)}${where}${tlsUsed ? '; redis-server refuses to start' : ''}.`,
      });
      reads.set(d.name, { d, path: resolved });
    }
  }

  const cert = reads.get('tls-cert-file');
  const clientCert = reads.get('tls-client-cert-file');
  const ca = reads.get('tls-ca-cert-file');
  const certFindings = (f: FileRead | undefined, purpose: 'server' | 'client' | 'ca'): Certificate[] => {
    if (!f?.data) return [];
    const certs = certsOf(f);
    if (certs.length === 0) {
      findings.push({
        ...argRange(f.d),
        severity: 'error',
        code: 'CERT_UNREADABLE',
        path: f.path,
        message: `${f.d.name}: ${f.path} holds no readable PEM certificate.`,
      });
      return [];
    }
    const list = purpose === 'ca' ? certs : [certs[0]];
    for (const c of list) {
      const name = c.commonNames[0] ?? c.subject;
      for (const x of certificateFindings(c, { now, warnDays, purpose: purpose === 'ca' ? 'ca' : purpose })) {
        const code: ConfFindingCode | undefined =
          x.id === 'expired'
            ? 'CERT_EXPIRED'
            : x.id === 'expiring'
              ? 'CERT_EXPIRING'
              : x.id === 'not-yet-valid'
                ? 'CERT_NOT_YET_VALID'
                : x.id === 'missing-client-eku' && purpose === 'client'
                  ? 'CLIENT_EKU'
                  : undefined;
        if (!code) continue;
        findings.push({
          ...argRange(f.d),
          severity: x.severity,
          code,
          path: f.path,
          message: `${f.d.name}: "${name}": ${x.detail}`,
          ...(x.fix ? { fix: { title: x.fix } } : {}),
        });
      }
    }
    return certs;
  };
  const serverCerts = certFindings(cert, 'server');
  const clientCerts = certFindings(clientCert, 'client');
  certFindings(ca, 'ca');

  // Without tls-client-cert-file, replication and the cluster bus present tls-cert-file as the client certificate.
  const replOrCluster =
    /^yes$/i.test(value(last(directives, 'tls-replication')) ?? '') || /^yes$/i.test(value(last(directives, 'tls-cluster')) ?? '');
  if (!clientCert && replOrCluster && cert && serverCerts[0]) {
    const eku = serverCerts[0].extendedKeyUsage;
    if (eku && !eku.includes('1.3.6.1.5.5.7.3.2') && !eku.includes('2.5.29.37.0')) {
      findings.push({
        ...argRange(cert.d),
        severity: 'error',
        code: 'CLIENT_EKU',
        path: cert.path,
        message: `${cert.d.name}: tls-replication/tls-cluster use this certificate as the client certificate too, but it lacks the clientAuth extended key usage: the other node rejects it ("unsupported certificate").`,
        fix: { title: 'Reissue it with extendedKeyUsage = serverAuth, clientAuth, or set tls-client-cert-file/tls-client-key-file.' },
      });
    }
  }

  const keyPair = (keyName: string, passName: string, certs: Certificate[]): void => {
    const key = reads.get(keyName);
    if (!key?.data) return;
    const passD = last(directives, passName);
    const pass = value(passD);
    const encrypted = isEncryptedKeyPem(key.data);
    let keyObject: crypto.KeyObject | undefined;
    if (encrypted && pass === undefined) {
      findings.push({
        ...argRange(key.d),
        severity: 'error',
        code: 'KEY_ENCRYPTED_NO_PASS',
        path: key.path,
        message: `${keyName}: ${key.path} is encrypted and ${passName} is not set: redis-server cannot load it (it would ask for the passphrase on a terminal, or fail).`,
        fix: { title: `Add ${passName} with the passphrase, or store the key unencrypted with file permissions 0600.` },
      });
      return;
    }
    try {
      keyObject = crypto.createPrivateKey(encrypted ? { key: key.data, passphrase: pass ?? '' } : { key: key.data });
    } catch {
      findings.push(
        encrypted
          ? {
              ...argRange(passD as ConfDirective),
              severity: 'error',
              code: 'KEY_PASS_WRONG',
              path: key.path,
              message: `${passName} does not open the encrypted key ${key.path}: redis-server refuses to start.`,
            }
          : {
              ...argRange(key.d),
              severity: 'error',
              code: 'KEY_UNREADABLE',
              path: key.path,
              message: `${keyName}: ${key.path} holds no readable private key (PEM).`,
            },
      );
      return;
    }
    const leaf = certs[0];
    if (leaf && !keyMatchesCertificate(leaf, keyObject)) {
      const certName = keyName === 'tls-key-file' ? 'tls-cert-file' : 'tls-client-cert-file';
      findings.push({
        ...argRange(key.d),
        severity: 'error',
        code: 'KEY_MISMATCH',
        path: key.path,
        message: `${keyName}: the key does not match the certificate of ${certName} ("${leaf.commonNames[0] ?? leaf.subject}", ${leaf.summary().publicKey}): redis-server refuses to start ("key values mismatch").`,
        fix: {
          title: 'Pair the certificate with the key it was issued for (compare `openssl x509 -noout -pubkey` with `openssl pkey -pubout`).',
        },
      });
    }
  };
  keyPair('tls-key-file', 'tls-key-file-pass', serverCerts);
  keyPair('tls-client-key-file', 'tls-client-key-file-pass', clientCerts);
}

/** The CA check needs buildChain (async): the issuer chain of tls-cert-file must be in tls-ca-cert-file. */
async function checkCaChain(
  directives: ConfDirective[],
  loaded: Loaded,
  read: (p: string) => Buffer,
  now: Date,
  findings: ConfFinding[],
): Promise<void> {
  const certD = last(directives, 'tls-cert-file');
  const caD = last(directives, 'tls-ca-cert-file');
  if (!certD?.args[0] || !caD?.args[0] || certD.args.length !== 1 || caD.args.length !== 1) return;
  let presented: Certificate[];
  let anchors: Certificate[];
  const caPath = path.resolve(loaded.finalDir, caD.args[0].value);
  try {
    presented = parseCertificates(read(path.resolve(loaded.finalDir, certD.args[0].value)));
    anchors = parseCertificates(read(caPath));
  } catch {
    return; // reported by the file checks
  }
  if (presented.length === 0 || anchors.length === 0) return;
  const report = await buildChain({ presented, anchors, useSystemRoots: false, purpose: 'server', now });
  const lastLink = report.links[report.links.length - 1];
  const anchored =
    lastLink?.checks.some((c) => c.id === 'trust' && c.verdict === 'ok') &&
    report.links.every((l) => l.checks.every((c) => c.id !== 'signature' || c.verdict === 'ok'));
  if (anchored) return;
  const replOrCluster =
    /^yes$/i.test(value(last(directives, 'tls-replication')) ?? '') || /^yes$/i.test(value(last(directives, 'tls-cluster')) ?? '');
  const missing = report.links.flatMap((l) => l.checks).find((c) => c.id === 'signature' && c.verdict === 'error');
  findings.push({
    ...argRange(caD),
    severity: replOrCluster ? 'error' : 'warning',
    code: 'CA_MISSING_ISSUER',
    path: caPath,
    message:
      `tls-ca-cert-file does not contain the issuer chain of tls-cert-file ("${presented[0].commonNames[0] ?? presented[0].subject}"): ${missing?.text ?? report.verdict} ` +
      (replOrCluster
        ? "Replicas and cluster nodes verify each other with this file, so they will reject this server's certificate."
        : 'OpenSSL cannot complete the chain the server sends from it, and clients given this CA file will not trust the server.'),
    fix: {
      title:
        'Append the intermediate and root certificates that issued tls-cert-file to the CA file (or put the intermediate after the leaf in tls-cert-file).',
    },
  });
}

/** Checks a redis.conf text: syntax, TLS configuration, posture and the files it names. */
export async function checkServerConf(o: CheckConfOptions): Promise<CheckConfResult> {
  const read = o.readFile ?? ((p: string) => fs.readFileSync(p));
  const loaded = load(o, read);
  const findings = [...loaded.findings];
  const files: CheckConfResult['files'] = [];
  checkValues(loaded.directives, findings);
  checkConfiguration(loaded.directives, findings);
  checkFiles(loaded.directives, loaded, o, read, findings, files);
  await checkCaChain(loaded.directives, loaded, read, o.now ?? new Date(), findings);
  const order: Record<ConfSeverity, number> = { error: 0, warning: 1, info: 2 };
  findings.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line || order[a.severity] - order[b.severity]);
  return { findings, directives: loaded.directives, files };
}
