/** Import Connection (from a URL, a redis-cli command line, or either): one handler per kind. */
import * as vscode from 'vscode';
import { applyAnswers } from '../core/profiles/answers';
import type { ProfileDraft } from '../core/profiles/draft';
import { readAnswerFiles } from '../core/profiles/flowChecks';
import { profileFromRedisCli, profileFromText, profileFromUrl } from '../core/profiles/import';
import { runInteractiveFlow } from './connectionFlow';
import type { ConnectionService, SaveResult } from './connectionService';

export type ImportKind = 'any' | 'url' | 'cli';

/** A text given by a caller, or with options: `interactive: true` reviews it in the guided flow. */
export type ImportArgument = string | { text: string; name?: string; connect?: boolean; interactive?: boolean };

const PARSERS: Record<ImportKind, (text: string) => ProfileDraft> = { any: profileFromText, url: profileFromUrl, cli: profileFromRedisCli };

const PROMPTS: Record<ImportKind, { title: string; prompt: string; placeHolder: string }> = {
  any: {
    title: 'Import Connection',
    prompt: 'Paste a rediss:// URL or a redis-cli command line',
    placeHolder: 'rediss://user@redis.example.com:6380/0',
  },
  url: { title: 'Import from URL', prompt: 'Paste a redis:// or rediss:// URL', placeHolder: 'rediss://user@redis.example.com:6380/0' },
  cli: {
    title: 'Import from redis-cli command',
    prompt: 'Paste a redis-cli command line (-h -p -n --user -a --tls --cacert --cacertdir --cert --key --sni --insecure)',
    placeHolder: 'redis-cli -h redis.example.com -p 6380 --tls --cacert ca.pem',
  },
};

export async function importConnection(svc: ConnectionService, kind: ImportKind, arg?: ImportArgument): Promise<SaveResult | undefined> {
  const parse = PARSERS[kind];
  const given = typeof arg === 'string' ? { text: arg } : arg;
  let text = given?.text;
  if (text === undefined) {
    text = await svc.ui.showInputBox({
      ...PROMPTS[kind],
      ignoreFocusOut: true,
      password: false,
      validateInput: (t) => {
        try {
          if (t.trim() === '') return undefined;
          parse(t);
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
    draft = parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : 'Cannot read this.';
    if (given) throw new Error(message);
    void vscode.window.showErrorMessage(`Import failed: ${message}`);
    return undefined;
  }
  if (given?.name) draft.profile.name = given.name;
  // A name another profile has gets a suffix, as in Add Connection (names pick profiles everywhere).
  draft.profile.name = svc.uniqueName(draft.profile.name);
  for (const w of draft.warnings) svc.log.info(`Import: ${w}`);
  if (given && given.interactive !== true) {
    const files = await readAnswerFiles({}, draft.profile);
    return svc.saveDraft(draft, files, { ignoreProblems: true, connect: given.connect });
  }
  if (draft.warnings.length > 0) void vscode.window.showWarningMessage(`Import: ${draft.warnings.join(' ')}`);
  // Review the imported values in the guided flow (checks included) before saving.
  const flow = await runInteractiveFlow(svc.flowEnv, 'Import Redis Connection', draft.profile, draft.secrets);
  if (!flow) return undefined;
  const files = await readAnswerFiles(flow.answers, draft.profile);
  const reviewed = applyAnswers(flow.answers, draft.profile, files.files);
  reviewed.secrets = { ...draft.secrets, ...reviewed.secrets };
  reviewed.profile.name = svc.uniqueName(reviewed.profile.name);
  const result = await svc.saveDraft(reviewed, files, { ignoreProblems: true, connect: flow.connect });
  svc.reportSave(result, true);
  return result;
}
