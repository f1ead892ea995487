import type { Writable } from 'node:stream';
import type { RedisConnection } from '../core/client/connection';
import { DiagnosedError } from '../core/diagnosis/problem';
import { makeProblem } from '../core/diagnosis/catalogue';

export interface ScanOptions {
  pattern?: string;
  type?: string;
  count: number;
}

const OUT_CHUNK = 1 << 20;

/**
 * Streams every key matching the options to `out`, one per line, raw bytes (as redis-cli --scan).
 * One SCAN in flight at a time (each needs the previous cursor); keys are copied into 1 MiB
 * buffers written whole, waiting for 'drain' when the reader is slower.
 */
export async function scanToStream(conn: RedisConnection, opts: ScanOptions, out: Writable): Promise<number> {
  const tail: Array<string | number> = [];
  if (opts.pattern !== undefined) tail.push('MATCH', opts.pattern);
  tail.push('COUNT', opts.count);
  if (opts.type !== undefined) tail.push('TYPE', opts.type);
  let buf = Buffer.allocUnsafe(OUT_CHUNK);
  let used = 0;
  let total = 0;
  let cursor: Buffer = Buffer.from('0');
  let outError: Error | undefined;
  const onError = (e: Error): void => { outError = e; };
  out.on('error', onError);
  const flush = async (): Promise<void> => {
    if (used === 0) return;
    const chunk = buf.subarray(0, used);
    buf = Buffer.allocUnsafe(OUT_CHUNK);
    used = 0;
    if (!out.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('error', done);
          resolve();
        };
        out.on('drain', done);
        out.on('error', done);
      });
    }
  };
  const isPage = (r: unknown): r is [Buffer, unknown[]] => Array.isArray(r) && r.length === 2 && Buffer.isBuffer(r[0]) && Array.isArray(r[1]);
  try {
    let next: Promise<unknown> | undefined = conn.send(['SCAN', cursor, ...tail]);
    while (next) {
      const reply = await next;
      if (!isPage(reply)) throw new DiagnosedError(makeProblem('PROTOCOL_ERROR', 'SCAN returned something other than [cursor, keys].'));
      cursor = reply[0];
      // Ask for the next page first: the server works on it while this one is copied out.
      next = cursor.length === 1 && cursor[0] === 0x30 ? undefined : conn.send(['SCAN', cursor, ...tail]);
      for (const k of reply[1]) {
        if (!Buffer.isBuffer(k)) continue;
        if (used + k.length + 1 > buf.length) {
          await flush();
          if (k.length + 1 > buf.length) buf = Buffer.allocUnsafe(k.length + 1);
        }
        k.copy(buf, used);
        used += k.length;
        buf[used++] = 10;
        total++;
      }
      if (used > OUT_CHUNK / 2) await flush();
      if (outError) {
        if (next) await next.catch(() => undefined);
        break;
      }
    }
    if (!outError) await flush();
  } finally {
    out.off('error', onError);
  }
  if (outError && (outError as NodeJS.ErrnoException).code !== 'EPIPE') throw outError;
  return total;
}
