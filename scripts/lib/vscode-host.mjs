// The real VS Code host used by `npm start`, the vscode-host test layer and the e2e layer:
// code-server 4.100.3 (VS Code 1.100.3 web workbench + Node extension host) from the npm registry,
// installed into a version-keyed cache folder outside the repository.
// See ../../README.md ("Tests") and the shared note vscode-host.md for why it is done this way.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  openSync,
  closeSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, URLSearchParams } from 'node:url';
import { freePort, hasCommand, spawnGroup, waitFor } from './procs.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const MARKER = '.install-ok';

/** Absolute path of the project (the extension under development). */
export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The published extension id (publisher.name) from package.json. */
export function extensionId() {
  const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}`;
}

/** Raised when something the host needs is not on this machine; `prerequisite` names it. */
export class PrerequisiteError extends Error {
  constructor(prerequisite, message) {
    super(message ?? `prerequisite missing: ${prerequisite}`);
    this.prerequisite = prerequisite;
  }
}

export function codeServerDir() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'redis-tls-explorer', `code-server-${CODE_SERVER_VERSION}`);
}

function entryPath(dir = codeServerDir()) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** The files a working install must have (native modules built, ripgrep present). */
function installProblems(dir) {
  const vs = join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  const must = {
    'code-server entry.js': entryPath(dir),
    'node-pty native module': join(vs, 'node-pty', 'build', 'Release', 'pty.node'),
    'ripgrep binary': join(vs, '@vscode', 'ripgrep', 'bin', 'rg'),
  };
  return Object.entries(must)
    .filter(([, p]) => !existsSync(p))
    .map(([what, p]) => `${what} (${p})`);
}

/** What the install recipe needs from the machine (Debian package names). */
function installPrerequisites() {
  const missing = [];
  if (!hasCommand('rg')) missing.push('ripgrep (apt-get install ripgrep)');
  if (!existsSync('/usr/include/gssapi/gssapi.h') && !hasCommand('krb5-config')) missing.push('libkrb5-dev (apt-get install libkrb5-dev)');
  for (const cmd of ['g++', 'make', 'python3']) if (!hasCommand(cmd)) missing.push(`${cmd} (build-essential/python3)`);
  return missing;
}

async function withLock(lockDir, fn, log) {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let age = 0;
      try {
        age = Date.now() - statSync(lockDir).mtimeMs;
      } catch {
        continue;
      }
      if (age > 20 * 60_000) {
        log(`removing stale lock ${lockDir}`);
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${lockDir}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Makes sure code-server is installed in the cache folder and returns the path of its entry.js.
 * Installs it (about a minute, npm registry only) when it is not there yet. Throws PrerequisiteError
 * naming what is missing when it cannot.
 */
export async function ensureCodeServer({ log = (m) => console.log(m) } = {}) {
  const dir = codeServerDir();
  if (existsSync(join(dir, MARKER)) && existsSync(entryPath(dir))) return entryPath(dir);
  mkdirSync(dirname(dir), { recursive: true });
  return withLock(
    `${dir}.lock`,
    async () => {
      if (existsSync(join(dir, MARKER)) && existsSync(entryPath(dir))) return entryPath(dir);
      // An earlier install without the marker (e.g. made by hand with the same recipe) is accepted when complete.
      if (existsSync(entryPath(dir)) && installProblems(dir).length === 0) {
        writeFileSync(join(dir, MARKER), `code-server ${CODE_SERVER_VERSION} verified ${new Date().toISOString()}\n`);
        return entryPath(dir);
      }
      const missing = installPrerequisites();
      if (missing.length) {
        throw new PrerequisiteError(
          'VS Code host (code-server)',
          `cannot install code-server ${CODE_SERVER_VERSION}: missing ${missing.join(', ')}`,
        );
      }
      log(`vscode-host: installing code-server ${CODE_SERVER_VERSION} into ${dir} (about a minute) ...`);
      const t0 = Date.now();
      const tmp = join(dir, 'tmp');
      mkdirSync(join(tmp, RIPGREP_CACHE), { recursive: true });
      // @vscode/ripgrep downloads rg from GitHub in its postinstall; seed its cache with Debian's binary.
      const rgDir = dirname(hasCommand('rg'));
      const tar = spawnSync('tar', ['czf', join(tmp, RIPGREP_CACHE, RIPGREP_TARBALL), '-C', rgDir, 'rg'], { encoding: 'utf8' });
      if (tar.status !== 0) throw new Error(`could not seed the ripgrep cache: ${tar.stderr}`);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cs-cache', private: true }) + '\n');
      const logFile = join(dir, 'install.log');
      const fd = openSync(logFile, 'w');
      const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
        cwd: dir,
        stdio: ['ignore', fd, fd],
        env: {
          ...process.env,
          TMPDIR: tmp,
          npm_config_yes: 'true',
          npm_config_unsafe_perm: 'true',
          // npm 11 blocks dependency install scripts; code-server needs them (native modules).
          npm_config_dangerously_allow_all_scripts: 'true',
        },
      });
      closeSync(fd);
      const problems = existsSync(entryPath(dir)) ? installProblems(dir) : [`code-server entry.js (${entryPath(dir)})`];
      if (npm.status !== 0 || problems.length) {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
        throw new PrerequisiteError(
          'VS Code host (code-server)',
          `installing code-server ${CODE_SERVER_VERSION} failed (npm exit ${npm.status}); missing: ${problems.join(', ') || 'nothing?'}\n` +
            `log: ${logFile}\n${tail}`,
        );
      }
      writeFileSync(join(dir, MARKER), `code-server ${CODE_SERVER_VERSION} installed ${new Date().toISOString()}\n`);
      log(`vscode-host: code-server installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return entryPath(dir);
    },
    log,
  );
}

/** Settings for a test/demo profile: no welcome page, no trust prompt, nothing phoning home. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server on 127.0.0.1 in its own process group with HOME, XDG_* and TMPDIR inside a run
 * folder. `env` is added to its environment, which the extension host (and so in-host tests) inherits.
 * `workspaceTrust: true` starts it without --disable-workspace-trust and with
 * `security.workspace.trust.enabled` on (everything else as by default): the workbench then asks
 * whether to trust the folder, and Restricted Mode can be tested. `installExtension: true` links the
 * project into the extensions folder as an installed extension (then open the page with
 * `workbenchUrl({ extensionDevelopmentPath: null })`): VS Code applies its enablement rules to it, such
 * as Restricted Mode's, which it never applies to an extension under development.
 * Returns { port, baseUrl, runDir, workspace, workbenchUrl(opts), logs, stop() }.
 */
export async function startCodeServer(opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(opts);
    } catch (err) {
      // freePort() cannot reserve the port: another process may take it before code-server binds.
      if (attempt >= 3 || !/EADDRINUSE/.test(String(err?.message))) throw err;
      opts = { ...opts, port: undefined };
    }
  }
}

async function startCodeServerOnce({
  port,
  workspace,
  env = {},
  runDir,
  settings = {},
  workspaceTrust = false,
  installExtension = false,
  log = () => {},
  keepRunDir = false,
} = {}) {
  const entry = await ensureCodeServer({ log: (m) => console.log(m) });
  const ownRunDir = !runDir;
  runDir ??= mkdtempSync(join(tmpdir(), 'rte-host-'));
  const dirs = {
    home: join(runDir, 'home'),
    config: join(runDir, 'config'),
    data: join(runDir, 'data'),
    tmp: join(runDir, 'tmp'),
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  if (!workspace) {
    workspace = join(runDir, 'workspace');
    mkdirSync(workspace, { recursive: true });
  }
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  if (installExtension) {
    const { version } = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8'));
    const link = join(dirs.extensions, `${extensionId()}-${version}`);
    if (!existsSync(link)) symlinkSync(PROJECT_DIR, link, 'dir');
  }
  // A kept profile (npm start) keeps the user's own changes; the defaults only fill gaps.
  const settingsFile = join(dirs.userData, 'User', 'settings.json');
  let existing = {};
  try {
    existing = JSON.parse(readFileSync(settingsFile, 'utf8'));
  } catch {
    // none yet (or not plain JSON): start from the defaults
  }
  const trust = workspaceTrust ? { 'security.workspace.trust.enabled': true } : {};
  writeFileSync(settingsFile, JSON.stringify({ ...USER_SETTINGS, ...existing, ...trust, ...settings }, null, 2));

  port = await freePort(port);
  const childEnv = { ...process.env };
  // Never talk to a VS Code this script may itself run in.
  for (const k of Object.keys(childEnv)) if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PORT') delete childEnv[k];
  Object.assign(childEnv, {
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: join(runDir, 'cache'),
    TMPDIR: dirs.tmp,
    ...env,
  });
  const logs = [];
  const proc = spawnGroup(
    process.execPath,
    [
      entry,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--user-data-dir',
      dirs.userData,
      '--extensions-dir',
      dirs.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override',
      workspace,
    ],
    {
      cwd: runDir,
      env: childEnv,
      name: 'code-server',
      onLine: (line) => {
        logs.push(line);
        if (logs.length > 2000) logs.shift();
        log(line);
      },
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await proc.stop();
    if (ownRunDir && !keepRunDir) rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    let exited = null;
    proc.exited.then((r) => (exited = r));
    await waitFor(
      async () => {
        if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${logs.slice(-20).join('\n')}`);
        const res = await fetch(`${baseUrl}/healthz`);
        return res.ok;
      },
      { timeoutMs: 60_000, intervalMs: 150, what: `code-server /healthz on port ${port}` },
    ).catch((err) => {
      if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${logs.slice(-20).join('\n')}`);
      throw err;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    baseUrl,
    runDir,
    workspace,
    logs,
    process: proc,
    /** URL of the workbench with the project loaded as extension under development. */
    workbenchUrl: (opts = {}) => workbenchUrl({ port, workspace, ...opts }),
    stop,
  };
}

/**
 * The page URL that opens `workspace` with the extension under development (code-server has no
 * --extensionDevelopmentPath; the workbench takes it from the `payload` query parameter).
 * With `extensionTestsPath` (absolute path of a module exporting run()) the host runs the tests
 * and reports the result through window.codeAutomationExit. `extensionDevelopmentPath: null`: no
 * extension under development (e.g. the project is installed, see startCodeServer's installExtension).
 */
export function workbenchUrl({ port, workspace, extensionDevelopmentPath = PROJECT_DIR, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = extensionDevelopmentPath === null ? [] : [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (workspace) q.set('folder', workspace);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${port}/?${q.toString()}`;
}
