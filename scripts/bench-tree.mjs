// npm run bench:tree [-- --keys N] — the key browser on N keys (default 1,000,000) over TLS (a
// benchmark, not a test). Its own lab TLS redis-server (never port 6379), seeded inside the server by
// DEBUG POPULATE (`<prefix>:<i>` keys): 20 namespaces, one of them ("big") a folder of N/10 keys (at
// most 1,000,000), the others split in 50 subfolders each. Measures, in one run:
//   - first page: connect, INFO, first SCAN page grouped, root children listed (what expanding db0 does)
//   - scan+group: Keyspace.loadAll with every namespace folder open (the user expanded all 20)
//     against a raw SCAN COUNT 1000 loop on the same connection; interleaved rounds, medians
//   - heap growth of the grouped tree (V8 heap + array buffers, after GC; RSS growth alongside)
//   - expanding the big folder: sort + first page of children (full order, repeats dropped) with TYPE/PTTL
// Last line: `tree: first page <N> ms; scan+group <X>x raw scan; heap +<N> MB; <size> folder first page <N> ms`
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { median, prepareBench } from './lib/bench.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  const text = at >= 0 ? process.argv[at + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = Number(text ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1000) throw new Error(`--${name} wants a whole number >= 1000, got ${text}`);
  return value;
}
const KEYS = option('keys', process.env.BENCH_KEYS ?? 1_000_000);
const BIG = Math.min(1_000_000, Math.floor(KEYS / 10));
const BIG_NAME = BIG >= 1_000_000 ? `${BIG / 1_000_000}M` : `${Math.round(BIG / 1000)}k`;
const NAMESPACES = 19;
const SUBFOLDERS = 50;
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const SCAN_COUNT = 1000;
const CHILD_PAGE = 500;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

console.log('bench:tree: compiling (tsc -p tsconfig.test.json)...');
prepareBench(ROOT, {
  build: false,
  need: ['out/test/lab/servers.js', 'out/src/core/client/connection.js', 'out/src/core/keys/keyspace.js'],
});
const { getLab } = require('./out/test/lab/certs.js');
const { startRedis } = require('./out/test/lab/servers.js');
const { RedisConnection } = require('./out/src/core/client/connection.js');
const { Database, describeServer } = require('./out/src/core/keys/database.js');
const { Keyspace } = require('./out/src/core/keys/keyspace.js');

const ms = (x) => x.toFixed(1);

/**
 * DEBUG POPULATE <count> <prefix> creates `<prefix>:0` .. `<prefix>:<count-1>` in the server itself:
 * big:<i> for the big folder, ns<01..19>:g<0..49>:<i> for the rest.
 */
async function seed(conn) {
  const t = performance.now();
  await conn.send(['FLUSHALL']);
  const groups = NAMESPACES * SUBFOLDERS;
  const commands = [['DEBUG', 'POPULATE', BIG, 'big']];
  for (let g = 0; g < groups; g++) {
    const count = Math.floor((KEYS - BIG) / groups) + (g < (KEYS - BIG) % groups ? 1 : 0);
    const name = `ns${String(1 + (g % NAMESPACES)).padStart(2, '0')}:g${Math.floor(g / NAMESPACES)}`;
    commands.push(['DEBUG', 'POPULATE', count, name]);
  }
  await Promise.all(commands.map((c) => conn.send(c, { timeoutMs: 600_000 })));
  const size = await conn.send(['DBSIZE']);
  if (size !== KEYS) throw new Error(`seeded ${size} keys, expected ${KEYS}`);
  console.log(`seeded ${size} keys (DEBUG POPULATE, ${commands.length} prefixes) in ${ms(performance.now() - t)} ms`);
}

const cpuMs = (since) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

async function rawScan(conn) {
  const t = performance.now();
  const c = process.cpuUsage();
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await conn.send(['SCAN', cursor, 'COUNT', SCAN_COUNT]);
    cursor = next.toString();
    n += keys.length;
  } while (cursor !== '0');
  return { ms: performance.now() - t, cpu: cpuMs(c), keys: n };
}

function keyspaceOf(conn) {
  return new Keyspace(new Database(conn, 0, 0), { delimiter: ':', scanPageSize: SCAN_COUNT, childPageSize: CHILD_PAGE });
}

/** The tree's work when the user expanded every namespace: first page, open all folders, scan the rest. */
async function scanAndGroup(conn) {
  const t = performance.now();
  const c = process.cpuUsage();
  const ks = keyspaceOf(conn);
  await ks.ensureStarted();
  for (const f of ks.tree.root.children()) ks.tree.prepare(f);
  await ks.loadAll();
  return { ms: performance.now() - t, cpu: cpuMs(c), keys: ks.tree.root.total, ks };
}

const lab = await getLab();
const srv = await startRedis({ kind: 'tls', extraArgs: ['--enable-debug-command', 'local'] });
const opts = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] }, commandTimeoutMs: 120_000 };
try {
  const seeder = await RedisConnection.open(opts);
  await seed(seeder);
  await seeder.close();

  // First page after connecting, on a fresh connection: what expanding the connection and db0 does.
  const tConnect = performance.now();
  const conn = await RedisConnection.open(opts);
  const t0 = performance.now();
  const shape = await describeServer(conn);
  const first = keyspaceOf(conn);
  await first.ensureStarted();
  const rootPage = await first.children(first.tree.root);
  const firstPageMs = performance.now() - t0;
  console.log(
    `connect (TLS ${conn.report.protocol}) ${ms(t0 - tConnect)} ms; first page of tree nodes ${ms(firstPageMs)} ms (${rootPage.entries.length} nodes from ${first.tree.root.total} keys; INFO says ${shape.databases[0]?.keys} keys)`,
  );

  // Interleaved rounds: raw SCAN loop vs scan + group.
  const raws = [];
  const groups = [];
  for (let r = 0; r < ROUNDS; r++) {
    const raw = await rawScan(conn);
    raws.push(raw.ms);
    const g = await scanAndGroup(conn);
    groups.push(g.ms);
    if (raw.keys < KEYS || g.keys < KEYS) throw new Error(`round ${r}: raw ${raw.keys} keys, grouped ${g.keys}`);
    console.log(
      `round ${r + 1}: raw SCAN ${ms(raw.ms)} ms (${raw.keys} keys, this process's CPU ${ms(raw.cpu)} ms); scan+group ${ms(g.ms)} ms (${g.keys} keys, CPU ${ms(g.cpu)} ms)`,
    );
  }
  const ratio = median(groups) / median(raws);
  console.log(`median raw SCAN ${ms(median(raws))} ms; median scan+group ${ms(median(groups))} ms; ratio ${ratio.toFixed(2)}x`);

  // Heap growth of one grouped tree.
  gc();
  gc();
  const m0 = process.memoryUsage();
  const kept = await scanAndGroup(conn);
  gc();
  gc();
  const m1 = process.memoryUsage();
  const heapMb = (m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers)) / 1024 / 1024;
  console.log(
    `heap: +${ms((m1.heapUsed - m0.heapUsed) / 1048576)} MB V8 heap, +${ms((m1.arrayBuffers - m0.arrayBuffers) / 1048576)} MB array buffers (RSS +${ms((m1.rss - m0.rss) / 1048576)} MB, now ${ms(m1.rss / 1048576)} MB) for ${kept.keys} keys in ${kept.ks.tree.root.childCount} namespaces`,
  );

  // Expanding the big folder: first page of children (sort + dedupe once, TYPE/PTTL for the page).
  const big = kept.ks.tree.root.children().find((f) => f.segment === 'big');
  const tb = performance.now();
  kept.ks.tree.prepare(big);
  const sortMs = performance.now() - tb;
  const bigPage = await kept.ks.children(big);
  const bigMs = performance.now() - tb;
  const tb2 = performance.now();
  kept.ks.showMore(big);
  await kept.ks.children(big);
  console.log(
    `${BIG_NAME} folder: first page ${ms(bigMs)} ms (${bigPage.entries.length} shown, ${bigPage.hidden} more; radix sort by 4-byte prefix ${ms(sortMs)} ms, then the page in full order without repeats + TYPE/PTTL ${ms(bigMs - sortMs)} ms); next page ${ms(performance.now() - tb2)} ms`,
  );
  await conn.close();

  console.log(
    `tree: first page ${Math.round(firstPageMs)} ms; scan+group ${ratio.toFixed(2)}x raw scan; heap +${Math.round(heapMb)} MB; ${BIG_NAME} folder first page ${Math.round(bigMs)} ms`,
  );
} finally {
  await srv.stop();
}
