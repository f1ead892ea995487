import type { Writable } from 'node:stream';
import type { RedisConnection } from '../core/client/connection';
import { quoteBytes } from '../core/keys/bytes';

/** Bytes of output the scan may hold (not yet taken by the stream) before it stops asking for pages. */
export const MAX_AHEAD_BYTES = 4 << 20;

export interface StreamControl {
  /**
   * Nothing is written before this settles; `false` stops the scan and writes nothing (a cluster scan
   * starts on the seed before every primary is verified). Pages are read ahead meanwhile, up to
   * MAX_AHEAD_BYTES.
   */
  hold?: Promise<boolean>;
}

export interface ScanOptions {
  pattern?: string;
  type?: string;
  count: number;
  /** redis-cli's quoted form per key (`"a\\nb"`), as redis-cli prints on a terminal; raw bytes otherwise. */
  quoted?: boolean;
}

const OUT_CHUNK = 1 << 20;
const DONE: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));

/**
 * Streams every key matching the options to `out`, one per line, raw bytes or quoted (as redis-cli --scan).
 * The next SCAN is sent as soon as a page's cursor arrives; keys go straight from the socket's
 * bytes into 1 MiB output buffers (no object per key), written whole, honouring 'drain'.
 */
export async function scanToStream(
  conn: Pick<RedisConnection, 'scanPage'>,
  opts: ScanOptions,
  out: Writable,
  control: StreamControl = {},
): Promise<number> {
  const tail: Array<string | number> = [];
  if (opts.pattern !== undefined) tail.push('MATCH', opts.pattern);
  tail.push('COUNT', opts.count);
  if (opts.type !== undefined) tail.push('TYPE', opts.type);
  // Output buffers come back to `spare` once written: fresh 1 MiB buffers are fresh pages for the
  // kernel to fault in. Only for stdout, which has handed the bytes to the OS by then; another
  // Writable may keep the chunk itself (a PassThrough passes it on as is).
  const reusable = out === process.stdout;
  const spare: Buffer[] = [];
  const fresh = (min = OUT_CHUNK): Buffer => (min <= OUT_CHUNK ? spare.pop() : undefined) ?? Buffer.allocUnsafe(Math.max(OUT_CHUNK, min));
  let buf = fresh();
  let used = 0;
  let total = 0;
  const ready: Buffer[] = [];
  /** Bytes in `ready` and in chunks writeAll has not handed to `out` yet. */
  let queued = 0;
  let held = control.hold !== undefined;
  const push = (chunk: Buffer): void => {
    ready.push(chunk);
    queued += chunk.length;
  };
  const raw = (b: Buffer, start: number, end: number): void => {
    const len = end - start;
    if (used + len + 1 > buf.length) {
      if (used > 0) push(buf.subarray(0, used));
      buf = fresh(len + 1);
      used = 0;
    }
    // Short keys are the common case: a plain loop allocates nothing, where Buffer#copy of a slice
    // creates a Uint8Array view per key (a million keys made some 50 young-generation collections).
    if (len <= 32) for (let i = 0; i < len; i++) buf[used + i] = b[start + i] as number;
    else b.copy(buf, used, start, end);
    used += len;
    buf[used++] = 10;
    total++;
  };
  const sink = opts.quoted
    ? (b: Buffer, start: number, end: number): void => {
        const q = Buffer.from(quoteBytes(b.subarray(start, end)), 'latin1');
        raw(q, 0, q.length);
      }
    : raw;
  let outError: Error | undefined;
  const onError = (e: Error): void => {
    outError = e;
  };
  out.on('error', onError);
  const writeAll = async (chunks: Buffer[]): Promise<void> => {
    for (const chunk of chunks) {
      if (outError) return;
      queued -= chunk.length;
      const whole = chunk.buffer;
      const reuse =
        reusable && whole.byteLength === OUT_CHUNK
          ? (): void => {
              if (spare.length < 4) spare.push(Buffer.from(whole, 0, OUT_CHUNK));
            }
          : undefined;
      if (!out.write(chunk, reuse)) {
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
  // Held output (not yet taken by `out`, or not to be written yet): past MAX_AHEAD_BYTES the next
  // page waits, so a slow reader (`| less`) or a hold never makes the scan buffer the whole keyspace.
  const backedUp = (): boolean => used + queued + out.writableLength > MAX_AHEAD_BYTES;
  // Each page's cursor arrives ahead of its keys: the next SCAN goes out at once, so the server
  // computes page N+1 while page N is still on its way here.
  const pages: Array<Promise<Buffer>> = [];
  let stopped = false;
  let deferred: Buffer | undefined;
  const request = (cursor: Buffer | string): void => {
    const page = conn.scanPage(['SCAN', cursor, ...tail], sink, {
      onCursor: (c) => {
        if (isDone(c) || stopped) return;
        if (backedUp()) deferred = c;
        else request(c);
      },
    });
    page.catch(() => undefined); // observed below, in order
    pages.push(page);
  };
  const resume = (): void => {
    if (deferred && !stopped && !backedUp()) {
      const c = deferred;
      deferred = undefined;
      request(c);
    }
  };
  try {
    request('0');
    for (let i = 0; i < pages.length; i++) {
      await pages[i];
      pages[i] = DONE;
      if (used > OUT_CHUNK / 2) {
        push(buf.subarray(0, used));
        buf = fresh();
        used = 0;
      }
      if (held) {
        held = false;
        if (!(await control.hold)) {
          stopped = true;
          await Promise.allSettled(pages.slice(i + 1));
          return 0;
        }
      }
      if (ready.length) await writeAll(ready.splice(0));
      resume();
      if (outError) {
        stopped = true;
        await Promise.allSettled(pages.slice(i + 1));
        break;
      }
    }
    if (!outError) {
      if (used > 0) push(buf.subarray(0, used));
      await writeAll(ready.splice(0));
    }
  } finally {
    out.off('error', onError);
  }
  if (outError && (outError as NodeJS.ErrnoException).code !== 'EPIPE') throw outError;
  return total;
}
