// npm run bench:cli — 10,000 GETs piped through `redis-tls cli` (dist/cli.js) against
// `redis-cli --tls`, same lab TLS server, same run, interleaved rounds, medians. Both read the
// commands from stdin and write raw replies to a pipe; the replies are compared byte for byte.
// Uses its own TLS redis-server from the test lab (compiled into out/); never touches port 6379.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 10_000);
const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 5));

console.log('bench:cli: building dist/cli.js and compiling the lab...');
if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' }).status !== 0) throw new Error('npm run build failed');
spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: ROOT }); // emits even when unrelated files have type errors
const { getLab } = require('./out/test/lab/certs.js');
const { startRedis } = require('./out/test/lab/servers.js');
const { RedisConnection } = require('./out/src/core/client/connection.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function timed(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (b) => {
      hash.update(b);
      bytes += b.length;
    });
    child.stderr.on('data', (b) => {
      err += b;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, bytes, digest: hash.digest('hex') });
    });
    child.stdin.end(input);
  });
}

const lab = await getLab();
const srv = await startRedis({ kind: 'tls' });
try {
  const conn = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
  await Promise.all(Array.from({ length: COMMANDS }, (_, i) => conn.send(['SET', `key:${i}`, `value-${i}-${'x'.repeat(i % 50)}`])));
  await conn.close();
  let input = '';
  for (let i = 0; i < COMMANDS; i++) input += `GET key:${i}\n`;
  const conn1 = ['--tls', '--cacert', lab.rootCa.certPath, '-h', 'localhost', '-p', String(srv.port)];
  const tools = {
    'redis-tls cli': () => timed(process.execPath, ['dist/cli.js', 'cli', ...conn1], input),
    'redis-cli --tls': () => timed('redis-cli', conn1, input),
  };
  const times = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const digests = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(tools)) {
      const r = await fn();
      times[name].push(r.ms);
      digests[name] = r.digest;
    }
  }
  const same = digests['redis-tls cli'] === digests['redis-cli --tls'];
  console.log(
    `\n${COMMANDS} GETs from stdin over TLS (verified, localhost), ${ROUNDS} interleaved rounds, median wall time per run (process start to exit):`,
  );
  for (const [name, xs] of Object.entries(times))
    console.log(`  ${name.padEnd(16)} ${median(xs).toFixed(0).padStart(6)} ms   (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`);
  const ratio = median(times['redis-cli --tls']) / median(times['redis-tls cli']);
  console.log(
    `  ratio redis-cli / redis-tls cli: ${ratio.toFixed(2)}x ${ratio >= 1 ? '(redis-tls cli is at least as fast)' : '(redis-tls cli is slower)'}`,
  );
  console.log(`  replies identical: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
} finally {
  await srv.stop();
}
