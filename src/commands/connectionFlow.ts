/**
 * The Add/Edit Connection flow: a guided multi-step input with file pickers and checks as you go.
 * Its checks (files, drafts, typed paths, passphrases) live in core/profiles/flowChecks.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TlsVersion } from '../core/client/options';
import type { Problem } from '../core/diagnosis/problem';
import { applyAnswers, type AnswerFiles, type ConnectionAnswers } from '../core/profiles/answers';
import { isEncryptedKeyPem, preflight, type PreflightResult } from '../core/profiles/checks';
import {
  checkDraft,
  expandHome,
  passphraseOpensKey,
  passwordOpensPfx,
  readAnswerFiles,
  splitHostPort,
  validateLocalPath,
} from '../core/profiles/flowChecks';
import { defaultName, validateDb, validateHost, validatePort, type ProfileDraft } from '../core/profiles/draft';
import { PRESETS, findPreset } from '../core/profiles/presets';
import type { Profile } from '../core/profiles/profile';
import type { UserInput } from '../platform/userInput';
import { BACK, StepInput, runSteps, type FlowStep, type PickItem } from './connectionInput';

/** What the flow needs from the extension: the prompts and the expiry warning threshold. */
export interface FlowEnv {
  ui: UserInput;
  warningDays: number;
}

export interface FlowResult {
  answers: ConnectionAnswers;
  /** The user asked to connect right after saving. */
  connect: boolean;
}

function problemItems(problems: Problem[], icon: string): Array<PickItem<string>> {
  return problems.map((p) => ({ label: `$(${icon}) ${p.code}: ${p.title}`, detail: `${p.detail} ${p.fix}`, value: 'noop' }));
}

const TLS_MODES = [
  {
    value: 'full',
    label: '$(lock) TLS, verify the certificate chain and host name',
    detail: 'Recommended. Works with public CAs, private CAs (next step) and managed services.',
  },
  {
    value: 'pin',
    label: '$(pinned) TLS, pin the server certificate (trust on first use)',
    detail: 'For self-signed servers: the first connection shows the SHA-256 fingerprint; a changed certificate is refused.',
  },
  {
    value: 'insecure',
    label: '$(unlock) TLS without verification (insecure)',
    detail: 'Encrypts but trusts any server. The connection is shown as UNVERIFIED everywhere.',
  },
  { value: 'plain', label: '$(circle-slash) No TLS (plaintext)', detail: 'Only for local development servers.' },
] as const;
type TlsMode = (typeof TLS_MODES)[number]['value'];

/**
 * The interactive flow. `base` set: edit that profile (every step starts from its values). Returns
 * undefined when the user cancelled.
 */
export async function runInteractiveFlow(
  env: FlowEnv,
  title: string,
  base: Profile | undefined,
  storedSecrets: ProfileDraft['secrets'],
  start: ConnectionAnswers = {},
): Promise<FlowResult | undefined> {
  const { ui, warningDays } = env;
  const input = new StepInput(ui, title);
  const a: ConnectionAnswers = { ...start };
  // Linked files of the profile being edited, so the checks see them before anything is re-picked.
  let files: AnswerFiles = base ? (await readAnswerFiles({}, base)).files : {};
  let connect = true;
  const current = (): Profile => applyAnswers(a, base, files).profile;
  const isTls = (): boolean => current().tls;
  const steps: FlowStep[] = [];

  if (!base && start.host === undefined) {
    steps.push({
      id: 'preset',
      ask: async () => {
        const items: Array<PickItem<string>> = [
          { label: '$(server) Enter the connection details', detail: 'Host, port, TLS, CA, client certificate, password.', value: '' },
          ...PRESETS.map((p) => ({ label: `$(cloud) ${p.label}`, detail: p.detail, value: p.id })),
        ];
        const v = await input.pick(items, { placeholder: 'How do you want to start?', activeValue: a.preset ?? '' });
        if (v === undefined || v === BACK) return v;
        a.preset = v || undefined;
        const preset = findPreset(a.preset);
        if (preset) {
          a.port = preset.fields.port ?? a.port;
          a.username = preset.fields.username ?? a.username;
        }
        return 'next';
      },
    });
  }

  steps.push({
    id: 'host',
    ask: async () => {
      const preset = findPreset(a.preset);
      const v = await input.input({
        prompt: 'Host name or IP address of the Redis server (host:port also works)',
        value: a.host ?? base?.host ?? '',
        placeholder: preset?.hostExample ?? 'redis.example.com',
        validate: (text) => validateHost(splitHostPort(text).host),
      });
      if (v === undefined || v === BACK) return v;
      const { host, port } = splitHostPort(v);
      a.host = host;
      if (port !== undefined) a.port = port;
      return 'next';
    },
  });

  steps.push({
    id: 'port',
    ask: async () => {
      const v = await input.input({ prompt: 'Port', value: String(a.port ?? current().port), validate: validatePort });
      if (v === undefined || v === BACK) return v;
      a.port = Number(v);
      return 'next';
    },
  });

  steps.push({
    id: 'security',
    when: () => !(findPreset(a.preset) && !base) /* presets know: TLS, verified */,
    ask: async () => {
      const p = current();
      const now = p.tls ? p.verify : 'plain';
      const v = await input.pick<TlsMode>(
        TLS_MODES.map((m) => ({ ...m })),
        { placeholder: 'Transport security', activeValue: now },
      );
      if (v === undefined || v === BACK) return v;
      if (v === 'plain') a.tls = false;
      else {
        a.tls = true;
        a.verify = v;
        if (v === 'insecure')
          void vscode.window.showWarningMessage(
            'This profile will not verify the server certificate: anyone on the path can read and change the traffic. It is shown as UNVERIFIED.',
          );
      }
      return 'next';
    },
  });

  steps.push({
    id: 'servername',
    when: isTls,
    ask: async () => {
      const p = current();
      const v = await input.input({
        prompt: 'Server name for SNI and certificate verification (leave empty to use the host)',
        value: a.servername ?? p.servername ?? '',
        placeholder: p.host,
        validate: (t) => (t.trim() === '' ? undefined : validateHost(t)),
      });
      if (v === undefined || v === BACK) return v;
      a.servername = v.trim();
      return 'next';
    },
  });

  // CA
  steps.push({
    id: 'ca',
    when: () => isTls() && current().verify !== 'insecure',
    ask: async () => {
      const preset = findPreset(a.preset);
      const p = current();
      for (;;) {
        const items: Array<PickItem<string>> = [
          { label: '$(globe) System trust store', detail: "Public CAs (AWS, Azure, Upstash, Let's Encrypt...).", value: 'system' },
          {
            label: '$(file) CA file, linked (watched: a rotated file is used next time)',
            detail: 'A PEM file or bundle, or a directory of them (like redis-cli --cacertdir).',
            value: 'file',
          },
          { label: '$(file-add) CA file plus the system trust store', detail: 'Private CA next to the public ones.', value: 'file+system' },
          {
            label: '$(key) CA imported into secret storage',
            detail: 'The PEM is copied into the profile; later file changes are not seen.',
            value: 'import',
          },
        ];
        // A CA handed to the flow (the certificate panel's "Use This CA"): keep it without a file.
        if (start.caPem !== undefined)
          items.unshift({
            label: '$(verified) The CA from the certificate panel',
            detail: 'Imported into secret storage.',
            value: 'given',
          });
        const active =
          a.caPem !== undefined && start.caPem !== undefined
            ? 'given'
            : p.ca.kind === 'system'
              ? preset?.needsCaFile
                ? 'file'
                : 'system'
              : p.ca.kind === 'imported'
                ? 'import'
                : p.ca.alsoSystem
                  ? 'file+system'
                  : 'file';
        const v = await input.pick(items, {
          placeholder: preset?.caHint ?? 'Which certificate authorities do you trust for this server?',
          activeValue: active,
        });
        if (v === undefined || v === BACK) return v;
        if (v === 'given') {
          a.caPem = start.caPem;
          a.caPath = undefined;
          a.importCa = undefined;
          a.alsoSystemCA = undefined;
          return 'next';
        }
        if (v === 'system') {
          a.caPath = '';
          a.caPem = undefined;
          a.alsoSystemCA = undefined;
          return 'next';
        }
        const file = await chooseFile(ui, input, 'CA certificate (PEM)', p.ca.kind === 'file' ? p.ca.path : undefined, true);
        if (file === BACK) continue;
        if (file === undefined) return undefined;
        a.caPath = file;
        a.caPem = undefined;
        a.importCa = v === 'import';
        a.alsoSystemCA = v === 'file+system';
        const read = await readAnswerFiles({ caPath: file });
        files = { ...files, ca: read.files.ca };
        const check = read.problems.length > 0 ? { errors: read.problems, warnings: [] } : preflight({ ca: files.ca, warningDays });
        const decision = await confirmProblems(input, check, 'Choose another CA file');
        if (decision === undefined) return undefined;
        if (decision === 'keep') return 'next';
      }
    },
  });

  // Client identity
  steps.push({
    id: 'clientIdentity',
    when: isTls,
    ask: async () => {
      const p = current();
      for (;;) {
        const items: Array<PickItem<string>> = [
          { label: '$(circle-slash) No client certificate', detail: 'The server does not ask for one (no mutual TLS).', value: 'none' },
          {
            label: '$(file) PEM certificate + key files, linked',
            detail: 'PKCS#8 or PKCS#1 key, encrypted or not; read at every connection.',
            value: 'files',
          },
          {
            label: '$(key) PEM certificate + key, imported into secret storage',
            detail: "The key is copied into VS Code's secret storage.",
            value: 'import',
          },
          { label: '$(package) PKCS#12 / PFX file', detail: 'One file with certificate and key, opened with its password.', value: 'pfx' },
        ];
        const active = p.client.kind === 'files' ? 'files' : p.client.kind === 'imported' ? 'import' : p.client.kind;
        const v = await input.pick(items, { placeholder: 'Client certificate (mutual TLS)', activeValue: active });
        if (v === undefined || v === BACK) return v;
        if (v === 'none') {
          a.certPath = '';
          a.keyPath = '';
          a.pfxPath = undefined;
          a.certPem = undefined;
          a.keyPem = undefined;
          return 'next';
        }
        const result = v === 'pfx' ? await askPfx(ui, input, a, p) : await askPemIdentity(ui, input, a, p, v === 'import', storedSecrets);
        if (result === BACK) continue;
        if (result === undefined) return undefined;
        files = { ...files, ...result };
        const check = checkDraft(applyAnswers(a, base, files), files, warningDays, storedSecrets);
        const own = { errors: check.errors.filter((e) => e.field !== 'ca'), warnings: check.warnings.filter((e) => e.field !== 'ca') };
        const decision = await confirmProblems(input, own, 'Choose another client certificate');
        if (decision === undefined) return undefined;
        if (decision === 'keep') return 'next';
      }
    },
  });

  steps.push({
    id: 'username',
    ask: async () => {
      const v = await input.input({
        prompt: 'ACL user name (leave empty for the default user / password-only AUTH)',
        value: a.username ?? current().username ?? '',
        placeholder: 'default',
      });
      if (v === undefined || v === BACK) return v;
      a.username = v;
      return 'next';
    },
  });

  steps.push({
    id: 'password',
    ask: async () => {
      const has = base?.hasPassword === true;
      const v = await input.input({
        prompt: has
          ? "Password (leave empty to keep the stored one; kept in VS Code's secret storage)"
          : "Password or access key (leave empty if none; kept in VS Code's secret storage)",
        password: true,
        value: a.password ?? '',
      });
      if (v === undefined || v === BACK) return v;
      if (v !== '' || !has) a.password = v === '' ? undefined : v;
      return 'next';
    },
  });

  steps.push({
    id: 'db',
    ask: async () => {
      const v = await input.input({ prompt: 'Database number', value: String(a.db ?? current().db), validate: validateDb });
      if (v === undefined || v === BACK) return v;
      a.db = Number(v);
      return 'next';
    },
  });

  steps.push({
    id: 'name',
    ask: async () => {
      const p = current();
      const v = await input.input({ prompt: 'Name of this connection', value: a.name ?? (base?.name || defaultName(p)) });
      if (v === undefined || v === BACK) return v;
      a.name = v.trim() || defaultName(p);
      return 'next';
    },
  });

  // Review: every problem, before connecting; advanced settings on demand.
  steps.push({
    id: 'review',
    ask: async () => {
      for (;;) {
        const draft = applyAnswers(a, base, files);
        const check = checkDraft(draft, files, warningDays, storedSecrets);
        const p = draft.profile;
        const items: Array<PickItem<string>> = [
          { label: '$(plug) Save and Connect', detail: summary(p), value: 'connect' },
          { label: '$(save) Save', value: 'save' },
          { label: '$(settings-gear) Advanced settings...', detail: advancedSummary(p), value: 'advanced' },
          ...problemItems(check.errors, 'error'),
          ...problemItems(check.warnings, 'warning'),
        ];
        const v = await input.pick(items, {
          placeholder:
            check.errors.length > 0
              ? `${check.errors.length} problem(s) found: the connection will fail until they are fixed (Back to change)`
              : 'Review and save',
        });
        if (v === undefined || v === BACK) return v;
        if (v === 'noop') continue;
        if (v === 'advanced') {
          if ((await editAdvanced(input, a, () => applyAnswers(a, base, files).profile)) === undefined) return undefined;
          continue;
        }
        connect = v === 'connect';
        return 'next';
      }
    },
  });

  const ok = await runSteps(input, steps);
  return ok ? { answers: a, connect } : undefined;
}

function advancedSummary(p: Profile): string {
  const versions = `TLS ${p.minTlsVersion ?? 'TLSv1.2'}..${p.maxTlsVersion ?? 'TLSv1.3'}`;
  return `${versions}, delimiter "${p.delimiter}"${p.group ? `, group ${p.group}` : ''}${p.color ? `, colour ${p.color}` : ''}${p.verify === 'pin' ? `, pin ${p.pinSha256 ? p.pinSha256.slice(0, 11) + '...' : 'on first use'}` : ''}`;
}

const COLOURS = ['red', 'orange', 'yellow', 'green', 'blue', 'purple'];
const SHA256_INPUT = /^(?:[0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/;

/** TLS versions, pin, delimiter, group, colour. Resolves 'done', or undefined on cancel. */
async function editAdvanced(input: StepInput, a: ConnectionAnswers, current: () => Profile): Promise<'done' | undefined> {
  for (;;) {
    const p = current();
    const items: Array<PickItem<string>> = [
      { label: '$(arrow-left) Done', value: 'done' },
      { label: 'Minimum TLS version', description: p.minTlsVersion ?? 'TLSv1.2 (default)', value: 'min' },
      { label: 'Maximum TLS version', description: p.maxTlsVersion ?? 'TLSv1.3 (default)', value: 'max' },
      ...(p.verify === 'pin'
        ? [{ label: 'Pinned server certificate SHA-256', description: p.pinSha256 ?? 'set on first connection', value: 'pin' }]
        : []),
      { label: 'Namespace delimiter', description: p.delimiter, value: 'delimiter' },
      { label: 'Group', description: p.group ?? 'none', value: 'group' },
      { label: 'Colour', description: p.color ?? 'none', value: 'color' },
    ];
    const v = await input.pick(items, { placeholder: 'Advanced settings' });
    if (v === undefined) return undefined;
    if (v === BACK || v === 'done') return 'done';
    if (v === 'min' || v === 'max') {
      const version = await input.pick(
        [
          { label: 'Default', value: '' },
          { label: 'TLSv1.2', value: 'TLSv1.2' },
          { label: 'TLSv1.3', value: 'TLSv1.3' },
        ],
        { placeholder: v === 'min' ? 'Minimum TLS version' : 'Maximum TLS version' },
      );
      if (version === undefined) return undefined;
      if (version === BACK) continue;
      const chosen = version === '' ? undefined : (version as TlsVersion);
      if (v === 'min') a.minTlsVersion = chosen;
      else a.maxTlsVersion = chosen;
      continue;
    }
    const texts: Record<
      string,
      { prompt: string; value: string; validate?: (t: string) => string | undefined; apply: (t: string) => void }
    > = {
      pin: {
        prompt: 'SHA-256 fingerprint of the server certificate (empty: pin on the next connection)',
        value: p.pinSha256 ?? '',
        validate: (t) => (t.trim() === '' || SHA256_INPUT.test(t.trim()) ? undefined : 'Enter 64 hex digits (colons optional).'),
        apply: (t) => (a.pinSha256 = t.trim()),
      },
      delimiter: {
        prompt: 'Namespace delimiter for grouping keys in the tree',
        value: p.delimiter,
        validate: (t) => (t === '' ? 'Enter at least one character.' : undefined),
        apply: (t) => (a.delimiter = t),
      },
      group: { prompt: 'Group name (empty: none)', value: p.group ?? '', apply: (t) => (a.group = t) },
    };
    if (v === 'color') {
      const colour = await input.pick([{ label: 'None', value: '' }, ...COLOURS.map((c) => ({ label: c, value: c }))], {
        placeholder: 'Colour',
        activeValue: p.color ?? '',
      });
      if (colour === undefined) return undefined;
      if (colour !== BACK) a.color = colour;
      continue;
    }
    const t = texts[v];
    if (!t) continue;
    const text = await input.input({ prompt: t.prompt, value: t.value, validate: t.validate });
    if (text === undefined) return undefined;
    if (text !== BACK) t.apply(text);
  }
}

function summary(p: Profile): string {
  const sec = !p.tls
    ? 'no TLS'
    : p.verify === 'insecure'
      ? 'TLS UNVERIFIED'
      : p.verify === 'pin'
        ? 'TLS, pinned certificate'
        : 'TLS, verified';
  const ca = p.ca.kind === 'system' ? 'system CAs' : p.ca.kind === 'file' ? `CA ${path.basename(p.ca.path)}` : 'imported CA';
  const id = p.client.kind === 'none' ? 'no client cert' : p.client.kind === 'pfx' ? 'PKCS#12 identity' : 'client cert';
  return `${p.name}: ${p.host}:${p.port} db ${p.db}, ${sec}${p.tls ? `, ${ca}, ${id}` : ''}${p.username ? `, user ${p.username}` : ''}`;
}

/** Shows the problems found in a step: 'keep' goes on, 'again' asks the step again, undefined (Escape) cancels the flow. */
async function confirmProblems(input: StepInput, check: PreflightResult, again: string): Promise<'keep' | 'again' | undefined> {
  if (check.errors.length === 0 && check.warnings.length === 0) return 'keep';
  const items: Array<PickItem<string>> = [
    { label: `$(arrow-left) ${again}`, value: 'again' },
    { label: check.errors.length > 0 ? '$(warning) Keep it anyway (the connection will fail)' : '$(check) Keep it', value: 'keep' },
    ...problemItems(check.errors, 'error'),
    ...problemItems(check.warnings, 'warning'),
  ];
  for (;;) {
    const v = await input.pick(items, { placeholder: `${check.errors.length} problem(s), ${check.warnings.length} warning(s)` });
    if (v === 'keep') return 'keep';
    if (v === 'noop') continue;
    if (v === undefined) return undefined;
    return 'again';
  }
}

/** A file: Browse... (the native/simple dialog) or a typed path (handy remotely and in tests). */
async function chooseFile(
  ui: UserInput,
  input: StepInput,
  what: string,
  current: string | undefined,
  allowDirectory = false,
): Promise<string | typeof BACK | undefined> {
  const items: Array<PickItem<string>> = [
    { label: '$(folder-opened) Browse...', value: 'browse' },
    { label: '$(edit) Type a path...', value: 'type' },
  ];
  if (current) items.unshift({ label: `$(check) Keep ${current}`, value: 'keep' });
  for (;;) {
    const v = await input.pick(items, { placeholder: what });
    if (v === undefined || v === BACK) return v;
    if (v === 'keep' && current) return current;
    if (v === 'browse') {
      const uris = await ui.showOpenDialog({
        title: what,
        canSelectFiles: true,
        canSelectFolders: allowDirectory,
        canSelectMany: false,
        defaultUri: current ? vscode.Uri.file(path.dirname(current)) : undefined,
      });
      if (uris?.[0]) return uris[0].fsPath;
      continue;
    }
    const typed = await input.input({
      prompt: `${what}: absolute path`,
      value: current ?? '',
      validate: (t) => validateLocalPath(t, allowDirectory),
    });
    if (typed === undefined) return undefined;
    if (typed === BACK) continue;
    return expandHome(typed.trim());
  }
}

async function askPemIdentity(
  ui: UserInput,
  input: StepInput,
  a: ConnectionAnswers,
  p: Profile,
  importIt: boolean,
  stored: ProfileDraft['secrets'],
): Promise<AnswerFiles | typeof BACK | undefined> {
  const linked = p.client.kind === 'files' ? p.client : undefined;
  const cert = await chooseFile(ui, input, 'Client certificate (PEM)', linked?.certPath);
  if (cert === BACK || cert === undefined) return cert;
  const key = await chooseFile(ui, input, 'Client private key (PEM: PKCS#8 or PKCS#1, encrypted or not)', linked?.keyPath);
  if (key === BACK || key === undefined) return key;
  const read = await readAnswerFiles({ certPath: cert, keyPath: key });
  a.certPath = cert;
  a.keyPath = key;
  a.importIdentity = importIt;
  a.pfxPath = undefined;
  a.certPem = undefined;
  a.keyPem = undefined;
  const keyPem = read.files.key;
  if (keyPem && isEncryptedKeyPem(keyPem)) {
    const known = a.passphrase ?? stored.passphrase;
    const opens = (pass: string): boolean => passphraseOpensKey(keyPem, pass);
    if (known === undefined || !opens(known)) {
      const pass = await input.input({
        prompt: "The key is encrypted: its passphrase (kept in VS Code's secret storage)",
        password: true,
        validate: (t) =>
          t === '' ? 'Enter the passphrase.' : opens(t) ? undefined : 'KEY_PASSPHRASE: this passphrase does not open the key.',
      });
      if (pass === BACK || pass === undefined) return pass;
      a.passphrase = pass;
    }
  }
  return read.files;
}

async function askPfx(ui: UserInput, input: StepInput, a: ConnectionAnswers, p: Profile): Promise<AnswerFiles | typeof BACK | undefined> {
  const file = await chooseFile(ui, input, 'PKCS#12 / PFX file', p.client.kind === 'pfx' ? p.client.path : undefined);
  if (file === BACK || file === undefined) return file;
  const read = await readAnswerFiles({ pfxPath: file });
  const pfx = read.files.pfx;
  const pass = await input.input({
    prompt: "Password of the PKCS#12 file (kept in VS Code's secret storage)",
    password: true,
    validate: (t) => (passwordOpensPfx(pfx, t) ? undefined : 'KEY_PASSPHRASE: this password does not open the file.'),
  });
  if (pass === BACK || pass === undefined) return pass;
  a.pfxPath = file;
  a.pfxPassword = pass;
  a.certPath = undefined;
  a.keyPath = undefined;
  return read.files;
}
