/**
 * Worker-thread entry (its own bundle: dist/pfxWorker.js): reads a PKCS#12 file off the extension
 * host's thread. OpenSSL's validation and the bag decryption both run the file's key derivation, whose
 * iteration count the file chooses; a crafted file would otherwise freeze the window.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { readPfx } from './pkcs12';
import type { PfxWorkerReply, PfxWorkerRequest } from './pfxOffThread';

const { pfx, password } = workerData as PfxWorkerRequest;
let reply: PfxWorkerReply;
try {
  const c = readPfx(Buffer.from(pfx), password);
  reply = {
    ok: true,
    certificates: c.certificates.map((cert) => cert.der),
    hasPrivateKey: c.hasPrivateKey,
    unsupported: c.unsupported,
    validation: c.validation,
  };
} catch (e) {
  reply = { ok: false, message: e instanceof Error ? e.message.slice(0, 300) : 'unreadable PKCS#12 file' };
}
parentPort?.postMessage(reply);
