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
    stdin: {
      contents:
        "export * from './test/lab/servers'; export * from './test/lab/certs'; export { startTlsCluster } from './test/integration/clusterLab';",
      resolveDir: PROJECT_DIR,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  });
  return require(outfile);
}

/**
 * Starts the demo servers. Returns { servers, profiles, env, notes, stop() } or { why } when it cannot
 * (redis-server or openssl missing). `env` is for the code-server process. Says what it does as it
 * goes (`log`), since the first run also generates certificates and seeds about 100,000 keys.
 */
export async function startDemo({ log = (m) => console.log(m) } = {}) {
  let lab;
  const t0 = Date.now();
  const step = (m) => log(`demo: ${m} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  try {
    lab = await loadLab();
    await lab.requireRedisTls();
  } catch (err) {
    return { why: err?.message ?? String(err) };
  }
  const certs = await lab.getLab();
  step('certificates generated under .lab/');
  const [verified, mutual, wrongHost, expired, plaintext] = await Promise.all([
    lab.startRedis({ kind: 'tls' }),
    lab.startRedis({ kind: 'mtls' }),
    lab.startRedis({ kind: 'tls', certs: certs.wrongHostServer }),
    lab.startRedis({ kind: 'tls', certs: certs.expiredServer }),
    lab.startRedis({ kind: 'plain' }),
  ]);
  const servers = [verified, mutual, wrongHost, expired, plaintext];
  step('5 redis-server processes started (TLS, mutual TLS, wrong host name, expired certificate, plaintext)');
  // The cluster starts while the keys are written: the two take about the same time.
  const clusterStart = lab.startTlsCluster().then(
    (c) => {
      step(`3-node TLS cluster ready on ports ${c.servers.map((s) => s.port).join(', ')}`);
      return c;
    },
    (err) => {
      log(`demo: no cluster demo: ${err?.message ?? err}`);
      return null;
    },
  );
  try {
    const n = await seed(verified, certs.rootCa.cert, step);
    step(`seeded ${n.toLocaleString('en-US')} keys into "Demo: verified TLS"`);
  } catch (err) {
    log(`demo: could not add sample keys: ${err?.message ?? err}`);
  }
  const cluster = await clusterStart;
  if (cluster) await seedCluster(cluster).catch((err) => log(`demo: could not add cluster keys: ${err?.message ?? err}`));
  const ca = certs.rootCa.certPath;
  const profiles = [
    { name: 'Demo: verified TLS', host: 'localhost', port: verified.port, tls: true, caFile: ca, verify: 'full', group: 'Demo' },
    {
      name: 'Demo: mutual TLS (key with passphrase)',
      host: 'localhost',
      port: mutual.port,
      tls: true,
      caFile: ca,
      verify: 'full',
      certFile: certs.clientEncrypted.certPath,
      keyFile: certs.clientEncrypted.keyPath,
      encryptedKey: true,
      group: 'Demo',
    },
    ...(cluster
      ? [
          {
            name: 'Demo: TLS cluster (3 nodes)',
            host: 'localhost',
            port: cluster.servers[0].port,
            tls: true,
            caFile: ca,
            verify: 'full',
            group: 'Demo',
          },
        ]
      : []),
    {
      name: 'Demo: wrong host name',
      host: 'localhost',
      port: wrongHost.port,
      tls: true,
      caFile: ca,
      verify: 'full',
      group: 'Demo: broken on purpose',
    },
    {
      name: 'Demo: expired certificate',
      host: 'localhost',
      port: expired.port,
      tls: true,
      caFile: ca,
      verify: 'full',
      group: 'Demo: broken on purpose',
    },
    {
      name: 'Demo: TLS to a plaintext port',
      host: 'localhost',
      port: plaintext.port,
      tls: true,
      caFile: ca,
      verify: 'full',
      group: 'Demo: broken on purpose',
    },
  ];
  return {
    servers,
    profiles,
    caFile: ca,
    notes: [
      `the mutual-TLS demo's client key passphrase is "${certs.passphrase}" (a lab secret made for this run; the prompt stores it in SecretStorage)`,
    ],
    env: { RTE_DEMO_HOST: verified.host, RTE_DEMO_PORT: String(verified.port), RTE_DEMO_CA_FILE: ca },
    stop: async () => {
      await Promise.allSettled([...servers.map((s) => s.stop()), cluster?.stop()]);
    },
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

const DEMO_KEYS = 100_000;
const BIG_HASH_FIELDS = 50_000;
const STREAM_ENTRIES = 10_000;

function demoClient(server, caPem) {
  const Redis = require('ioredis');
  return new Redis({
    host: server.host,
    port: server.port,
    password: server.password,
    tls: { ca: caPem, servername: 'localhost' },
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
}

/**
 * About 100,000 keys over verified TLS (ioredis, a dev dependency): nested namespaces, every type,
 * JSON strings, TTLs, binary names and values, a 50,000-field hash and a 10,000-entry stream (so the
 * value caps show), in pipelined batches. Returns the number of keys.
 */
async function seed(server, caPem, step) {
  const r = demoClient(server, caPem);
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
    const regions = ['eu-west', 'us-east', 'ap-south', 'sa-east'];
    const kinds = ['string', 'json', 'hash', 'list', 'set', 'zset'];
    let written = 12;
    for (let start = 0; written < DEMO_KEYS; start += 20000) {
      const batch = r.pipeline();
      for (let i = start; i < start + 20000 && written < DEMO_KEYS; i++, written++) {
        const region = regions[i % regions.length];
        const id = String(i).padStart(6, '0');
        switch (kinds[i % kinds.length]) {
          case 'string':
            batch.set(`app:${region}:session:${id}`, `session ${id}`, 'EX', 600 + (i % 86400));
            break;
          case 'json':
            batch.set(
              `app:${region}:cache:user:${id}`,
              JSON.stringify({ id: i, region, plan: i % 3 ? 'free' : 'pro', tags: ['demo', region] }),
            );
            break;
          case 'hash':
            batch.hset(`app:${region}:user:${id}`, 'name', `user ${id}`, 'visits', String(i % 97));
            break;
          case 'list':
            batch.rpush(`app:${region}:queue:${id}`, 'job-a', 'job-b');
            break;
          case 'set':
            batch.sadd(`app:${region}:tags:${id}`, 'tls', region);
            break;
          default:
            batch.zadd(`app:${region}:leaderboard:${id}`, i % 1000, `player-${id}`);
        }
      }
      await batch.exec();
    }
    step(`${DEMO_KEYS.toLocaleString('en-US')} keys in nested namespaces written`);
    for (let start = 0; start < BIG_HASH_FIELDS; start += 10000) {
      const fields = [];
      for (let i = start; i < start + 10000; i++) fields.push(`field:${String(i).padStart(5, '0')}`, `value ${i}`);
      await r.hset('demo:big:hash', ...fields);
    }
    const stream = r.pipeline();
    for (let i = 0; i < STREAM_ENTRIES; i++) stream.xadd('demo:big:stream', '*', 'seq', String(i), 'event', i % 2 ? 'click' : 'view');
    await stream.exec();
    step(`a ${BIG_HASH_FIELDS.toLocaleString('en-US')}-field hash and a ${STREAM_ENTRIES.toLocaleString('en-US')}-entry stream written`);
    return await r.dbsize();
  } finally {
    r.disconnect();
  }
}

/** 300 keys spread over the demo cluster's masters: each goes to the node that does not answer MOVED. */
async function seedCluster(cluster) {
  for (let i = 0; i < 300; i++) {
    const key = `cluster:item:${i}`;
    for (const admin of cluster.admin) {
      const reply = await admin.send(['SET', key, `value ${i}`]).catch((e) => e);
      if (!(reply instanceof Error)) break;
    }
  }
}
