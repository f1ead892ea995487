/**
 * Reads a PKCS#12 file in a worker thread with a time limit. The file sets its own key-derivation
 * iteration counts (up to millions), and both OpenSSL's check and the bag decryption pay them: on the
 * caller's thread a crafted 2 KB file would block the event loop for seconds to minutes.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Certificate } from './certificate';
import type { PfxContents, PfxValidation } from './pkcs12';

export interface PfxWorkerRequest {
  pfx: Uint8Array;
  password: string;
}

export type PfxWorkerReply =
  | { ok: true; certificates: Uint8Array[]; hasPrivateKey: boolean; unsupported: string[]; validation: PfxValidation }
  | { ok: false; message: string };

/** The PKCS#12 file could not be read in time or at all; the message says which, for the user. */
export class PfxReadError extends Error {
  constructor(
    message: string,
    readonly reason: 'time-limit' | 'unreadable',
  ) {
    super(message);
    this.name = 'PfxReadError';
  }
}

/** Default time limit of one PKCS#12 read. */
export const PFX_TIME_LIMIT_MS = 15_000;

/**
 * The worker's script: next to this module (out/ when compiled by tsc) or next to the bundle that
 * inlined it (dist/extension.js, dist/cli.js -> dist/pfxWorker.js).
 */
function workerScript(): string {
  return path.join(__dirname, 'pfxWorker.js');
}

/** readPfx in a worker thread; rejects with PfxReadError after `timeLimitMs` (the worker is terminated). */
export function readPfxOffThread(pfx: Buffer, password: string, opts: { timeLimitMs?: number } = {}): Promise<PfxContents> {
  const limit = opts.timeLimitMs ?? PFX_TIME_LIMIT_MS;
  return new Promise((resolve, reject) => {
    const request: PfxWorkerRequest = { pfx: new Uint8Array(pfx), password };
    let worker: Worker;
    try {
      worker = new Worker(workerScript(), { workerData: request });
    } catch (e) {
      reject(new PfxReadError(`The PKCS#12 reader could not start (${e instanceof Error ? e.message : 'error'}).`, 'unreadable'));
      return;
    }
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new PfxReadError(
              `Reading this PKCS#12 file took longer than ${limit / 1000} s and was stopped: its key derivation iteration count is unreasonably high (a crafted or very unusual file). Re-export it with a normal iteration count (openssl pkcs12 -export -iter 2048).`,
              'time-limit',
            ),
          ),
        ),
      limit,
    );
    worker.once('message', (reply: PfxWorkerReply) =>
      finish(() => {
        if (!reply.ok) {
          reject(new PfxReadError(`The PKCS#12 file could not be read: ${reply.message}`, 'unreadable'));
          return;
        }
        const certificates = reply.certificates.map((der) => {
          const cert = new Certificate(der);
          cert.origin = 'PKCS#12';
          return cert;
        });
        resolve({ certificates, hasPrivateKey: reply.hasPrivateKey, unsupported: reply.unsupported, validation: reply.validation });
      }),
    );
    worker.once('error', (e) =>
      finish(() => reject(new PfxReadError(`The PKCS#12 file could not be read: ${e.message.slice(0, 300)}`, 'unreadable'))),
    );
    worker.once('exit', (code) => finish(() => reject(new PfxReadError(`The PKCS#12 reader stopped (exit ${code}).`, 'unreadable'))));
  });
}
