// The demo for `npm start`: real redis-server processes over TLS from the test lab (test/lab, bundled
// here with esbuild so no test compilation is needed), sample keys of every type, and a workspace
// profile file (.vscode/redis-tls.json) that points the extension at them:
//   "Demo: verified TLS"       full chain + host-name verification against the lab root CA
//   "Demo: wrong host name"    a server whose certificate names another host: shows the diagnosis,
//                              the squiggle on the profile file and its quick fix
// Certificates are generated per run under .lab/ (gitignored); nothing secret is written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { PROJECT_DIR } from './vscode-host.mjs';

const require = createRequire(import.meta.url);

async function loadLab() {
  const outfile = join(PROJECT_DIR, 'out', 'demo', 'lab.js');
  await esbuild.build({
    stdin: { contents: "export * from './test/lab/servers'; export * from './test/lab/certs';", resolveDir: PROJECT_DIR, loader: 'ts' },
    bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'warning',
  });
  return require(outfile);
}

/**
 * Starts the demo servers. Returns { servers, profiles, env, stop() } or { why } when it cannot
 * (redis-server or openssl missing). `env` is for the code-server process.
 */
export async function startDemo({ log = (m) => console.log(m) } = {}) {
  let lab;
  try {
    lab = await loadLab();
    await lab.requireRedisTls();
  } catch (err) {
    return { why: err?.message ?? String(err) };
  }
  const certs = await lab.getLab();
  const verified = await lab.startRedis({ kind: 'tls' });
  const wrongHost = await lab.startRedis({ kind: 'tls', certs: certs.wrongHostServer });
  try {
    await seed(verified, certs.rootCa.cert);
  } catch (err) {
    log(`demo: could not add sample keys: ${err?.message ?? err}`);
  }
  const profiles = [
    { name: 'Demo: verified TLS', host: 'localhost', port: verified.port, tls: true, caFile: certs.rootCa.certPath, verify: 'full', group: 'demo' },
    { name: 'Demo: wrong host name', host: 'localhost', port: wrongHost.port, tls: true, caFile: certs.rootCa.certPath, verify: 'full', group: 'demo' },
  ];
  return {
    servers: [verified, wrongHost],
    profiles,
    caFile: certs.rootCa.certPath,
    env: { RTE_DEMO_HOST: verified.host, RTE_DEMO_PORT: String(verified.port), RTE_DEMO_CA_FILE: certs.rootCa.certPath },
    stop: async () => { await Promise.all([verified.stop(), wrongHost.stop()]); },
  };
}

/** Writes the demo profiles into <workspace>/.vscode/redis-tls.json (paths and ports only). */
export function writeDemoProfiles(workspace, profiles) {
  const dir = join(workspace, '.vscode');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'redis-tls.json');
  writeFileSync(file, `${JSON.stringify({ profiles }, null, 2)}\n`);
  return file;
}

/** A few keys of every type, nested namespaces and TTLs, written over verified TLS with ioredis (a dev dependency). */
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
      .set('demo:config', JSON.stringify({ tls: true, minVersion: 'TLSv1.2', verifyHostname: true }))
      .hset('demo:user:1', { name: 'Ada', role: 'admin', city: 'London' })
      .hset('demo:user:2', { name: 'Grace', role: 'dev', city: 'New York' })
      .rpush('demo:queue', 'job-1', 'job-2', 'job-3')
      .sadd('demo:tags', 'tls', 'redis', 'vscode')
      .zadd('demo:scores', 10, 'alice', 20, 'bob', 30, 'carol')
      .xadd('demo:events', '*', 'type', 'login', 'user', 'ada')
      .set('demo:session:abc', 'expires soon', 'EX', 3600)
      .set(Buffer.from([0x64, 0x65, 0x6d, 0x6f, 0x3a, 0xff, 0xfe, 0x62, 0x69, 0x6e]), Buffer.from([0, 1, 2, 3, 250]))
      .exec();
    const batch = r.pipeline();
    for (let i = 0; i < 30; i++) batch.set(`demo:cache:item:${String(i).padStart(2, '0')}`, `value ${i}`, 'EX', 86400);
    await batch.exec();
  } finally {
    r.disconnect();
  }
}
