/**
 * The Add/Edit Connection flow: a guided multi-step input with file pickers and checks as you go.
 * Its checks (files, drafts, typed paths, passphrases) live in core/profiles/flowChecks.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TlsVersion } from '../core/endpoint/options';
import type { NodeNaming } from '../core/diagnosis/topology';
import type { Problem } from '../core/diagnosis/problem';
import { applyAnswers, type AnswerFiles, type ConnectionAnswers, type SentinelAnswers } from '../core/profiles/answers';
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
import { isReadOnlyProfile, type Profile, type SentinelProfile } from '../core/profiles/profile';
import { parseEndpoint } from '../core/profiles/topology';
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

  const isSentinel = (): boolean => current().sentinel !== undefined;
  const sentinelDraft = (): SentinelAnswers => {
    if (a.sentinel) return a.sentinel;
    const s = current().sentinel;
    return {
      service: s?.service ?? '',
      sentinels: s?.sentinels ?? [],
      ...(s?.tls !== undefined ? { tls: s.tls } : {}),
      ...(s?.servername ? { servername: s.servername } : {}),
      ...(s?.ca?.kind === 'file' ? { caPath: s.ca.path } : {}),
      ...(s?.client ? (s.client.kind === 'files' ? { certPath: s.client.certPath, keyPath: s.client.keyPath } : { certPath: '' }) : {}),
      ...(s?.username ? { username: s.username } : {}),
      ...(s?.replica ? { replica: true } : {}),
    };
  };

  steps.push({
    id: 'deployment',
    when: () => !findPreset(a.preset),
    ask: async () => {
      const v = await input.pick(
        [
          {
            label: '$(server) A Redis server or a Redis Cluster',
            detail: 'A cluster is recognised on connect; each node is verified (Advanced settings: node names).',
            value: 'server',
          },
          {
            label: '$(broadcast) Redis Sentinel',
            detail: 'The sentinels name the primary of a service; the session follows a failover.',
            value: 'sentinel',
          },
        ],
        { placeholder: 'What do you connect to?', activeValue: isSentinel() ? 'sentinel' : 'server' },
      );
      if (v === undefined || v === BACK) return v;
      if (v === 'server') a.sentinel = isSentinel() ? null : a.sentinel === null ? null : undefined;
      else a.sentinel = sentinelDraft();
      return 'next';
    },
  });

  steps.push({
    id: 'sentinels',
    when: isSentinel,
    ask: async () => {
      const draft = sentinelDraft();
      const v = await input.input({
        prompt: 'Sentinel addresses, asked in this order (host:port, separated by commas; port 26379 when omitted)',
        value: draft.sentinels.join(', '),
        placeholder: 'sentinel-1.example.com:26379, sentinel-2.example.com:26379',
        validate: validateSentinelList,
      });
      if (v === undefined || v === BACK) return v;
      a.sentinel = { ...draft, sentinels: splitList(v) };
      return 'next';
    },
  });

  steps.push({
    id: 'service',
    when: isSentinel,
    ask: async () => {
      const draft = sentinelDraft();
      const v = await input.input({
        prompt: 'Service (master) name the sentinels monitor',
        value: draft.service,
        placeholder: 'mymaster',
        validate: (t) =>
          t.trim() === ''
            ? 'Enter the service name (sentinel monitor <name> ...).'
            : /\s/.test(t.trim())
              ? 'A service name has no spaces.'
              : undefined,
      });
      if (v === undefined || v === BACK) return v;
      a.sentinel = { ...draft, service: v.trim() };
      return 'next';
    },
  });

  steps.push({
    id: 'host',
    when: () => !isSentinel(),
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
    when: () => !isSentinel(),
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
        prompt: isSentinel()
          ? "Name the data nodes' certificates are verified against (Sentinel names them by IP address; leave empty to use that address)"
          : 'Server name for SNI and certificate verification (leave empty to use the host)',
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
        // The file prompt again after "Choose another CA file", until a good file, Back or Escape.
        let refused: ChosenFile | undefined;
        for (;;) {
          const file = await chooseFile(ui, input, 'CA certificate (PEM)', p.ca.kind === 'file' ? p.ca.path : undefined, true, refused);
          if (file === undefined) return undefined;
          if (file === BACK) break;
          a.caPath = file.path;
          a.caPem = undefined;
          a.importCa = v === 'import';
          a.alsoSystemCA = v === 'file+system';
          const read = await readAnswerFiles({ caPath: file.path });
          files = { ...files, ca: read.files.ca };
          const check = read.problems.length > 0 ? { errors: read.problems, warnings: [] } : preflight({ ca: files.ca, warningDays });
          const decision = await confirmProblems(input, check, 'Choose another CA file');
          if (decision === undefined) return undefined;
          if (decision === 'keep') return 'next';
          refused = file;
        }
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
    id: 'sentinelTls',
    when: isSentinel,
    ask: async () => {
      for (;;) {
        const draft = sentinelDraft();
        const s = current().sentinel;
        const now = s?.tls === false ? 'plain' : s?.servername || s?.ca || s?.client ? 'own' : 'same';
        const v = await input.pick(
          [
            {
              label: '$(lock) The same TLS settings as the data nodes',
              detail: 'CA and client certificate of this profile; each sentinel verified by its host name.',
              value: 'same',
            },
            {
              label: '$(settings) TLS with its own settings...',
              detail: 'Server name, CA file and client certificate of the sentinels.',
              value: 'own',
            },
            {
              label: '$(circle-slash) No TLS to the sentinels (plaintext)',
              detail: 'Only where the sentinels listen without TLS.',
              value: 'plain',
            },
          ],
          { placeholder: 'TLS towards the sentinels', activeValue: now },
        );
        if (v === undefined || v === BACK) return v;
        if (v === 'same' || v === 'plain') {
          a.sentinel = {
            ...draft,
            tls: v === 'plain' ? false : undefined,
            servername: undefined,
            caPath: undefined,
            certPath: undefined,
            keyPath: undefined,
          };
          return 'next';
        }
        const own = await askSentinelTls(ui, input, draft, s);
        if (own === undefined) return undefined;
        if (own === BACK) continue;
        a.sentinel = own;
        return 'next';
      }
    },
  });

  steps.push({
    id: 'sentinelUser',
    when: isSentinel,
    ask: async () => {
      const draft = sentinelDraft();
      const v = await input.input({
        prompt: "The sentinels' ACL user name (leave empty for none / password-only AUTH)",
        value: draft.username ?? current().sentinel?.username ?? '',
      });
      if (v === undefined || v === BACK) return v;
      a.sentinel = { ...draft, username: v.trim() };
      return 'next';
    },
  });

  steps.push({
    id: 'sentinelPassword',
    when: isSentinel,
    ask: async () => {
      const draft = sentinelDraft();
      const has = current().sentinel?.hasPassword === true;
      const v = await input.input({
        prompt: has
          ? "The sentinels' password (leave empty to keep the stored one; kept in VS Code's secret storage)"
          : "The sentinels' password (leave empty if none; kept in VS Code's secret storage, apart from the data nodes' password)",
        password: true,
      });
      if (v === undefined || v === BACK) return v;
      a.sentinel = { ...draft, password: v === '' ? undefined : v };
      return 'next';
    },
  });

  steps.push({
    id: 'access',
    ask: async () => {
      const p = current();
      const now = p.production ? (isReadOnlyProfile(p) ? 'production' : 'production-writes') : p.readOnly ? 'readonly' : 'writes';
      const v = await input.pick(
        [
          { label: '$(edit) Writes allowed', detail: 'Development, test or staging data.', value: 'writes' },
          { label: '$(eye) Read-only', detail: 'Every command that is not a read is refused before it is sent.', value: 'readonly' },
          {
            label: '$(warning) Production, read-only',
            detail: 'Shown with a "production" badge and colour everywhere; writes refused.',
            value: 'production',
          },
          {
            label: '$(warning) Production, writes allowed',
            detail: 'Shown with a "production" badge and colour everywhere; writes go through.',
            value: 'production-writes',
          },
        ],
        { placeholder: 'Is this a production connection? May it write?', activeValue: now },
      );
      if (v === undefined || v === BACK) return v;
      a.production = v === 'production' || v === 'production-writes';
      a.readOnly = v === 'readonly' ? true : v === 'production-writes' ? false : v === 'writes' ? false : undefined;
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
      ...(p.sentinel
        ? [{ label: 'Browse a replica instead of the primary', description: p.sentinel.replica ? 'on' : 'off', value: 'sentinelReplica' }]
        : [
            { label: 'Cluster: node verification names', description: describeNaming(p), value: 'clusterNaming' },
            { label: 'Cluster: read values from replicas', description: p.readFromReplicas ? 'on' : 'off', value: 'replicas' },
          ]),
      { label: 'Namespace delimiter', description: p.delimiter, value: 'delimiter' },
      { label: 'Group', description: p.group ?? 'none', value: 'group' },
      { label: 'Colour', description: p.color ?? 'none', value: 'color' },
    ];
    const v = await input.pick(items, { placeholder: 'Advanced settings' });
    if (v === undefined) return undefined;
    if (v === BACK || v === 'done') return 'done';
    if (v === 'replicas') {
      a.readFromReplicas = !p.readFromReplicas;
      continue;
    }
    if (v === 'sentinelReplica' && p.sentinel) {
      a.sentinel = { ...(a.sentinel ?? { service: p.sentinel.service, sentinels: p.sentinel.sentinels }), replica: !p.sentinel.replica };
      continue;
    }
    if (v === 'clusterNaming') {
      if ((await editClusterNaming(input, a, p)) === undefined) return undefined;
      continue;
    }
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

function describeNaming(p: Profile): string {
  const mode = p.clusterNaming === 'announced' ? 'announced names' : p.clusterNaming === 'mapping' ? 'mapping' : "seed's name (default)";
  const n = Object.keys(p.clusterNodeNames ?? {}).length;
  return n > 0 ? `${mode}, ${n} mapping entr${n === 1 ? 'y' : 'ies'}` : mode;
}

/** "pattern=name" entries, separated by commas: address, node id or announced-name pattern (with `*`) -> name. */
export function parseNodeNameMap(text: string): { map: Record<string, string> } | { error: string } {
  const map: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    const name = eq > 0 ? entry.slice(eq + 1).trim() : '';
    if (!key || !name) return { error: `"${entry}" is not pattern=name.` };
    const bad = validateHost(name);
    if (bad) return { error: `${name}: ${bad}` };
    map[key] = name;
  }
  return { map };
}

/** Cluster node naming: seed / announced / mapping, and the mapping entries. Undefined on cancel. */
async function editClusterNaming(input: StepInput, a: ConnectionAnswers, p: Profile): Promise<'done' | undefined> {
  const naming = await input.pick<NodeNaming>(
    [
      {
        label: "The seed's name for every node",
        detail: `Every node's certificate must name ${p.servername || p.host} (one certificate for the cluster).`,
        value: 'seed',
      },
      {
        label: 'The name each node announces',
        detail: "CLUSTER SHARDS hostname (Redis 7 cluster-announce-hostname), else the seed's name.",
        value: 'announced',
      },
      {
        label: 'An explicit mapping',
        detail: 'Address, node id or announced-name pattern (wildcards: *.cache.example.com) -> name.',
        value: 'mapping',
      },
    ],
    { placeholder: 'Which name is each cluster node verified against? (verification stays on)', activeValue: p.clusterNaming ?? 'seed' },
  );
  if (naming === undefined) return undefined;
  if (naming === BACK) return 'done';
  a.clusterNaming = naming;
  const entries = Object.entries(p.clusterNodeNames ?? {});
  if (naming !== 'mapping' && entries.length === 0) return 'done';
  const text = await input.input({
    prompt: 'Mapping entries, pattern=name separated by commas (they win in every mode; empty: none)',
    value: entries.map(([k, v]) => `${k}=${v}`).join(', '),
    placeholder: '10.0.1.*:6379=node.cache.example.com, *.use1.cache.amazonaws.com=clustercfg.example.com',
    validate: (t) => {
      const r = parseNodeNameMap(t);
      return 'error' in r ? r.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  if (text === BACK) return 'done';
  const parsed = parseNodeNameMap(text);
  if ('map' in parsed) a.clusterNodeNames = parsed.map;
  return 'done';
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
  const where = p.sentinel ? `Sentinel service ${p.sentinel.service} via ${p.sentinel.sentinels.join(', ')}` : `${p.host}:${p.port}`;
  const access = p.production
    ? isReadOnlyProfile(p)
      ? ', PRODUCTION read-only'
      : ', PRODUCTION writes allowed'
    : isReadOnlyProfile(p)
      ? ', read-only'
      : '';
  return `${p.name}: ${where} db ${p.db}, ${sec}${p.tls ? `, ${ca}, ${id}` : ''}${p.username ? `, user ${p.username}` : ''}${access}`;
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

/** A file the user chose, and how (so "choose another" can return to the same prompt). */
interface ChosenFile {
  path: string;
  how: 'keep' | 'browse' | 'type';
}

/**
 * A file: Browse... (the native/simple dialog) or a typed path (handy remotely and in tests). With
 * `retry` (the file just refused) it opens the prompt the user used for it again — the typed path
 * with the refused one filled in, or the dialog — and Back from there returns to Browse/Type.
 */
async function chooseFile(
  ui: UserInput,
  input: StepInput,
  what: string,
  current: string | undefined,
  allowDirectory = false,
  retry?: ChosenFile,
): Promise<ChosenFile | typeof BACK | undefined> {
  const items: Array<PickItem<string>> = [
    { label: '$(folder-opened) Browse...', value: 'browse' },
    { label: '$(edit) Type a path...', value: 'type' },
  ];
  if (current) items.unshift({ label: `$(check) Keep ${current}`, value: 'keep' });
  let how: string | undefined = retry && retry.how !== 'keep' ? retry.how : undefined;
  for (;;) {
    const v = how ?? (await input.pick(items, { placeholder: what }));
    how = undefined;
    if (v === undefined || v === BACK) return v;
    if (v === 'keep' && current) return { path: current, how: 'keep' };
    if (v === 'browse') {
      const uris = await ui.showOpenDialog({
        title: what,
        canSelectFiles: true,
        canSelectFolders: allowDirectory,
        canSelectMany: false,
        defaultUri: retry ? vscode.Uri.file(path.dirname(retry.path)) : current ? vscode.Uri.file(path.dirname(current)) : undefined,
      });
      if (uris?.[0]) return { path: uris[0].fsPath, how: 'browse' };
      continue;
    }
    const typed = await input.input({
      prompt: `${what}: absolute path`,
      value: retry?.path ?? current ?? '',
      validate: (t) => validateLocalPath(t, allowDirectory),
    });
    if (typed === undefined) return undefined;
    if (typed === BACK) continue;
    return { path: expandHome(typed.trim()), how: 'type' };
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
  const certFile = await chooseFile(ui, input, 'Client certificate (PEM)', linked?.certPath);
  if (certFile === BACK || certFile === undefined) return certFile;
  const keyFile = await chooseFile(ui, input, 'Client private key (PEM: PKCS#8 or PKCS#1, encrypted or not)', linked?.keyPath);
  if (keyFile === BACK || keyFile === undefined) return keyFile;
  const cert = certFile.path;
  const key = keyFile.path;
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
  const chosen = await chooseFile(ui, input, 'PKCS#12 / PFX file', p.client.kind === 'pfx' ? p.client.path : undefined);
  if (chosen === BACK || chosen === undefined) return chosen;
  const file = chosen.path;
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

function splitList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

function validateSentinelList(text: string): string | undefined {
  const list = splitList(text);
  if (list.length === 0) return 'Enter at least one sentinel address (host:port).';
  const bad = list.find((x) => parseEndpoint(x) === undefined || validateHost(parseEndpoint(x)?.host ?? '') !== undefined);
  return bad === undefined ? undefined : `Not a host:port address: ${bad}`;
}

/** The sentinels' own TLS settings: server name, CA file, client certificate. */
async function askSentinelTls(
  ui: UserInput,
  input: StepInput,
  draft: SentinelAnswers,
  s: SentinelProfile | undefined,
): Promise<SentinelAnswers | typeof BACK | undefined> {
  const servername = await input.input({
    prompt: "Server name the sentinels' certificates are verified against (leave empty to use each sentinel's host)",
    value: draft.servername ?? s?.servername ?? '',
    validate: (t) => (t.trim() === '' ? undefined : validateHost(t)),
  });
  if (servername === undefined || servername === BACK) return servername;
  const ca = await input.pick(
    [
      { label: "$(lock) The data nodes' CA", value: 'same' },
      { label: '$(file) A CA file of their own, linked', value: 'file' },
    ],
    { placeholder: "Which CA signed the sentinels' certificates?", activeValue: s?.ca ? 'file' : 'same' },
  );
  if (ca === undefined || ca === BACK) return ca;
  let caPath: string | undefined;
  if (ca === 'file') {
    const file = await chooseFile(ui, input, "The sentinels' CA certificate (PEM)", s?.ca?.kind === 'file' ? s.ca.path : undefined, true);
    if (file === undefined || file === BACK) return file;
    caPath = file.path;
  }
  const client = await input.pick(
    [
      { label: "$(lock) The data nodes' client certificate", value: 'same' },
      { label: '$(circle-slash) No client certificate', value: 'none' },
      { label: '$(file) PEM certificate + key files of their own, linked', value: 'files' },
    ],
    {
      placeholder: 'Client certificate for the sentinels',
      activeValue: s?.client ? (s.client.kind === 'none' ? 'none' : 'files') : 'same',
    },
  );
  if (client === undefined || client === BACK) return client;
  let certPath: string | undefined;
  let keyPath: string | undefined;
  if (client === 'none') certPath = '';
  if (client === 'files') {
    const linked = s?.client?.kind === 'files' ? s.client : undefined;
    const cert = await chooseFile(ui, input, "The sentinels' client certificate (PEM)", linked?.certPath);
    if (cert === undefined || cert === BACK) return cert;
    const key = await chooseFile(ui, input, "The sentinels' client key (PEM, not encrypted)", linked?.keyPath);
    if (key === undefined || key === BACK) return key;
    certPath = cert.path;
    keyPath = key.path;
  }
  return { ...draft, tls: true, servername: servername.trim(), caPath, certPath, keyPath };
}
