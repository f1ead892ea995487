/**
 * What the connection commands share: picking a profile, saving a checked draft through the profile
 * store, reporting a save or a problem, testing a profile. Each command's handler (profileCommands.ts,
 * importCommands.ts, useCaCommand.ts, sessionCommands.ts) runs over it.
 */
import * as vscode from 'vscode';
import { profileOrigin } from '../core/profiles/secretBinding';
import { removeProfileEdits, WORKSPACE_PROFILES_FILE } from '../core/profiles/workspaceFile';
import { isDiagnosedError, type Problem } from '../core/diagnosis/problem';
import { applyAnswers, type ConnectionAnswers } from '../core/profiles/answers';
import { describeEndpoint, validateProfile, type DraftSecrets, type ProfileDraft } from '../core/profiles/draft';
import { checkDraft, readAnswerFiles } from '../core/profiles/flowChecks';
import { isReadOnlyProfile, type Profile } from '../core/profiles/profile';
import { runDoctor } from '../core/client/doctor';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import type { ProfileStore } from '../platform/profileStore';
import type { UserInput } from '../platform/userInput';
import type { SessionManager } from '../sessions/sessionManager';
import { runInteractiveFlow, type FlowEnv } from './connectionFlow';
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

export type AnswerFileRead = Awaited<ReturnType<typeof readAnswerFiles>>;

export function problemMessage(p: Problem): string {
  return `${p.code}: ${p.title}`;
}

export interface ConnectionServiceDeps {
  profiles: ProfileStore;
  sessions: SessionManager;
  log: Logger;
  config: Config;
  ui: UserInput;
}

export class ConnectionService {
  readonly profiles: ProfileStore;
  readonly sessions: SessionManager;
  readonly log: Logger;
  readonly ui: UserInput;
  readonly config: Config;
  /** Profiles whose connection failed in this window (the walkthrough's "Fix a broken connection"). */
  readonly failedBefore = new Set<string>();

  constructor(deps: ConnectionServiceDeps) {
    ({ profiles: this.profiles, sessions: this.sessions, log: this.log, ui: this.ui, config: this.config } = deps);
  }

  get flowEnv(): FlowEnv {
    return { ui: this.ui, warningDays: this.config.expiryWarningDays };
  }

  async pickProfile(placeholder: string, filter: (p: Profile) => boolean = () => true): Promise<Profile | undefined> {
    const list = this.profiles.list().filter(filter);
    if (list.length === 0) {
      const add = 'Add Connection';
      if ((await vscode.window.showInformationMessage('No matching Redis connections.', add)) === add)
        await vscode.commands.executeCommand('redisTls.addConnection');
      return undefined;
    }
    const items = list.map((p) => {
      const state = this.sessions.state(p.id);
      const last = this.sessions.lastStatus(p.id);
      const live =
        state.kind === 'connected'
          ? `$(pass-filled) connected${state.verified ? '' : ' (UNVERIFIED)'}`
          : state.kind === 'connecting'
            ? '$(sync~spin) connecting'
            : undefined;
      const lastText = last
        ? last.ok
          ? `$(check) last OK ${new Date(last.at).toLocaleString()}`
          : `$(error) last: ${last.code ?? 'failed'} ${new Date(last.at).toLocaleString()}`
        : 'never connected';
      return {
        label: `${p.tls && p.verify !== 'insecure' ? '$(lock)' : '$(unlock)'} ${p.name}`,
        description:
          (p.production
            ? isReadOnlyProfile(p)
              ? 'PRODUCTION · read-only · '
              : 'PRODUCTION · '
            : isReadOnlyProfile(p)
              ? 'read-only · '
              : '') +
          describeEndpoint(p) +
          (p.source === 'workspace' ? ` · workspace, ${profileOrigin(p)}` : ''),
        detail: live ?? lastText,
        profile: p,
      };
    });
    const chosen = await this.ui.showQuickPick(items, { placeHolder: placeholder, matchOnDescription: true });
    return chosen?.profile;
  }

  /** The profile a command is about: given by id or tree node, else picked. */
  async resolveTarget(arg: Target, placeholder: string, filter?: (p: Profile) => boolean): Promise<Profile | undefined> {
    const id = targetId(arg);
    if (id !== undefined) {
      const p = this.profiles.get(id);
      if (!p) throw new Error(`No connection profile with id ${id}`);
      return p;
    }
    return this.pickProfile(placeholder, filter);
  }

  /** Validates, checks, and stores a draft through the profile store (profile and secrets together). */
  async saveDraft(
    draft: ProfileDraft,
    files: AnswerFileRead,
    opts: { ignoreProblems?: boolean; connect?: boolean; stored?: DraftSecrets },
  ): Promise<SaveResult> {
    const invalid = validateProfile(draft.profile);
    if (invalid.length > 0) throw new Error(`The profile is not valid: ${invalid.map((e) => e.message).join(' ')}`);
    const check = checkDraft(draft, files.files, this.config.expiryWarningDays, opts.stored);
    const problems = [...files.problems, ...check.errors];
    if (problems.length > 0 && !opts.ignoreProblems) {
      return { saved: false, problems, warnings: check.warnings };
    }
    const p = draft.profile;
    await this.profiles.save(p, draft.secrets);
    this.log.info(`Saved connection "${p.name}" (${describeEndpoint(p)})`);
    // A live session keeps the settings it was opened with: close it so the next use gets the new ones.
    if (this.sessions.session(p.id)) await this.sessions.disconnect(p.id);
    const result: SaveResult = { profileId: p.id, saved: true, problems, warnings: check.warnings };
    if (opts.connect) {
      try {
        await this.sessions.connect(p.id);
        result.connected = true;
      } catch (e) {
        result.connected = false;
        if (isDiagnosedError(e)) result.connectProblem = e.problem;
      }
    }
    return result;
  }

  async fromAnswers(answers: ConnectionAnswers, base: Profile | undefined, stored: DraftSecrets = {}): Promise<SaveResult> {
    const files = await readAnswerFiles(answers, base);
    const draft = applyAnswers(answers, base, files.files);
    if (!base || base.name !== draft.profile.name) draft.profile.name = this.uniqueName(draft.profile.name, base?.id);
    return this.saveDraft(draft, files, { ignoreProblems: answers.ignoreProblems, connect: answers.connect, stored });
  }

  /** `name`, or `name (2)`, `name (3)`… when another profile already has it (names pick profiles everywhere). */
  uniqueName(name: string, exceptId?: string): string {
    const taken = new Set(
      this.profiles
        .list()
        .filter((p) => p.id !== exceptId)
        .map((p) => p.name.toLowerCase()),
    );
    if (!taken.has(name.toLowerCase())) return name;
    for (let n = 2; ; n++) if (!taken.has(`${name} (${n})`.toLowerCase())) return `${name} (${n})`;
  }

  reportSave(result: SaveResult, interactive: boolean): void {
    if (!interactive) return;
    if (!result.saved) {
      void vscode.window.showErrorMessage(`Connection not saved: ${result.problems.map(problemMessage).join('; ')}`);
    } else if (result.connected === false && result.connectProblem) {
      void this.showProblem(result.connectProblem, result.profileId);
    } else if (result.connected) {
      void vscode.window.showInformationMessage(`Connected to ${this.profiles.get(result.profileId ?? '')?.name ?? 'Redis'}.`);
    }
  }

  async showProblem(problem: Problem, profileId?: string): Promise<void> {
    const details = 'Details';
    const test = 'Test Connection';
    const choice = await vscode.window.showErrorMessage(problemMessage(problem), details, ...(profileId ? [test] : []));
    if (choice === details) {
      await vscode.window.showErrorMessage(problemMessage(problem), { modal: true, detail: `${problem.detail}\n\nFix: ${problem.fix}` });
    } else if (choice === test && profileId) {
      await vscode.commands.executeCommand('redisTls.testConnection', profileId);
    }
  }

  /** The guided Add Connection flow; `start` prefills answers (e.g. a CA from the certificate panel). */
  async addInteractive(start: ConnectionAnswers = {}): Promise<SaveResult | undefined> {
    const flow = await runInteractiveFlow(this.flowEnv, 'Add Redis Connection', undefined, {}, start);
    if (!flow) return undefined;
    const result = await this.fromAnswers({ ...flow.answers, connect: flow.connect, ignoreProblems: true }, undefined);
    this.reportSave(result, true);
    return result;
  }

  /** True for a user profile; for a workspace profile, explains where to change it and returns false. */
  async userProfileOrExplain(p: Profile): Promise<boolean> {
    if (p.source !== 'workspace') return true;
    const open = 'Open redis-tls.json';
    if (
      (await vscode.window.showInformationMessage(
        `"${p.name}" is shared in the workspace file .vscode/redis-tls.json: edit it there (Duplicate makes a personal copy).`,
        open,
      )) === open
    ) {
      await this.openWorkspaceFile();
    }
    return false;
  }

  /**
   * Takes the entry of workspace profile `p` out of its `.vscode/redis-tls.json` as a workspace edit
   * (undoable in the editor; comments and the other entries kept) and saves the file, so the store
   * reloads it. False when the entry is not found or the edit is refused.
   */
  async removeWorkspaceEntry(p: Profile): Promise<boolean> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === p.workspaceFolder) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return false;
    const uri = vscode.Uri.joinPath(folder.uri, WORKSPACE_PROFILES_FILE);
    const doc = await vscode.workspace.openTextDocument(uri);
    const edits = removeProfileEdits(doc.getText(), folder.uri.fsPath, folder.name, p.id);
    if (!edits) {
      void vscode.window.showWarningMessage(`"${p.name}" was not found in ${vscode.workspace.asRelativePath(uri)}: nothing removed.`);
      return false;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of edits)
      edit.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content, {
        label: `Remove connection "${p.name}"`,
        needsConfirmation: false,
      });
    if (!(await vscode.workspace.applyEdit(edit))) return false;
    await doc.save();
    const undo = 'Undo';
    void vscode.window.showInformationMessage(`Removed "${p.name}" from ${vscode.workspace.asRelativePath(uri)}.`, undo).then(async (c) => {
      if (c !== undo) return;
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('undo');
      await doc.save();
    });
    return true;
  }

  async openWorkspaceFile(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage('Open a folder to share connection profiles in .vscode/redis-tls.json.');
      return;
    }
    const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'redis-tls.json');
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      const example = {
        profiles: [
          {
            name: 'Staging',
            host: 'redis.staging.example.com',
            port: 6380,
            tls: true,
            caFile: 'certs/ca.pem',
            certFile: 'certs/client.crt',
            keyFile: 'certs/client.key',
            encryptedKey: true,
            username: 'app',
            passwordRequired: true,
          },
        ],
      };
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(example, null, 2) + '\n'));
    }
    await vscode.window.showTextDocument(uri);
  }

  /** Connects once outside the session (never cached), runs PING, and reports the diagnosis. */
  async testProfile(p: Profile): Promise<TestResult> {
    let options;
    try {
      options = await this.sessions.resolveOptions(p);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return { ok: false };
      const problem: Problem = {
        code: 'PROTOCOL_ERROR',
        title: e instanceof Error ? e.message : 'Cannot prepare the connection',
        detail: 'A linked file could not be read.',
        fix: 'Edit the profile.',
      };
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
}
