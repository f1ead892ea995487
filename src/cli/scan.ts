import type { Writable } from 'node:stream';
import type { RedisConnection } from '../core/client/connection';

export interface ScanOptions {
  pattern?: string;
  type?: string;
  count: number;
}

const OUT_CHUNK = 1 << 20;

/**
 * Streams every key matching the options to `out`, one per line, raw bytes (as redis-cli --scan).
 * One SCAN is in flight while the previous page is written out; keys go straight from the socket's
 * bytes into 1 MiB output buffers (no object per key), written whole, honouring 'drain'.
 */
export async function scanToStream(conn: RedisConnection, opts: ScanOptions, out: Writable): Promise<number> {
  const tail: Array<string | number> = [];
  if (opts.pattern !== undefined) tail.push('MATCH', opts.pattern);
  tail.push('COUNT', opts.count);
  if (opts.type !== undefined) tail.push('TYPE', opts.type);
  let buf = Buffer.allocUnsafe(OUT_CHUNK);
  let used = 0;
  let total = 0;
  const ready: Buffer[] = [];
  const sink = (b: Buffer, start: number, end: number): void => {
    const len = end - start;
    if (used + len + 1 > buf.length) {
      if (used > 0) ready.push(buf.subarray(0, used));
      buf = Buffer.allocUnsafe(Math.max(OUT_CHUNK, len + 1));
      used = 0;
    }
    b.copy(buf, used, start, end);
    used += len;
    buf[used++] = 10;
    total++;
  };
  let outError: Error | undefined;
  const onError = (e: Error): void => { outError = e; };
  out.on('error', onError);
  const writeAll = async (chunks: Buffer[]): Promise<void> => {
    for (const chunk of chunks) {
      if (outError) return;
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
    }
  };
  const isDone = (cursor: Buffer): boolean => cursor.length === 1 && cursor[0] === 0x30;
  try {
    let next: Promise<Buffer> | undefined = conn.scanPage(['SCAN', '0', ...tail], sink);
    while (next) {
      const cursor: Buffer = await next;
      // Ask for the next page first: the server works on it while this one is written out.
      next = isDone(cursor) ? undefined : conn.scanPage(['SCAN', cursor, ...tail], sink);
      if (used > OUT_CHUNK / 2) {
        ready.push(buf.subarray(0, used));
        buf = Buffer.allocUnsafe(OUT_CHUNK);
        used = 0;
      }
      if (ready.length) await writeAll(ready.splice(0));
      if (outError) {
        if (next) await next.catch(() => undefined);
        break;
      }
    }
    if (!outError) {
      if (used > 0) ready.push(buf.subarray(0, used));
      await writeAll(ready.splice(0));
    }
  } finally {
    out.off('error', onError);
  }
  if (outError && (outError as NodeJS.ErrnoException).code !== 'EPIPE') throw outError;
  return total;
}
