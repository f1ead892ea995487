// Process helpers shared by the test runner and `npm start`: free ports, detached process groups that
// are always killed (also on failure, timeout and Ctrl-C), and small polling helpers.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** Every process group started through spawnGroup() that is still alive. */
const liveGroups = new Set();
let exitHookInstalled = false;

/** Cleanups run (newest first) before the groups are killed when this process is told to stop. */
const shutdownHooks = [];
let shuttingDown = false;

/** Registers an async cleanup to run on SIGINT/SIGTERM/SIGHUP before this process exits. */
export function onShutdown(fn) {
  installExitHook();
  shutdownHooks.push(fn);
}

/** True once a signal (or shutdown()) started stopping this process. */
export function isShuttingDown() {
  return shuttingDown || signalled;
}
let signalled = false;

/** Runs the shutdown hooks, stops every group (TERM, then KILL) and exits with `code`. */
export async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const fn of shutdownHooks.reverse()) {
    try {
      await Promise.race([fn(), new Promise((r) => setTimeout(r, 5000))]);
    } catch (err) {
      console.error(`cleanup failed: ${err?.message ?? err}`);
    }
  }
  for (const pid of liveGroups) killGroupNow(pid, 'SIGTERM');
  if (liveGroups.size) await new Promise((r) => setTimeout(r, 1500));
  killAllGroups('SIGKILL');
  process.exit(code);
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: whatever happens to this process, its groups die with it.
  process.on('exit', () => {
    for (const pid of liveGroups) killGroupNow(pid, 'SIGKILL');
  });
  for (const [sig, n] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ]) {
    process.on(sig, () => {
      // Kill the groups right away (the hooks may be slow), then clean up and exit.
      signalled = true;
      for (const pid of liveGroups) killGroupNow(pid, 'SIGTERM');
      void shutdown(128 + n);
    });
  }
}

function killGroupNow(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Returns a free TCP port on 127.0.0.1 (preferred one first when given and free). */
export async function freePort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(0));
      srv.listen(port, '127.0.0.1', () => {
        const addr = srv.address();
        const got = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(got));
      });
    });
  if (preferred) {
    const got = await tryListen(preferred);
    if (got) return got;
  }
  const got = await tryListen(0);
  if (!got) throw new Error('could not find a free port on 127.0.0.1');
  return got;
}

/**
 * Spawns a command as the leader of a new process group (setsid-like, `detached: true`), so that
 * stop() can kill it together with all its children. stdout/stderr lines go to `onLine`.
 */
export function spawnGroup(command, args, { cwd, env, onLine, name = command } = {}) {
  installExitHook();
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid) liveGroups.add(pid);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
  });
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        onLine?.(line);
      }
    });
    stream.on('end', () => {
      if (buf) onLine?.(buf);
      buf = '';
    });
  }
  let stopping;
  async function stop(graceMs = 3000) {
    if (stopping) return stopping;
    stopping = (async () => {
      if (!pid) return;
      killGroupNow(pid, 'SIGTERM');
      const timer = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
      const res = await Promise.race([exited, timer]);
      // The leader may be gone while children of the group live on: always finish with SIGKILL.
      killGroupNow(pid, 'SIGKILL');
      if (res === 'timeout') await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
      liveGroups.delete(pid);
    })();
    return stopping;
  }
  return { child, pid, exited, stop, name };
}

/** Kills every live process group started by this process (used by signal handlers). */
export function killAllGroups(signal = 'SIGKILL') {
  for (const pid of liveGroups) killGroupNow(pid, signal);
  liveGroups.clear();
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(check, { timeoutMs, intervalMs = 200, what }) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (${lastErr.message})` : ''}`);
}

/** True when `cmd` is found on PATH (or is an existing executable path). */
export function hasCommand(cmd) {
  const r = spawnSync('sh', ['-c', `command -v "${cmd}"`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
}
