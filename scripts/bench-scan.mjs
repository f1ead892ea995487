// npm run bench:scan — 1,000,000 keys over TLS, interleaved rounds, medians:
//   redis-tls scan (dist/cli.js)  vs  ioredis scanStream COUNT 1000  vs  redis-cli --tls --scan
// and 100 reconnects with TLS session resumption vs fresh handshakes (BENCH_RECONNECTS=0 skips them).
// BENCH_COMPARE_CLI=path/to/cli.js adds another build of the CLI to every round (A/B of a change).
// Every tool runs as its own process writing one key per line to a pipe; the lines are counted.
// Uses its own TLS redis-server from the test lab (compiled into out/); never touches port 6379.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { countLines, median, prepareBench } from './lib/bench.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 5));
const RECONNECTS = Number(process.env.BENCH_RECONNECTS ?? 100);
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

console.log('bench:scan: building dist/cli.js and compiling the lab...');
prepareBench(ROOT, { need: ['out/test/lab/servers.js', 'out/src/core/client/connection.js'] });
const { getLab } = require('./out/test/lab/certs.js');
const { startRedis } = require('./out/test/lab/servers.js');
const { RedisConnection } = require('./out/src/core/client/connection.js');
const { TlsCache } = require('./out/src/core/tls/context.js');

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function procCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/**
 * Runs a process under /usr/bin/time, counts newline bytes on its stdout, returns wall ms, the
 * child's CPU ms and the redis-server's CPU ms spent meanwhile. CPU figures stay meaningful when
 * other work competes for the machine; wall time does not.
 */
function timed(serverPid, cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const cpuFile = join(tmpdir(), `bench-scan-cpu-${process.pid}.txt`);
    const server0 = procCpuMs(serverPid);
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, cmd, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = countLines(child.stdout);
    let err = '';
    child.stderr.on('data', (b) => {
      err += b;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const serverCpuMs = procCpuMs(serverPid) - server0;
      const [u, sys] = readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, lines: out.lines, clientCpuMs: (u + sys) * 1000, serverCpuMs });
    });
  });
}

const lab = await getLab();
const srv = await startRedis({ kind: 'tls', extraArgs: ['--enable-debug-command', 'yes'] });
try {
  const opts = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
  const seed = await RedisConnection.open(opts, { tlsCache: new TlsCache() });
  let t = performance.now();
  await seed.send(['DEBUG', 'POPULATE', KEYS, 'key'], { timeoutMs: 120_000 });
  const size = await seed.send(['DBSIZE']);
  console.log(
    `seeded ${size} keys with DEBUG POPULATE in ${(performance.now() - t).toFixed(0)} ms (TLS server on 127.0.0.1:${srv.port}, ${seed.report.protocol})`,
  );
  await seed.close();

  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const ioScript = join(ROOT, 'out', 'bench-ioredis-scan.cjs');
  writeFileSync(
    ioScript,
    `
const Redis = require(${JSON.stringify(require.resolve('ioredis'))});
const fs = require('node:fs');
const redis = new Redis({ host: 'localhost', port: ${srv.port}, tls: { ca: fs.readFileSync(${JSON.stringify(lab.rootCa.certPath)}), servername: 'localhost' }, lazyConnect: false });
const stream = redis.scanStream({ count: 1000 });
stream.on('data', (keys) => { if (keys.length) process.stdout.write(keys.join('\\n') + '\\n'); });
stream.on('end', () => { redis.disconnect(); });
stream.on('error', (e) => { console.error(e.message); process.exit(1); });
`,
  );

  const tools = {
    'redis-tls scan': () =>
      timed(srv.pid, process.execPath, [
        'dist/cli.js',
        'scan',
        '-h',
        'localhost',
        '-p',
        String(srv.port),
        '--tls',
        '--cacert',
        lab.rootCa.certPath,
      ]),
    'ioredis scanStream': () => timed(srv.pid, process.execPath, [ioScript]),
    ...(process.env.BENCH_COMPARE_CLI
      ? {
          'other cli.js build': () =>
            timed(srv.pid, process.execPath, [
              process.env.BENCH_COMPARE_CLI,
              'scan',
              '-h',
              'localhost',
              '-p',
              String(srv.port),
              '--tls',
              '--cacert',
              lab.rootCa.certPath,
            ]),
        }
      : {}),
    'redis-cli --scan': () =>
      timed(srv.pid, 'redis-cli', ['--tls', '--cacert', lab.rootCa.certPath, '-h', 'localhost', '-p', String(srv.port), '--scan']),
  };
  const times = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const clientCpu = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const serverCpu = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const parts = [];
    for (const [name, run] of Object.entries(tools)) {
      const r = await run();
      if (r.lines !== KEYS) throw new Error(`${name} printed ${r.lines} keys, expected ${KEYS}`);
      times[name].push(r.ms);
      clientCpu[name].push(r.clientCpuMs);
      serverCpu[name].push(r.serverCpuMs);
      parts.push(`${name} ${r.ms.toFixed(0)} ms (cpu ${r.clientCpuMs.toFixed(0)} + server ${r.serverCpuMs.toFixed(0)})`);
    }
    console.log(`round ${round}: ${parts.join(', ')}`);
  }
  const ours = median(times['redis-tls scan']);
  const io = median(times['ioredis scanStream']);
  const cli = median(times['redis-cli --scan']);
  console.log('\nSCAN of %d keys over TLS, medians of %d interleaved rounds (process start included):', KEYS, ROUNDS);
  console.log(`  redis-tls scan       ${ours.toFixed(0)} ms  (${(KEYS / ours / 1000).toFixed(2)} M keys/s)`);
  console.log(`  ioredis scanStream   ${io.toFixed(0)} ms  -> redis-tls is ${(io / ours).toFixed(2)}x faster (target >= 1.8x)`);
  console.log(`  redis-cli --scan     ${cli.toFixed(0)} ms  -> redis-tls is ${(cli / ours).toFixed(2)}x faster (target >= 4x)`);
  // The floor no client can beat: the redis-server's own CPU time for SCAN plus encrypting every reply,
  // read from /proc/<pid>/stat (utime + stime) before and after each of our runs.
  const floor = median(serverCpu['redis-tls scan']);
  const perRound = times['redis-tls scan'].map((ms, i) => ms / serverCpu['redis-tls scan'][i]);
  console.log(
    `  redis-server CPU     ${floor.toFixed(0)} ms during redis-tls scan -> our wall time is ${(ours / floor).toFixed(2)}x the server's CPU time (per-round median ${median(perRound).toFixed(2)}x; target <= 1.4x)`,
  );
  const load = (await import('node:os')).loadavg()[0];
  console.log(`CPU medians (client process + redis-server), less sensitive to other load (1-min load average now ${load.toFixed(1)}):`);
  for (const name of Object.keys(tools)) {
    console.log(
      `  ${name.padEnd(20)} client ${median(clientCpu[name]).toFixed(0)} ms, server ${median(serverCpu[name]).toFixed(0)} ms, total ${median(clientCpu[name].map((c, i) => c + serverCpu[name][i])).toFixed(0)} ms`,
    );
  }

  if (RECONNECTS > 0) {
    // Reconnects: the same profile with one shared cache (SecureContext + verified session) vs
    // a fresh cache per connection (new SecureContext, full handshake). Interleaved in blocks of 10.
    const shared = new TlsCache();
    const warm = await RedisConnection.open(opts, { tlsCache: shared });
    await warm.close();
    let resumedMs = 0;
    let freshMs = 0;
    let reused = 0;
    for (let block = 0; block < RECONNECTS / 10; block++) {
      for (let i = 0; i < 10; i++) {
        t = performance.now();
        const c = await RedisConnection.open(opts, { tlsCache: shared });
        resumedMs += performance.now() - t;
        if (c.report.sessionReused) reused++;
        c.destroy();
      }
      for (let i = 0; i < 10; i++) {
        t = performance.now();
        const c = await RedisConnection.open(opts, { tlsCache: new TlsCache() });
        freshMs += performance.now() - t;
        c.destroy();
      }
    }
    console.log(`\n${RECONNECTS} reconnects (TCP + TLS + first reply), ${opts.host}, ${warm.report.protocol}:`);
    console.log(`  fresh handshakes     ${freshMs.toFixed(0)} ms  (${(freshMs / RECONNECTS).toFixed(2)} ms each)`);
    console.log(
      `  with resumption      ${resumedMs.toFixed(0)} ms  (${(resumedMs / RECONNECTS).toFixed(2)} ms each, ${reused}/${RECONNECTS} sessions reused)`,
    );
    console.log(`  ratio                ${(resumedMs / freshMs).toFixed(2)}x the fresh time (target <= 0.7x)`);
  }
} finally {
  await srv.stop();
}
