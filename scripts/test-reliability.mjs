// `npm run test:reliability`: the reliability tests of issue #9, run through scripts/test.mjs (same
// build, lab and layers as `npm test`, where these tests also run), then one summary line.
//   node scripts/test-reliability.mjs [--verbose]
//
// What runs: the unit, integration and vscode-host layers with --grep "fault: |hostile: |hostile names|secrets: ",
// i.e. every test whose title (or whose describe block's title) carries one of these markers:
//   "fault: "   a production fault survived (server killed, stopped, restarted, certificate rotated…)
//   "hostile: " a hostile input (server replies, names, files) handled without a crash
//   "secrets: " a stored secret is not sent to a target other than the one it was entered for
//
// How the last line is computed, from what actually ran (never from a fixed list):
//   faults <survived> survived of <run>   "fault: " tests passed / passed + failed
//   hostile inputs <N>                    "hostile: " tests run + the replies of the hostile fuzz
//                                         (its line `hostile-fuzz: replies N, crashes N, peak RSS +N MB`)
//   crashes <N>                           "hostile: " tests failed + the fuzz's own crash count
//   peak RSS +<N> MB                      from the hostile fuzz line (the largest one if several)
//   secrets sent to a changed target <N>  each failed "secrets: " test counts as one secret sent, plus any
//                                         figure a test prints as `secrets-sent-to-changed-target: N`
// Exit status 0 only when test.mjs passed, nothing failed, no count is 0 (faults, hostile inputs,
// secrets tests, fuzz replies), the fuzz line was seen and its peak RSS is under 200 MB.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const GREP = 'fault: |hostile: |hostile names|secrets: ';
const RSS_LIMIT_MB = 200;
const verbose = process.argv.includes('--verbose');

/** Which family a test belongs to, by the markers in its full title. */
function family(title) {
  if (/secrets: /.test(title)) return 'secrets';
  if (/(^|\s)fault: /.test(title)) return 'fault';
  if (/hostile: |hostile names/.test(title)) return 'hostile';
  return undefined;
}

const counts = { fault: { passed: 0, failed: 0 }, hostile: { passed: 0, failed: 0 }, secrets: { passed: 0, failed: 0 } };
const fuzz = { seen: false, replies: 0, crashes: 0, peakMb: 0 };
let printedSecretsSent = 0;

function onLine(line) {
  console.log(line);
  const t = /^\s*(ok|FAIL)\s{1,3}(\S.*)$/.exec(line);
  if (t) {
    const f = family(t[2]);
    if (f) counts[f][t[1] === 'ok' ? 'passed' : 'failed']++;
    return;
  }
  const z = /hostile-fuzz: replies (\d+), crashes (\d+), peak RSS \+(\d+(?:\.\d+)?) MB/.exec(line);
  if (z) {
    fuzz.seen = true;
    fuzz.replies += Number(z[1]);
    fuzz.crashes += Number(z[2]);
    fuzz.peakMb = Math.max(fuzz.peakMb, Number(z[3]));
    return;
  }
  const s = /secrets-sent-to-changed-target: (\d+)/.exec(line);
  if (s) printedSecretsSent += Number(s[1]);
}

const args = [join(ROOT, 'scripts', 'test.mjs'), 'unit', 'integration', 'vscode-host', '--grep', GREP, ...(verbose ? ['--verbose'] : [])];
const child = spawn(process.execPath, args, {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, RTE_TEST_TITLES: '1' },
});
let pending = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const l of lines) onLine(l);
});
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? signal)));
if (pending) onLine(pending);

const faultsRun = counts.fault.passed + counts.fault.failed;
const hostileRun = counts.hostile.passed + counts.hostile.failed;
const hostileInputs = hostileRun + fuzz.replies;
const crashes = counts.hostile.failed + fuzz.crashes;
const secretsSent = counts.secrets.failed + printedSecretsSent;
const problems = [];
if (code !== 0) problems.push(`scripts/test.mjs exited with ${code}`);
if (faultsRun === 0) problems.push('no "fault: " test ran');
if (counts.fault.failed) problems.push(`${counts.fault.failed} fault test(s) failed`);
if (hostileRun === 0) problems.push('no "hostile: " test ran');
if (crashes) problems.push(`${crashes} crash(es) on hostile input`);
if (!fuzz.seen) problems.push('no hostile-fuzz summary line was printed');
else if (fuzz.replies === 0) problems.push('the hostile fuzz sent 0 replies');
if (fuzz.peakMb >= RSS_LIMIT_MB) problems.push(`peak RSS +${fuzz.peakMb} MB is not under ${RSS_LIMIT_MB} MB`);
if (counts.secrets.passed + counts.secrets.failed === 0) problems.push('no "secrets: " test ran');
if (secretsSent) problems.push(`${secretsSent} secret(s) sent to a changed target`);
for (const p of problems) console.log(`reliability problem: ${p}`);
const rss = fuzz.seen ? String(Math.round(fuzz.peakMb)) : '?';
console.log(
  `reliability: faults ${counts.fault.passed} survived of ${faultsRun}; hostile inputs ${hostileInputs}, crashes ${crashes}; peak RSS +${rss} MB; secrets sent to a changed target ${secretsSent}`,
);
process.exit(problems.length ? 1 : 0);
