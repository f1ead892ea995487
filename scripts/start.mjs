// `npm start`: builds the extension, starts the real VS Code (code-server) on 127.0.0.1 with the
// extension loaded from this folder, prints the URL to open, and stays in the foreground until
// Ctrl-C / SIGTERM, which stop everything.
//   npm start                      port $PORT, else 8080 when free, else any free port
//   npm start -- --no-demo         without the demo TLS Redis servers (they start by default)
//   npm start -- --verbose         show code-server's log
//   npm start -- /some/folder      open that folder (default: .vscode-test/start/workspace)
// The profile (settings, secrets, state) lives in .vscode-test/start/ and survives restarts; delete it
// to start fresh.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isShuttingDown, onShutdown, shutdown } from './lib/procs.mjs';
import { PROJECT_DIR, ensureCodeServer, startCodeServer } from './lib/vscode-host.mjs';
import { startDemo, writeDemoProfiles } from './lib/demo.mjs';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const demo = !args.includes('--no-demo');
const folder = args.find((a) => !a.startsWith('--'));

function step(cmd, cmdArgs, what) {
  const r = spawnSync(cmd, cmdArgs, { cwd: PROJECT_DIR, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`start: ${what} failed`);
    process.exit(1);
  }
}

step(process.execPath, ['scripts/build.mjs'], 'build');
try {
  await ensureCodeServer();
} catch (err) {
  console.error(`start: ${err.message}`);
  process.exit(1);
}

let demoServer = null;
if (demo) {
  const d = await startDemo();
  if (d.why) console.log(`start: no demo Redis: ${d.why}`);
  else {
    demoServer = d;
    onShutdown(() => d.stop());
  }
}

const runDir = join(PROJECT_DIR, '.vscode-test', 'start');
const workspace = folder ? resolve(folder) : join(runDir, 'workspace');
mkdirSync(workspace, { recursive: true });
// The demo profiles go into the default workspace only; a folder of the user's is never written to.
const demoProfileFile = demoServer && !folder ? writeDemoProfiles(workspace, demoServer.profiles) : null;

const explicitPort = process.env.PORT ? Number(process.env.PORT) : undefined;
let host;
try {
  host = await startCodeServer({
    port: explicitPort ?? 8080,
    runDir,
    workspace,
    env: demoServer?.env ?? {},
    log: verbose ? (line) => console.log(`  code-server> ${line}`) : () => {},
  });
} catch (err) {
  console.error(`start: could not start code-server: ${err.message}`);
  await shutdown(1);
}
onShutdown(() => host.stop());
if (explicitPort && host.port !== explicitPort) console.log(`start: port ${explicitPort} is busy, using ${host.port}`);

console.log('');
console.log('Redis TLS Explorer is running in VS Code (code-server) on 127.0.0.1.');
console.log('Open this URL in a browser (it loads the extension from this folder):');
console.log('');
console.log(`  ${host.workbenchUrl()}`);
console.log('');
if (demoServer) {
  console.log('Demo TLS Redis servers (certificates generated for this run, CA file below):');
  for (const p of demoServer.profiles) console.log(`  ${p.name.padEnd(40)} localhost:${p.port}`);
  for (const n of demoServer.notes ?? []) console.log(`  Note: ${n}`);
  console.log(`  CA file: ${demoServer.caFile}`);
  if (demoProfileFile) console.log(`  Profiles: ${demoProfileFile} (open the Redis TLS view in the activity bar)`);
  else console.log('  Add them with "Redis TLS: Add Connection" (host localhost, TLS on, CA file above).');
  console.log('');
}
console.log(`Profile: ${runDir}   Workspace: ${workspace}`);
console.log('Ctrl-C stops everything. After changing the code: rebuild (npm run build) and reload the window.');

const exit = await host.process.exited;
if (isShuttingDown()) await new Promise(() => {}); // Ctrl-C: the shutdown hooks finish and exit
console.error(`start: code-server exited (${JSON.stringify(exit)})`);
if (!verbose) console.error(host.logs.slice(-20).join('\n'));
await shutdown(1);
