/** `redis-tls check-conf FILE [--json] [--cwd DIR]`: the editor's redis.conf diagnostics on the command line. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkServerConf, confFindingsJson, formatConfFindings } from '../core/serverConf';
import { clean } from './format';

export const CHECK_CONF_USAGE = `Usage: redis-tls check-conf FILE [--json] [--cwd DIR] [--warn-days N]
  Checks the TLS setup of a redis.conf (includes followed): prints "file:line: severity code: message".
  Relative paths resolve like redis-server: against the directory it starts in (--cwd, default the
  current directory), or against "dir" once the file sets it.
  Exit status: 0 no error, 1 at least one error, 2 usage error.
`;

export async function runCheckConf(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let file: string | undefined;
  let json = false;
  let cwd = process.cwd();
  let warnDays: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') {
      out.write(CHECK_CONF_USAGE);
      return 0;
    } else if (a === '--cwd' || a === '--warn-days') {
      const v = argv[++i];
      if (v === undefined) {
        err.write(`redis-tls check-conf: ${a} needs a value\n${CHECK_CONF_USAGE}`);
        return 2;
      }
      if (a === '--cwd') cwd = path.resolve(v);
      else if (/^\d+$/.test(v)) warnDays = Number(v);
      else {
        err.write(`redis-tls check-conf: --warn-days needs a whole number, not "${clean(v)}"\n`);
        return 2;
      }
    } else if (a.startsWith('-')) {
      err.write(`redis-tls check-conf: unknown option ${clean(a)}\n${CHECK_CONF_USAGE}`);
      return 2;
    } else if (file === undefined) file = a;
    else {
      err.write(`redis-tls check-conf: one FILE only\n${CHECK_CONF_USAGE}`);
      return 2;
    }
  }
  if (file === undefined) {
    err.write(`redis-tls check-conf: FILE is missing\n${CHECK_CONF_USAGE}`);
    return 2;
  }
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (e) {
    err.write(`redis-tls check-conf: cannot read ${clean(file)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return 2;
  }
  const result = await checkServerConf({
    text,
    file: absolute,
    workingDir: cwd,
    workingDirLabel: 'the working directory',
    ...(warnDays !== undefined ? { warnDays } : {}),
  });
  // The checked file is shown as given; included files by their resolved path.
  const shown = result.findings.map((f) => (f.file === absolute ? { ...f, file: file as string } : f));
  if (json) out.write(`${JSON.stringify(confFindingsJson(shown), null, 2)}\n`);
  else if (shown.length) out.write(formatConfFindings(shown, file, clean));
  else out.write(`${clean(file)}: no TLS problems found.\n`);
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
