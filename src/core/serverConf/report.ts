import type { ConfFinding } from './rules';

/** `file:line: severity code: message` lines (1-based lines), as `redis-tls check-conf` prints them. */
export function formatConfFindings(findings: readonly ConfFinding[], displayFile: string, clean: (s: string) => string = (s) => s): string {
  return (
    findings
      .map(
        (f) =>
          `${clean(f.file ?? displayFile)}:${f.line + 1}: ${f.severity} ${f.code}: ${clean(f.message)}${f.fix ? `\n  fix: ${clean(f.fix.title)}` : ''}`,
      )
      .join('\n') + (findings.length ? '\n' : '')
  );
}

/** The `--json` shape: `{"findings": [{"line", "severity", "code", "message", "fix"}]}` (lines 1-based). */
export function confFindingsJson(findings: readonly ConfFinding[]): {
  findings: Array<{ file?: string; line: number; column: number; severity: string; code: string; message: string; fix: string | null }>;
} {
  return {
    findings: findings.map((f) => ({
      ...(f.file ? { file: f.file } : {}),
      line: f.line + 1,
      column: f.start + 1,
      severity: f.severity,
      code: f.code,
      message: f.message,
      fix: f.fix?.title ?? null,
    })),
  };
}
