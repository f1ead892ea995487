// npm run bench:cluster — 1,000,000 keys spread over a three-primary TLS cluster vs the same keys on
// one TLS server, in the same run: `redis-tls scan --cluster` against `redis-tls scan`, interleaved
// rounds, medians, both times and the ratio (target >= 1.5x faster, goal 2x: the primaries scan in
// parallel). Keys are `{tN}key:I`, each tag hashing into one primary's slots, so every key lives on
// the primary that owns it. Lab processes only (compiled into out/); never touches port 6379.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { countLines, median, prepareBench } from './lib/bench.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 5));

console.log('bench:cluster: building dist/cli.js and compiling the lab...');
prepareBench(ROOT, { need: ['out/test/lab/clusterLab.js', 'out/src/core/client/connection.js'] });
const { getLab } = require('./out/test/lab/certs.js');
const { startRedis } = require('./out/test/lab/servers.js');
const { startClusterLab } = require('./out/test/lab/clusterLab.js');
const { RedisConnection } = require('./out/src/core/client/connection.js');
const { keySlot } = require('./out/src/core/client/cluster.js');

/** Runs the CLI, counts the lines it prints, resolves with wall ms. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = countLines(child.stdout);
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - t0, lines: out.lines })
        : reject(new Error(`redis-tls ${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`)),
    );
  });
}

/** A hash tag whose slot lies in [a, b]. */
function tagIn([a, b]) {
  for (let i = 0; ; i++) {
    const s = keySlot(`t${i}`);
    if (s >= a && s <= b) return `t${i}`;
  }
}

const lab = await getLab();
const cluster = await startClusterLab({ naming: 'shared', extraArgs: ['--enable-debug-command', 'yes'] });
const single = await startRedis({ kind: 'tls', extraArgs: ['--enable-debug-command', 'yes'] });
try {
  const perNode = Math.ceil(KEYS / 3);
  const counts = [perNode, perNode, KEYS - 2 * perNode];
  const tags = cluster.ranges.map(tagIn);
  const one = await RedisConnection.open({ host: 'localhost', port: single.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
  const t = performance.now();
  await Promise.all(
    cluster.primaries.map((p, i) =>
      cluster.admin[p.index].send(['DEBUG', 'POPULATE', counts[i], `{${tags[i]}}key`], { timeoutMs: 300_000 }),
    ),
  );
  for (let i = 0; i < 3; i++) await one.send(['DEBUG', 'POPULATE', counts[i], `{${tags[i]}}key`], { timeoutMs: 300_000 });
  const sizes = await Promise.all(cluster.primaries.map((p) => cluster.admin[p.index].send(['DBSIZE'])));
  console.log(
    `seeded ${sizes.join(' + ')} keys on the 3 primaries and ${await one.send(['DBSIZE'])} on the single server in ${(performance.now() - t).toFixed(0)} ms`,
  );
  await one.close();

  const ca = lab.rootCa.certPath;
  const tools = {
    'scan --cluster (3 primaries)': () =>
      timed([
        'scan',
        '-h',
        '127.0.0.1',
        '-p',
        String(cluster.primaries[0].port),
        '--tls',
        '--cacert',
        ca,
        '--sni',
        'localhost',
        '--cluster',
      ]),
    'scan (one server)': () => timed(['scan', '-h', 'localhost', '-p', String(single.port), '--tls', '--cacert', ca]),
  };
  const times = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const parts = [];
    for (const [name, run] of Object.entries(tools)) {
      const r = await run();
      if (r.lines !== KEYS) throw new Error(`${name} printed ${r.lines} keys, expected ${KEYS}`);
      times[name].push(r.ms);
      parts.push(`${name} ${r.ms.toFixed(0)} ms`);
    }
    console.log(`round ${round}: ${parts.join(', ')}`);
  }
  const c = median(times['scan --cluster (3 primaries)']);
  const s = median(times['scan (one server)']);
  console.log(
    `\nSCAN of ${KEYS} keys over verified TLS, medians of ${ROUNDS} interleaved rounds (process start included; 1-min load average ${loadavg()[0].toFixed(1)}):`,
  );
  console.log(`  redis-tls scan --cluster (3 primaries)  ${c.toFixed(0)} ms  (${(KEYS / c / 1000).toFixed(2)} M keys/s)`);
  console.log(`  redis-tls scan (one server)             ${s.toFixed(0)} ms  (${(KEYS / s / 1000).toFixed(2)} M keys/s)`);
  console.log(`  ratio                                   ${(s / c).toFixed(2)}x faster over the cluster (target >= 1.5x, goal 2x)`);
} finally {
  await cluster.stop();
  await single.stop();
}
