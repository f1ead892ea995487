/**
 * Connection manager commands: Add, Edit, Duplicate, Remove, Rename, Import (URL / redis-cli),
 * Copy as redis-cli command, Connect, Disconnect, Test Connection, Forget Stored Secrets.
 * Every command taking a profile accepts a profile id, a tree node `{ profileId }`, or nothing
 * (then a QuickPick asks). Extra arguments let tests drive the commands without UI.
 */
import * as vscode from 'vscode';
import type { Container } from '../container';
import { isDiagnosedError, type Problem } from '../core/diagnosis/problem';
import { runDoctor } from '../core/client/doctor';
import { applyAnswers, type ConnectionAnswers } from '../core/profiles/answers';
import { describeEndpoint, newProfileId, validateProfile, type DraftSecrets, type ProfileDraft } from '../core/profiles/draft';
import { toRedisCliCommand } from '../core/profiles/export';
import { profileFromRedisCli, profileFromText, profileFromUrl } from '../core/profiles/import';
import type { Profile } from '../core/profiles/profile';
import type { SecretKind } from '../platform/secretStore';
import { ConnectionStatusBar, describeSession, expiryWarningDays } from '../platform/statusBar';
import { USE_CA_COMMAND } from '../webviews/certPanel';
import { CaArgumentError, parseCaArgument, type CaArgument } from './caArgument';
import { checkDraft, readAnswerFiles, runInteractiveFlow } from './connectionFlow';
import { targetId, type Target } from './target';

export interface SaveResult {
  /** Set when the profile was saved. */
  profileId?: string;
  saved: boolean;
  /** Problems found by the checks (errors prevent saving unless `ignoreProblems`). */
  problems: Problem[];
  warnings: Problem[];
  /** Set when `connect` was asked: whether the connection succeeded, or its problem. */
  connected?: boolean;
  connectProblem?: Problem;
}

export interface TestResult {
  ok: boolean;
  problem?: Problem;
  protocol?: string | null;
  verified?: boolean;
  /** Works today but deserves attention (expiry soon, verification off...). */
  warnings?: string[];
  serverVersion?: string;
}

/** Secret kinds a profile uses; anything else stored for it is stale and removed on save. */
function usedSecretKinds(p: Profile): Set<SecretKind> {
  const used = new Set<SecretKind>();
  if (p.hasPassword) used.add('password');
  if (p.tls && p.ca.kind === 'imported') used.add('caPem');
  if (p.tls && p.client.kind === 'imported') used.add('certPem').add('keyPem').add('passphrase');
  if (p.tls && p.client.kind === 'files') used.add('passphrase');
  if (p.tls && p.client.kind === 'pfx') used.add('pfx').add('pfxPassword');
  return used;
}

/** An answers object passed by a caller (tests, other features); a tree selection array is not one. */
function isAnswers(v: unknown): v is ConnectionAnswers {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function problemMessage(p: Problem): string {
  return `${p.code}: ${p.title}`;
}

export function registerConnections(container: Container): void {
  const { profiles, secrets, sessions, log } = container;
  const statusBar = container.own(new ConnectionStatusBar(sessions));
  const register = (id: string, fn: (...args: never[]) => unknown): void => {
    container.own(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  };

  async function pickProfile(placeholder: string, filter: (p: Profile) => boolean = () => true): Promise<Profile | undefined> {
    const list = profiles.list().filter(filter);
    if (list.length === 0) {
      const add = 'Add Connection';
      if ((await vscode.window.showInformationMessage('No matching Redis connections.', add)) === add) await vscode.commands.executeCommand('redisTls.addConnection');
      return undefined;
    }
    const items = list.map((p) => {
      const state = sessions.state(p.id);
      const last = sessions.lastStatus(p.id);
      const live = state.kind === 'connected' ? `$(pass-filled) connected${state.verified ? '' : ' (UNVERIFIED)'}` : state.kind === 'connecting' ? '$(sync~spin) connecting' : undefined;
      const lastText = last ? (last.ok ? `$(check) last OK ${new Date(last.at).toLocaleString()}` : `$(error) last: ${last.code ?? 'failed'} ${new Date(last.at).toLocaleString()}`) : 'never connected';
      return { label: `${p.tls && p.verify !== 'insecure' ? '$(lock)' : '$(unlock)'} ${p.name}`, description: describeEndpoint(p) + (p.source === 'workspace' ? ' · workspace' : ''), detail: live ?? lastText, profile: p };
    });
    const chosen = await vscode.window.showQuickPick(items, { placeHolder: placeholder, matchOnDescription: true });
    return chosen?.profile;
  }

  async function resolveTarget(arg: Target, placeholder: string, filter?: (p: Profile) => boolean): Promise<Profile | undefined> {
    const id = targetId(arg);
    if (id !== undefined) {
      const p = profiles.get(id);
      if (!p) throw new Error(`No connection profile with id ${id}`);
      return p;
    }
    return pickProfile(placeholder, filter);
  }

  /** Validates, checks, and stores a draft: profile in globalState, secrets in SecretStorage. */
  async function saveDraft(draft: ProfileDraft, files: Awaited<ReturnType<typeof readAnswerFiles>>, opts: { ignoreProblems?: boolean; connect?: boolean; stored?: DraftSecrets }): Promise<SaveResult> {
    const invalid = validateProfile(draft.profile);
    if (invalid.length > 0) throw new Error(`The profile is not valid: ${invalid.map((e) => e.message).join(' ')}`);
    const check = checkDraft(draft, files.files, opts.stored);
    const problems = [...files.problems, ...check.errors];
    if (problems.length > 0 && !opts.ignoreProblems) {
      return { saved: false, problems, warnings: check.warnings };
    }
    const p = draft.profile;
    await secrets.setAll(p.id, draft.secrets);
    const used = usedSecretKinds(p);
    for (const kind of ['password', 'passphrase', 'keyPem', 'certPem', 'caPem', 'pfx', 'pfxPassword'] as const) {
      if (!used.has(kind)) await secrets.set(p.id, kind, undefined);
    }
    await profiles.save(p);
    log.info(`Saved connection "${p.name}" (${describeEndpoint(p)})`);
    // A live session keeps the settings it was opened with: close it so the next use gets the new ones.
    if (sessions.session(p.id)) await sessions.disconnect(p.id);
    const result: SaveResult = { profileId: p.id, saved: true, problems, warnings: check.warnings };
    if (opts.connect) {
      try {
        await sessions.connect(p.id);
        result.connected = true;
      } catch (e) {
        result.connected = false;
        if (isDiagnosedError(e)) result.connectProblem = e.problem;
      }
    }
    return result;
  }

  function reportSave(result: SaveResult, interactive: boolean): void {
    if (!interactive) return;
    if (!result.saved) {
      void vscode.window.showErrorMessage(`Connection not saved: ${result.problems.map(problemMessage).join('; ')}`);
    } else if (result.connected === false && result.connectProblem) {
      void showProblem(result.connectProblem, result.profileId);
    } else if (result.connected) {
      void vscode.window.showInformationMessage(`Connected to ${profiles.get(result.profileId ?? '')?.name ?? 'Redis'}.`);
    }
  }

  async function showProblem(problem: Problem, profileId?: string): Promise<void> {
    const details = 'Details';
    const test = 'Test Connection';
    const choice = await vscode.window.showErrorMessage(problemMessage(problem), details, ...(profileId ? [test] : []));
    if (choice === details) {
      await vscode.window.showErrorMessage(problemMessage(problem), { modal: true, detail: `${problem.detail}\n\nFix: ${problem.fix}` });
    } else if (choice === test && profileId) {
      await vscode.commands.executeCommand('redisTls.testConnection', profileId);
    }
  }

  async function fromAnswers(answers: ConnectionAnswers, base: Profile | undefined, stored: DraftSecrets = {}): Promise<SaveResult> {
    const files = await readAnswerFiles(answers, base);
    const draft = applyAnswers(answers, base, files.files);
    return saveDraft(draft, files, { ignoreProblems: answers.ignoreProblems, connect: answers.connect, stored });
  }

  // --- Add / Import -------------------------------------------------------------------------------

  /** The guided Add Connection flow; `start` prefills answers (e.g. a CA from the certificate panel). */
  async function addInteractive(start: ConnectionAnswers = {}): Promise<SaveResult | undefined> {
    const flow = await runInteractiveFlow('Add Redis Connection', undefined, {}, start);
    if (!flow) return undefined;
    const result = await fromAnswers({ ...flow.answers, connect: flow.connect, ignoreProblems: true }, undefined);
    reportSave(result, true);
    return result;
  }

  register('redisTls.addConnection', async (answers?: ConnectionAnswers): Promise<SaveResult | undefined> => {
    if (isAnswers(answers) && typeof answers.host === 'string') return fromAnswers(answers, undefined);
    return addInteractive();
  });

  async function importFrom(kind: 'any' | 'url' | 'cli', arg?: string | { text: string; name?: string; connect?: boolean; interactive?: boolean }): Promise<SaveResult | undefined> {
    const given = typeof arg === 'string' ? { text: arg } : arg;
    let text = given?.text;
    if (text === undefined) {
      text = await vscode.window.showInputBox({
        title: kind === 'url' ? 'Import from URL' : kind === 'cli' ? 'Import from redis-cli command' : 'Import Connection',
        prompt: kind === 'url' ? 'Paste a redis:// or rediss:// URL' : kind === 'cli' ? 'Paste a redis-cli command line (-h -p -n --user -a --tls --cacert --cacertdir --cert --key --sni --insecure)' : 'Paste a rediss:// URL or a redis-cli command line',
        placeHolder: kind === 'cli' ? 'redis-cli -h redis.example.com -p 6380 --tls --cacert ca.pem' : 'rediss://user@redis.example.com:6380/0',
        ignoreFocusOut: true,
        password: false,
        validateInput: (t) => {
          try {
            if (t.trim() === '') return undefined;
            (kind === 'url' ? profileFromUrl : kind === 'cli' ? profileFromRedisCli : profileFromText)(t);
            return undefined;
          } catch (e) {
            return e instanceof Error ? e.message : 'Cannot read this.';
          }
        },
      });
      if (!text) return undefined;
    }
    let draft: ProfileDraft;
    try {
      draft = (kind === 'url' ? profileFromUrl : kind === 'cli' ? profileFromRedisCli : profileFromText)(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : 'Cannot read this.';
      if (given) throw new Error(message);
      void vscode.window.showErrorMessage(`Import failed: ${message}`);
      return undefined;
    }
    if (given?.name) draft.profile.name = given.name;
    for (const w of draft.warnings) log.info(`Import: ${w}`);
    if (given && given.interactive !== true) {
      const files = await readAnswerFiles({}, draft.profile);
      return saveDraft(draft, files, { ignoreProblems: true, connect: given.connect });
    }
    if (draft.warnings.length > 0) void vscode.window.showWarningMessage(`Import: ${draft.warnings.join(' ')}`);
    // Review the imported values in the guided flow (checks included) before saving.
    const flow = await runInteractiveFlow('Import Redis Connection', draft.profile, draft.secrets);
    if (!flow) return undefined;
    const files = await readAnswerFiles(flow.answers, draft.profile);
    const reviewed = applyAnswers(flow.answers, draft.profile, files.files);
    reviewed.secrets = { ...draft.secrets, ...reviewed.secrets };
    const result = await saveDraft(reviewed, files, { ignoreProblems: true, connect: flow.connect });
    reportSave(result, true);
    return result;
  }

  register('redisTls.importConnection', (arg?: string | { text: string }) => importFrom('any', arg));
  register('redisTls.importFromUrl', (arg?: string | { text: string }) => importFrom('url', arg));
  register('redisTls.importFromRedisCli', (arg?: string | { text: string }) => importFrom('cli', arg));

  // --- Edit / Duplicate / Rename / Remove ---------------------------------------------------------

  async function userProfileOrExplain(p: Profile): Promise<boolean> {
    if (p.source !== 'workspace') return true;
    const open = 'Open redis-tls.json';
    if ((await vscode.window.showInformationMessage(`"${p.name}" is shared in the workspace file .vscode/redis-tls.json: edit it there (Duplicate makes a personal copy).`, open)) === open) {
      await openWorkspaceFile();
    }
    return false;
  }

  register('redisTls.editConnection', async (arg?: Target, answers?: ConnectionAnswers): Promise<SaveResult | undefined> => {
    const p = await resolveTarget(arg, 'Edit which connection?');
    if (!p) return undefined;
    if (isAnswers(answers)) {
      if (p.source === 'workspace') throw new Error('Workspace profiles are edited in .vscode/redis-tls.json.');
      return fromAnswers(answers, p, await secrets.getAll(p.id));
    }
    if (!(await userProfileOrExplain(p))) return undefined;
    const stored = await secrets.getAll(p.id);
    const flow = await runInteractiveFlow(`Edit ${p.name}`, p, stored);
    if (!flow) return undefined;
    const result = await fromAnswers({ ...flow.answers, connect: flow.connect, ignoreProblems: true }, p, stored);
    reportSave(result, true);
    return result;
  });

  register('redisTls.duplicateConnection', async (arg?: Target, options?: { name?: unknown }): Promise<string | undefined> => {
    const p = await resolveTarget(arg, 'Duplicate which connection?');
    if (!p) return undefined;
    const copy: Profile = { ...p, id: newProfileId(), name: typeof options?.name === 'string' ? options.name : `${p.name} (copy)`, source: 'user' };
    await secrets.copy(p.id, copy.id);
    await profiles.save(copy);
    log.info(`Duplicated connection "${p.name}" as "${copy.name}"`);
    return copy.id;
  });

  register('redisTls.renameConnection', async (arg?: Target, givenName?: unknown): Promise<boolean> => {
    // From a tree context menu the second argument is the selection: only a string is a new name.
    const newName = typeof givenName === 'string' ? givenName : undefined;
    const p = await resolveTarget(arg, 'Rename which connection?');
    if (!p) return false;
    if (newName === undefined && !(await userProfileOrExplain(p))) return false;
    if (p.source === 'workspace') throw new Error('Workspace profiles are renamed in .vscode/redis-tls.json.');
    const name = newName ?? (await vscode.window.showInputBox({ title: 'Rename Connection', value: p.name, validateInput: (t) => (t.trim() === '' ? 'Enter a name.' : undefined) }));
    if (!name || name.trim() === '') return false;
    await profiles.save({ ...p, name: name.trim() });
    return true;
  });

  register('redisTls.removeConnection', async (arg?: Target, options?: { confirmed?: boolean }): Promise<boolean> => {
    const p = await resolveTarget(arg, 'Remove which connection?');
    if (!p) return false;
    if (options?.confirmed !== true) {
      const remove = p.source === 'workspace' ? 'Forget Secrets' : 'Remove';
      const message = p.source === 'workspace'
        ? `"${p.name}" is defined in .vscode/redis-tls.json. Forget its stored secrets (password, passphrase)?`
        : `Remove the connection "${p.name}"? Its password, keys and imported certificates are deleted from secret storage.`;
      if ((await vscode.window.showWarningMessage(message, { modal: true }, remove)) !== remove) return false;
    }
    await sessions.disconnect(p.id);
    await profiles.remove(p.id);
    log.info(`Removed connection "${p.name}" and its secrets`);
    return true;
  });

  register('redisTls.forgetSecrets', async (arg?: Target): Promise<boolean> => {
    const p = await resolveTarget(arg, 'Forget the stored secrets of which connection?');
    if (!p) return false;
    await sessions.disconnect(p.id);
    await secrets.forgetCredentials(p.id);
    log.info(`Forgot the stored password and passphrases of "${p.name}" (asked for at the next connection)`);
    return true;
  });

  // --- Copy as redis-cli ---------------------------------------------------------------------------

  register('redisTls.copyAsRedisCli', async (arg?: Target): Promise<string | undefined> => {
    const p = await resolveTarget(arg, 'Copy which connection as a redis-cli command?');
    if (!p) return undefined;
    const { command, notes } = toRedisCliCommand(p);
    await vscode.env.clipboard.writeText(command);
    void vscode.window.showInformationMessage(`Copied: ${command}${notes.length > 0 ? ` — ${notes.join(' ')}` : ''}`);
    return command;
  });

  // --- Use a CA (the certificate panel's "Use This CA in a Profile") ------------------------------

  function describeCa(p: Profile): string {
    if (p.ca.kind === 'system') return 'the system trust store';
    const also = p.ca.alsoSystem ? ' plus the system trust store' : '';
    return p.ca.kind === 'file' ? `the linked file ${p.ca.path}${also}` : `an imported CA${p.ca.label ? ` (${p.ca.label})` : ''}${also}`;
  }

  /**
   * Stores `ca` as the imported CA of a user profile (SecretStorage, like an imported PEM in the
   * flow), after the same checks as a save. Options (for tests and callers): `profileId` skips the
   * picker, `confirmed: true` the question. Without options, failures are shown instead of thrown.
   */
  register(USE_CA_COMMAND, async (pem?: unknown, options?: { profileId?: unknown; confirmed?: unknown }): Promise<SaveResult | undefined> => {
    const interactive = options === undefined;
    let ca: CaArgument;
    try {
      ca = parseCaArgument(pem);
    } catch (e) {
      if (!interactive || !(e instanceof CaArgumentError)) throw e;
      void vscode.window.showErrorMessage(`Use This CA: ${e.message}`);
      return undefined;
    }
    let p: Profile | undefined;
    if (typeof options?.profileId === 'string') {
      p = profiles.get(options.profileId);
      if (!p) throw new Error(`No connection profile with id ${options.profileId}`);
    } else {
      const items: Array<vscode.QuickPickItem & { profile?: Profile }> = profiles.list()
        .filter((x) => x.source !== 'workspace' && x.tls)
        .map((x) => ({ label: `$(lock) ${x.name}`, description: describeEndpoint(x), detail: `Now trusts ${describeCa(x)}`, profile: x }));
      items.push({ label: '$(add) New connection with this CA…', detail: 'Starts Add Connection with this CA imported.' });
      const chosen = await vscode.window.showQuickPick(items, { title: 'Use This CA in a Profile', placeHolder: `Trust "${ca.subject}" for which connection?`, matchOnDescription: true });
      if (!chosen) return undefined;
      if (!chosen.profile) return addInteractive({ tls: true, caPem: ca.pem });
      p = chosen.profile;
    }
    if (p.source === 'workspace') {
      const message = `"${p.name}" is shared in .vscode/redis-tls.json, which links CA files by path: save the CA as a file and set its caFile there.`;
      if (!interactive) throw new Error(message);
      void vscode.window.showInformationMessage(message);
      return undefined;
    }
    if (!p.tls) {
      const message = `"${p.name}" does not use TLS: a CA has no effect there.`;
      if (!interactive) throw new Error(message);
      void vscode.window.showInformationMessage(message);
      return undefined;
    }
    if (options?.confirmed !== true) {
      const use = 'Use This CA';
      const unused = p.verify === 'full' ? '' : ` Note: this profile ${p.verify === 'pin' ? 'pins the server certificate' : 'does not verify the server'}, so the CA is used only once verification is set to the full chain (Edit Connection).`;
      const message = `Trust "${ca.subject}"${ca.count > 1 ? ` (and ${ca.count - 1} more certificate${ca.count > 2 ? 's' : ''})` : ''} for "${p.name}"? It replaces ${describeCa(p)} and is kept in VS Code's secret storage.${unused}`;
      if ((await vscode.window.showWarningMessage(message, { modal: true }, use)) !== use) return undefined;
    }
    const stored = await secrets.getAll(p.id);
    const answers: ConnectionAnswers = { caPem: ca.pem, alsoSystemCA: p.ca.kind !== 'system' && p.ca.alsoSystem === true };
    const files = await readAnswerFiles(answers, p);
    const draft = applyAnswers(answers, p, files.files);
    if (draft.profile.ca.kind === 'imported') draft.profile.ca.label = ca.subject;
    const result = await saveDraft(draft, files, { stored });
    if (result.saved) {
      log.info(`"${p.name}" now trusts an imported CA (${ca.count} certificate${ca.count > 1 ? 's' : ''})`);
      if (interactive) void vscode.window.showInformationMessage(`"${p.name}" now trusts "${ca.subject}". The next connection uses it.`);
    } else {
      reportSave(result, interactive);
    }
    return result;
  });

  // --- Connect / Disconnect / Test -----------------------------------------------------------------

  register('redisTls.connect', async (arg?: Target): Promise<boolean> => {
    const p = await resolveTarget(arg, 'Connect to which Redis?');
    if (!p) return false;
    try {
      const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Connecting to ${p.name}...` }, () => sessions.connect(p.id));
      if (!s.verified && s.profile.tls) void vscode.window.showWarningMessage(`Connected to ${p.name} WITHOUT verifying the server certificate (UNVERIFIED).`);
      return true;
    } catch (e) {
      if (e instanceof vscode.CancellationError) return false;
      if (isDiagnosedError(e)) void showProblem(e.problem, p.id);
      else void vscode.window.showErrorMessage(`Connection failed: ${e instanceof Error ? e.message : 'unknown error'}`);
      return false;
    }
  });

  register('redisTls.disconnect', async (arg?: Target): Promise<boolean> => {
    const p = await resolveTarget(arg, 'Disconnect which Redis?', (x) => sessions.state(x.id).kind === 'connected');
    if (!p) return false;
    await sessions.disconnect(p.id);
    return true;
  });

  register('redisTls.testConnection', async (arg?: Target): Promise<TestResult | undefined> => {
    const p = await resolveTarget(arg, 'Test which connection?');
    if (!p) return undefined;
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing ${p.name}...` }, () => testProfile(p));
    if (result.ok) {
      const version = result.serverVersion ? `, Redis ${result.serverVersion}` : '';
      const notes = result.warnings && result.warnings.length > 0 ? ` Warnings: ${result.warnings.join(' ')}` : '';
      const show = result.warnings && result.warnings.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(`${p.name}: OK (${result.protocol ?? 'no TLS'}${result.verified ? ', verified' : ', UNVERIFIED'}${version}).${notes}`);
    } else if (result.problem) {
      const pr = result.problem;
      void vscode.window.showErrorMessage(`${p.name}: ${pr.code}: ${pr.title}`, { modal: true, detail: `${pr.detail}\n\nFix: ${pr.fix}` });
    }
    return result;
  });

  /** Connects once outside the session (never cached), runs PING, and reports the diagnosis. */
  async function testProfile(p: Profile): Promise<TestResult> {
    let options;
    try {
      options = await sessions.resolveOptions(p);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return { ok: false };
      const problem: Problem = { code: 'PROTOCOL_ERROR', title: e instanceof Error ? e.message : 'Cannot prepare the connection', detail: 'A linked file could not be read.', fix: 'Edit the profile.' };
      return { ok: false, problem };
    }
    const d = await runDoctor(options);
    return {
      ok: d.ok,
      problem: d.problem ?? undefined,
      protocol: d.tls?.protocol ?? null,
      verified: d.tls !== null && d.tls.authorized && p.verify !== 'insecure',
      warnings: d.warnings,
      serverVersion: d.server?.redisVersion,
    };
  }

  register('redisTls.showConnectionDetails', async (): Promise<void> => {
    const id = sessions.activeProfileId;
    const s = id ? sessions.session(id) : undefined;
    if (!s) return;
    const view = describeSession({ name: s.profile.name, tls: s.report.tls, verified: s.verified, protocol: s.report.protocol, cipher: s.report.cipher, nearestExpiry: s.nearestExpiry }, expiryWarningDays());
    const chain = s.report.chain.map((c, i) => `${i === 0 ? 'server' : `#${i}`}: ${c.subject} (until ${c.notAfter})`).join('\n');
    await vscode.window.showInformationMessage(view.tooltip, { modal: true, detail: `${s.report.host}:${s.report.port}\n${chain}` });
  });

  register('redisTls.openWorkspaceProfiles', () => openWorkspaceFile());

  async function openWorkspaceFile(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage('Open a folder to share connection profiles in .vscode/redis-tls.json.');
      return;
    }
    const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      const example = { profiles: [{ name: 'Staging', host: 'redis.staging.example.com', port: 6380, tls: true, caFile: 'certs/ca.pem', certFile: 'certs/client.crt', keyFile: 'certs/client.key', encryptedKey: true, username: 'app', passwordRequired: true }] };
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(example, null, 2) + '\n'));
    }
    await vscode.window.showTextDocument(uri);
  }

  // Diagnostics of linked files refresh when they change: the next connection reads them again.
  container.own(sessions.onDidChangeLinkedFile(({ profileId }) => {
    if (sessions.state(profileId).kind === 'connected') statusBar.update();
  }));
}
