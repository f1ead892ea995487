// The demo TLS Redis for `npm start -- --demo`: a real redis-server over TLS from the test lab
// (test/lab, compiled to out/test/lab by `npx tsc -p tsconfig.test.json`), with a few sample keys.
// HOOK: the "demo" issue builds on this (e.g. pre-configures a connection profile in the workbench).
// It returns null when the lab is not compiled or redis-server is missing, with the reason in `why`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PROJECT_DIR } from './vscode-host.mjs';

const require = createRequire(import.meta.url);

/**
 * Starts the demo server. Returns { host, port, caFile, env, stop() } or { why } when it cannot.
 * `env` is meant for the code-server process (the extension host inherits it).
 */
export async function startDemo({ log = (m) => console.log(m) } = {}) {
  const certsJs = join(PROJECT_DIR, 'out', 'test', 'lab', 'certs.js');
  const serversJs = join(PROJECT_DIR, 'out', 'test', 'lab', 'servers.js');
  if (!existsSync(certsJs) || !existsSync(serversJs)) return { why: 'the test lab is not compiled (npx tsc -p tsconfig.test.json)' };
  const { getLab } = require(certsJs);
  const { startRedis } = require(serversJs);
  const lab = await getLab();
  const server = await startRedis({ kind: 'tls' });
  try {
    await seed(server, lab.rootCa.cert);
  } catch (err) {
    log(`demo: could not add sample keys: ${err?.message ?? err}`);
  }
  return {
    host: server.host,
    port: server.port,
    caFile: lab.rootCa.certPath,
    env: { RTE_DEMO_HOST: server.host, RTE_DEMO_PORT: String(server.port), RTE_DEMO_CA_FILE: lab.rootCa.certPath },
    stop: () => server.stop(),
  };
}

/** A handful of keys of every type, written over verified TLS with ioredis (a dev dependency). */
async function seed(server, caPem) {
  const Redis = require('ioredis');
  const r = new Redis({
    host: server.host,
    port: server.port,
    password: server.password,
    tls: { ca: caPem, servername: 'localhost' },
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  await r.connect();
  try {
    await r
      .multi()
      .set('demo:greeting', 'Hello over verified TLS')
      .set('demo:counter', '42')
      .hset('demo:user:1', { name: 'Ada', role: 'admin', city: 'London' })
      .rpush('demo:queue', 'job-1', 'job-2', 'job-3')
      .sadd('demo:tags', 'tls', 'redis', 'vscode')
      .zadd('demo:scores', 10, 'alice', 20, 'bob', 30, 'carol')
      .xadd('demo:events', '*', 'type', 'login', 'user', 'ada')
      .set('demo:session:abc', 'expires soon', 'EX', 3600)
      .exec();
    for (let i = 0; i < 30; i++) await r.set(`demo:cache:item:${String(i).padStart(2, '0')}`, `value ${i}`);
  } finally {
    r.disconnect();
  }
}
