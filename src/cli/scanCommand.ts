/**
 * `redis-tls scan`: every key of a server, of every primary of a cluster (--cluster), or of the
 * primary a sentinel names (--sentinel), once per line. Runs from its own small bundle
 * (dist/cli-scan.js, see entry.ts): its time is measured with process start.
 */
import { RedisConnection } from '../core/client/connection';
import { isDiagnosedError } from '../core/diagnosis/problem';
import { clean } from './format';
import { parseCommand, printProblem } from './commandLine';
import { scanToStream } from './scan';

export async function runScanCommand(argv: string[]): Promise<number> {
  const parsed = await parseCommand('scan', argv);
  if (typeof parsed === 'number') return parsed;
  const { flags, options, sentinel } = parsed;
  let conn: RedisConnection | undefined;
  try {
    if (options.tls.enabled && options.tls.verify === 'insecure')
      process.stderr.write('Warning: certificate verification is OFF (--insecure).\n');
    const quoted = !(flags.raw ?? !process.stdout.isTTY);
    const scan = {
      count: flags.count,
      quoted,
      ...(flags.pattern !== undefined ? { pattern: flags.pattern } : {}),
      ...(flags.type !== undefined ? { type: flags.type } : {}),
    };
    if (sentinel) {
      await (await import('./topology')).sentinelScan(sentinel, scan, process.stdout);
      return 0;
    }
    if (flags.cluster) {
      await (await import('./topology')).clusterScan(options, flags.naming, scan, process.stdout);
      return 0;
    }
    conn = await RedisConnection.open({ ...options, commandTimeoutMs: options.commandTimeoutMs ?? 60_000 });
    await scanToStream(conn, scan, process.stdout);
    return 0;
  } catch (e) {
    if (isDiagnosedError(e)) {
      printProblem(e.problem);
      return 1;
    }
    if (e instanceof Error && /^[A-Z]+ /.test(e.message)) {
      process.stderr.write(`redis-tls: server error: ${clean(e.message.slice(0, 300))}\n`);
      return 1;
    }
    throw e;
  } finally {
    if (conn) await conn.close().catch(() => undefined);
  }
}
