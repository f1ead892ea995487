import type { Writable } from 'node:stream';
import type { RedisConnection } from '../core/client/connection';
import type { KeySink } from '../core/resp/scanReader';
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

type Scanner = Pick<RedisConnection, 'scanPage'>;

const OUT_CHUNK = 1 << 20;
const DECIMAL = /^[0-9]{1,20}$/;
const DONE: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));

/**
 * Where the keys of one scan go, from one connection or several (a cluster's primaries): one line per
 * key, raw bytes or quoted (as redis-cli --scan), copied straight from the socket's bytes into 1 MiB
 * output buffers (no object per key), written whole, in order, honouring 'drain'. One sink for every
 * connection: its call site in the reply reader keeps one target.
 */
export class KeyOutput {
  readonly sink: KeySink;
  /** Keys taken so far. */
  total = 0;
  private buf: Buffer;
  private used = 0;
  private readonly ready: Buffer[] = [];
  /** Bytes in `ready` and in chunks not yet handed to the stream. */
  private queued = 0;
  private readonly spare: Buffer[] = [];
  private readonly reusable: boolean;
  private writing: Promise<void> = Promise.resolve();
  private error: Error | undefined;
  private hold: Promise<boolean> | undefined;
  private readonly onError = (e: Error): void => {
    this.error = e;
  };

  constructor(
    private readonly out: Writable,
    opts: Pick<ScanOptions, 'quoted'>,
    control: StreamControl = {},
  ) {
    // Output buffers come back to `spare` once written: fresh 1 MiB buffers are fresh pages for the
    // kernel to fault in. Only for stdout, which has handed the bytes to the OS by then; another
    // Writable may keep the chunk itself (a PassThrough passes it on as is).
    this.reusable = out === process.stdout;
    this.buf = this.fresh();
    this.hold = control.hold;
    out.on('error', this.onError);
    const raw = (b: Buffer, start: number, end: number): void => {
      const len = end - start;
      let buf = this.buf;
      let used = this.used;
      if (used + len + 1 > buf.length) {
        if (used > 0) this.push(buf.subarray(0, used));
        buf = this.buf = this.fresh(len + 1);
        used = 0;
      }
      // Short keys are the common case: a plain loop allocates nothing, where Buffer#copy of a slice
      // creates a Uint8Array view per key (a million keys made some 50 young-generation collections).
      if (len <= 32) for (let i = 0; i < len; i++) buf[used + i] = b[start + i] as number;
      else b.copy(buf, used, start, end);
      used += len;
      buf[used++] = 10;
      this.used = used;
      this.total++;
    };
    this.sink = opts.quoted
      ? (b: Buffer, start: number, end: number): void => {
          const q = Buffer.from(quoteBytes(b.subarray(start, end)), 'latin1');
          raw(q, 0, q.length);
        }
      : raw;
  }

  /** The stream failed (EPIPE: the reader went away): scans stop. */
  get failed(): boolean {
    return this.error !== undefined;
  }

  /** Output waits to be taken (or held) past MAX_AHEAD_BYTES: the next page should wait. */
  backedUp(): boolean {
    return this.used + this.queued + this.out.writableLength > MAX_AHEAD_BYTES;
  }

  /**
   * After a page: full buffers go to the stream (once the hold allows), and this waits for 'drain'.
   * False when the hold said no: everything taken so far is dropped, nothing was written.
   */
  async pageDone(): Promise<boolean> {
    if (this.used > OUT_CHUNK / 2) {
      this.push(this.buf.subarray(0, this.used));
      this.buf = this.fresh();
      this.used = 0;
    }
    if (this.hold) {
      const ok = await this.hold;
      if (!ok) return false;
      this.hold = undefined;
    }
    if (this.ready.length > 0) await this.flush();
    return true;
  }

  /** Resolves when everything ready has been handed to the stream and the stream drained. */
  flushed(): Promise<void> {
    return this.flush();
  }

  /** Drops what was taken and not written (after a hold said no), and the hold: taking keys starts over. */
  discard(): void {
    this.hold = undefined;
    this.ready.length = 0;
    this.queued = 0;
    this.used = 0;
    this.total = 0;
  }

  /** Writes the rest; throws the stream's error unless the reader just went away (EPIPE). */
  async end(): Promise<void> {
    try {
      if (!this.error && !this.hold) {
        if (this.used > 0) this.push(this.buf.subarray(0, this.used));
        this.used = 0;
        await this.flush();
      }
    } finally {
      this.out.off('error', this.onError);
    }
    if (this.error && (this.error as NodeJS.ErrnoException).code !== 'EPIPE') throw this.error;
  }

  private fresh(min = OUT_CHUNK): Buffer {
    return (min <= OUT_CHUNK ? this.spare.pop() : undefined) ?? Buffer.allocUnsafe(Math.max(OUT_CHUNK, min));
  }

  private push(chunk: Buffer): void {
    this.ready.push(chunk);
    this.queued += chunk.length;
  }

  /** Writes what is ready, after any write in progress (pages of several connections end at any time). */
  private flush(): Promise<void> {
    const chunks = this.ready.splice(0);
    this.writing = this.writing.then(() => this.writeAll(chunks));
    return this.writing;
  }

  private async writeAll(chunks: Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      this.queued -= chunk.length;
      if (this.error) continue;
      const whole = chunk.buffer;
      const reuse =
        this.reusable && whole.byteLength === OUT_CHUNK
          ? (): void => {
              if (this.spare.length < 4) this.spare.push(Buffer.from(whole, 0, OUT_CHUNK));
            }
          : undefined;
      if (!this.out.write(chunk, reuse)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            this.out.off('drain', done);
            this.out.off('error', done);
            resolve();
          };
          this.out.on('drain', done);
          this.out.on('error', done);
        });
      }
    }
  }
}

/**
 * Every page of one connection's SCAN into `output`. The next SCAN is sent as soon as a page's cursor
 * arrives (ahead of its keys), so the server computes page N+1 while page N is on its way, unless the
 * output is backed up: then it waits for the output to be taken. False when the output's hold said no.
 */
export async function scanPages(conn: Scanner, opts: ScanOptions, output: KeyOutput): Promise<boolean> {
  const tail: Array<string | number> = [];
  if (opts.pattern !== undefined) tail.push('MATCH', opts.pattern);
  tail.push('COUNT', opts.count);
  if (opts.type !== undefined) tail.push('TYPE', opts.type);
  const isDone = (cursor: Buffer): boolean => cursor.length === 1 && cursor[0] === 0x30;
  const pages: Array<Promise<Buffer>> = [];
  let stopped = false;
  let deferred: Buffer | undefined;
  const request = (cursor: Buffer | string): void => {
    // A decimal cursor (what Redis sends) goes out as text: the command is then one string, encoded
    // in one allocation, instead of a Buffer.concat of its parts on every page.
    const text = typeof cursor === 'string' ? cursor : cursor.toString('latin1');
    const arg = DECIMAL.test(text) ? text : cursor;
    const page = conn.scanPage(['SCAN', arg, ...tail], output.sink, {
      onCursor: (c) => {
        if (isDone(c) || stopped) return;
        if (output.backedUp()) deferred = c;
        else request(c);
      },
    });
    page.catch(() => undefined); // observed below, in order
    pages.push(page);
  };
  const stop = async (from: number): Promise<void> => {
    stopped = true;
    await Promise.allSettled(pages.slice(from));
  };
  request('0');
  for (let i = 0; i < pages.length; i++) {
    await pages[i];
    pages[i] = DONE;
    if (!(await output.pageDone())) {
      await stop(i + 1);
      return false;
    }
    if (output.failed) {
      await stop(i + 1);
      return true;
    }
    if (deferred) {
      // With nothing else in flight, this connection's scan goes on once the output is taken (other
      // connections may fill it meanwhile; a single huge key may exceed the bound on its own).
      const last = i === pages.length - 1;
      if (last && output.backedUp()) await output.flushed();
      if (last || !output.backedUp()) {
        const c = deferred;
        deferred = undefined;
        request(c);
      }
    }
  }
  return true;
}

/** Streams every key of one connection matching the options to `out` (see KeyOutput); the number of keys written. */
export async function scanToStream(conn: Scanner, opts: ScanOptions, out: Writable, control: StreamControl = {}): Promise<number> {
  const output = new KeyOutput(out, opts, control);
  let ok = false;
  try {
    ok = await scanPages(conn, opts, output);
  } finally {
    if (!ok) output.discard();
    await output.end();
  }
  return ok ? output.total : 0;
}
