/**
 * Certificate commands: inspect a file, any server (host:port, no profile), or a connection's
 * server. Registers the inspection panel's sources and the editor diagnostics.
 */
import * as net from 'node:net';
import { profileOrigin } from '../core/profiles/secretBinding';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../container';
import { buildChain, Certificate, parseCertificates, readPfxOffThread, type ChainReport } from '../core/certs';
import { fetchPresentedChain, type ProbeResult } from '../core/tls/inspectionHandshake';
import type { Profile } from '../core/profiles/profile';
import { registerCertificateDiagnostics } from '../editorDiagnostics/certificateDiagnostics';
import { registerProfileDiagnostics } from '../editorDiagnostics/profileDiagnostics';
import { CertificatePanel, USE_CA_COMMAND } from '../webviews/certPanel';
import { buildPanelModel, reportOnlyModel, type ConnectionFacts, type PanelModel } from '../webviews/certProtocol';
import { targetId, type Target } from './target';

const PFX_EXTENSIONS = new Set(['.p12', '.pfx']);

/** Puts the leaf first: the certificate that issued none of the others. */
export function orderLeafFirst(certs: Certificate[]): Certificate[] {
  if (certs.length < 2) return certs;
  const issuerNames = new Set(certs.map((c) => c.issuer));
  const leaf = certs.find((c) => !issuerNames.has(c.subject) || (c.selfIssued && certs.length === 1)) ?? certs[0];
  return [leaf, ...certs.filter((c) => c !== leaf)];
}

async function modelForCertificates(
  title: string,
  label: string,
  certs: Certificate[],
  notes: string[],
  warnDays: number,
  hostname?: string,
): Promise<PanelModel> {
  const ownRoots = certs.filter((c) => c.selfIssued);
  const report = await buildChain({ presented: certs, anchors: ownRoots, useSystemRoots: true, hostname, purpose: 'server' });
  return buildPanelModel({
    title,
    subject: { kind: 'file', label },
    trustSource: ownRoots.length
      ? 'the root certificate(s) in this file and the system trust store'
      : 'the system trust store (a private CA shows as not trusted here: inspect the server with its CA file)',
    report,
    notes,
    presentedLabel: 'in the file',
    purpose: 'any',
    warnDays,
    canUseCa: true,
  });
}

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port", "[v6]:port" or "host" (port 6379). */
export function parseHostPort(text: string): HostPort | undefined {
  const t = text
    .trim()
    .replace(/^rediss?:\/\//, '')
    .replace(/\/.*$/, '')
    .replace(/^[^@]*@/, '');
  let host: string;
  let port = 6379;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (net.isIPv6(t)) {
    host = t;
  } else {
    const m = /^([^:\s]+)(?::(\d+))?$/.exec(t);
    if (!m) return undefined;
    host = m[1];
    if (m[2]) port = Number(m[2]);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !host) return undefined;
  return { host, port };
}

function probeFacts(host: string, port: number, probe: ProbeResult): ConnectionFacts {
  return {
    host,
    port,
    servername: probe.servername,
    protocol: probe.protocol,
    cipher: probe.cipher,
    sessionReused: probe.sessionReused,
    authorized: null,
    authorizationError: null,
    verification: null,
  };
}

export interface InspectServerRequest {
  host: string;
  port: number;
  servername?: string;
  /** PEM of CAs to trust; undefined: the system trust store. */
  caPem?: string;
  caLabel?: string;
}

export async function inspectServerModel(req: InspectServerRequest, warnDays: number): Promise<PanelModel> {
  const probe = await fetchPresentedChain({ host: req.host, port: req.port, servername: req.servername });
  const anchors = req.caPem !== undefined ? parseCertificates(req.caPem) : undefined;
  const hostname = req.servername || req.host;
  const report = await buildChain({ presented: probe.presented, anchors, hostname, purpose: 'server' });
  return buildPanelModel({
    title: `Server certificate: ${req.host}:${req.port}`,
    subject: { kind: 'server', label: `${req.host}:${req.port}` },
    trustSource: anchors ? `the CA file ${req.caLabel ?? ''}`.trim() : "the system trust store (Node's bundled Mozilla roots)",
    report,
    connection: probeFacts(req.host, req.port, probe),
    notes: [
      'Read with an inspection-only handshake that trusts nothing (its session is discarded); the verdict above is computed here from the presented chain.',
      ...(!report.trusted &&
      !anchors &&
      (report.code === 'UNKNOWN_ISSUER' || report.code === 'UNTRUSTED_ROOT' || report.code === 'SELF_SIGNED')
        ? [
            'A server with a private CA is never trusted by the system store: run "Inspect Server Certificate…" again and choose its CA file.',
          ]
        : []),
      ...unusedNote(report),
    ],
    presentedLabel: 'presented by the server',
    purpose: 'server',
    warnDays,
    canUseCa: true,
  });
}

function unusedNote(report: ChainReport): string[] {
  return report.unused.length
    ? [`The server also sent ${report.unused.length} certificate(s) that are not part of the path (listed at the end).`]
    : [];
}

function caDescription(profile: Profile): string {
  switch (profile.ca.kind) {
    case 'file':
      return `the profile's CA file ${profile.ca.path}${profile.ca.alsoSystem ? ' and the system trust store' : ''}`;
    case 'imported':
      return `the CA imported into the profile${profile.ca.label ? ` (${profile.ca.label})` : ''}${profile.ca.alsoSystem ? ' and the system trust store' : ''}`;
    default:
      return "the system trust store (Node's bundled Mozilla roots)";
  }
}

export async function connectionModel(container: Container, profile: Profile): Promise<PanelModel> {
  const session = container.sessions.session(profile.id);
  const options = await container.sessions.resolveOptions(profile, false);
  const t = options.tls;
  const anchors = t.ca ? t.ca.flatMap((c) => parseCertificates(c)) : undefined;
  let probe: ProbeResult;
  const notes: string[] = [];
  const base = { host: options.host, port: options.port, servername: t.servername, minVersion: t.minVersion, maxVersion: t.maxVersion };
  try {
    probe = await fetchPresentedChain(base);
  } catch (e) {
    // The server cannot be reached again: show what the live connection recorded, if there is one.
    if (session?.report?.tls && session.report.chain.length > 0)
      return reportOnlyModel(profile.name, caDescription(profile), session.report, e instanceof Error ? e.message : 'unreachable');
    throw e;
  }
  const hostname = t.servername || options.host;
  const report = await buildChain({ presented: probe.presented, anchors, useSystemRoots: t.useSystemCA, hostname, purpose: 'server' });
  const r = session?.report;
  if (r) {
    const liveLeaf = r.chain[0]?.sha256?.replace(/:/g, '').toUpperCase();
    const nowLeaf = probe.presented[0].sha256.replace(/:/g, '').toUpperCase();
    if (liveLeaf && liveLeaf !== nowLeaf)
      notes.push('The server now presents a different leaf certificate than when this connection was made (rotated?).');
  } else {
    notes.push('Not connected: the chain was read with an inspection-only handshake (its session is discarded).');
  }
  if (profile.verify === 'insecure')
    notes.push('This profile does NOT verify certificates. The verdict above is what verification would say.');
  if (profile.verify === 'pin') {
    const pinned = (profile.pinSha256 ?? '').replace(/[^0-9a-fA-F]/g, '').toUpperCase();
    const leaf = probe.presented[0].sha256.replace(/:/g, '');
    notes.push(
      pinned
        ? pinned === leaf
          ? 'Pinned: the leaf SHA-256 matches the pinned fingerprint (the connection trusts it by pin).'
          : 'Pinned fingerprint does NOT match the leaf the server presents now.'
        : 'Pin mode without a pin yet: the first connection asks to trust this leaf.',
    );
  }
  notes.push(...unusedNote(report));
  const connection: ConnectionFacts = r
    ? {
        host: r.host,
        port: r.port,
        servername: r.servername,
        protocol: r.protocol,
        cipher: r.cipher,
        sessionReused: r.sessionReused,
        authorized: r.authorized,
        authorizationError: r.authorizationError,
        verification: r.verification,
      }
    : probeFacts(options.host, options.port, probe);
  return buildPanelModel({
    title: `Certificate: ${profile.name}`,
    subject: { kind: 'connection', label: profile.name },
    trustSource: caDescription(profile),
    report,
    connection,
    notes,
    presentedLabel: 'presented by the server',
    purpose: 'server',
    warnDays: container.config.expiryWarningDays,
    canUseCa: true,
  });
}

/** Loads a certificate file (PEM, DER, PKCS#12) into a panel model. */
export async function fileModel(
  uri: vscode.Uri,
  blockIndex: number | undefined,
  askPassword: () => Promise<string | undefined>,
  warnDays: number,
): Promise<PanelModel> {
  const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
  const name = path.basename(uri.fsPath || uri.path);
  const notes: string[] = [];
  let certs: Certificate[];
  if (PFX_EXTENSIONS.has(path.extname(name).toLowerCase())) {
    const password = await askPassword();
    if (password === undefined) throw new Error('No password given: the PKCS#12 file was not opened.');
    // Off the extension host's thread, with a time limit: the file chooses its own iteration counts.
    const contents = await readPfxOffThread(bytes, password);
    if (!contents.validation.ok) notes.push(contents.validation.message);
    else
      notes.push(
        `OpenSSL loads this PKCS#12 file: the password is right${contents.hasPrivateKey ? ' and the private key matches its certificate' : ''}.`,
      );
    if (contents.unsupported.length) notes.push(`Not readable here: ${contents.unsupported.join(', ')}.`);
    certs = orderLeafFirst(contents.certificates);
    if (certs.length === 0) throw new Error(`No certificate could be read from ${name}. ${notes.join(' ')}`);
  } else {
    certs = parseCertificates(bytes, uri.fsPath);
    if (certs.length === 0)
      throw new Error(`${name} holds no certificate${/PRIVATE KEY/.test(bytes.toString('latin1')) ? ' (only a private key)' : ''}.`);
    if (blockIndex !== undefined && blockIndex > 0 && blockIndex < certs.length) {
      certs = [certs[blockIndex], ...certs.filter((_, i) => i !== blockIndex)];
      notes.push(`Showing certificate #${blockIndex + 1} of ${name} as the start of the path.`);
    }
  }
  if (certs.length > 1)
    notes.push(`${name} holds ${certs.length} certificates; the path starts at the first and uses the others as its issuers.`);
  return modelForCertificates(`Certificate: ${name}`, name, certs, notes, warnDays);
}

export function registerCertificates(container: Container): void {
  const register = (id: string, fn: (...args: never[]) => unknown): void => {
    container.own(vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown));
  };

  const askPfxPassword = (): Promise<string | undefined> =>
    Promise.resolve(
      vscode.window.showInputBox({
        title: 'PKCS#12 password',
        prompt: 'The password of the PKCS#12 (PFX) file. It is used once to open the file and is not stored.',
        password: true,
        ignoreFocusOut: true,
      }),
    );

  register('redisTls.inspectCertificateFile', async (arg?: vscode.Uri | string, blockIndex?: number): Promise<PanelModel | undefined> => {
    let uri = typeof arg === 'string' ? vscode.Uri.file(arg) : arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active && /\.(pem|crt|cer|der|key)$/i.test(active.path)) uri = active;
    }
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Inspect',
        filters: { Certificates: ['pem', 'crt', 'cer', 'der', 'p12', 'pfx'], 'All files': ['*'] },
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    const target = uri;
    const index = typeof blockIndex === 'number' ? blockIndex : undefined;
    const panel = CertificatePanel.show(
      container,
      `file:${target.toString()}#${index ?? 0}`,
      `Certificate: ${path.basename(target.path)}`,
      () => fileModel(target, index, askPfxPassword, container.config.expiryWarningDays),
    );
    return panel.shown;
  });

  register('redisTls.inspectServerCertificate', async (arg?: string | Partial<InspectServerRequest>): Promise<PanelModel | undefined> => {
    let req: InspectServerRequest | undefined;
    if (arg && typeof arg === 'object' && typeof arg.host === 'string' && typeof arg.port === 'number') {
      req = { host: arg.host, port: arg.port, servername: arg.servername, caPem: arg.caPem, caLabel: arg.caLabel };
    } else {
      const text =
        typeof arg === 'string'
          ? arg
          : await vscode.window.showInputBox({
              title: 'Inspect Server Certificate',
              prompt: 'host:port of a TLS server (no profile is created)',
              placeHolder: 'redis.example.com:6380',
              ignoreFocusOut: true,
              validateInput: (v) => (parseHostPort(v) ? undefined : 'Enter host:port, e.g. redis.example.com:6380 or [::1]:6380'),
            });
      if (text === undefined) return undefined;
      const hp = parseHostPort(text);
      if (!hp) {
        void vscode.window.showErrorMessage('Not a host:port.');
        return undefined;
      }
      req = { ...hp };
      if (typeof arg !== 'string') {
        const trust = await vscode.window.showQuickPick(
          [
            { label: 'System trust store', description: "Node's bundled Mozilla roots", id: 'system' },
            { label: 'CA file…', description: 'Judge the chain against your own CA (PEM)', id: 'file' },
          ],
          { title: `Trust for ${hp.host}:${hp.port}`, placeHolder: 'Which CAs decide whether the server is trusted?' },
        );
        if (!trust) return undefined;
        if (trust.id === 'file') {
          const picked = await vscode.window.showOpenDialog({
            canSelectMany: false,
            openLabel: 'Use as CA',
            filters: { 'PEM certificates': ['pem', 'crt', 'cer'], 'All files': ['*'] },
          });
          if (!picked?.[0]) return undefined;
          req.caPem = Buffer.from(await vscode.workspace.fs.readFile(picked[0])).toString('utf8');
          req.caLabel = picked[0].fsPath;
        }
      }
    }
    const request = req;
    const panel = CertificatePanel.show(
      container,
      `server:${request.host}:${request.port}:${request.caLabel ?? ''}`,
      `Server certificate: ${request.host}:${request.port}`,
      () => inspectServerModel(request, container.config.expiryWarningDays),
    );
    return panel.shown;
  });

  register('redisTls.inspectConnectionCertificate', async (arg?: Target): Promise<PanelModel | undefined> => {
    let id = targetId(arg);
    if (!id) {
      const profiles = container.profiles.list().filter((p) => p.tls);
      const live = profiles.filter((p) => container.sessions.session(p.id));
      const pick = await vscode.window.showQuickPick(
        (live.length ? live : profiles).map((p) => ({
          label: p.name,
          description: `${p.host}:${p.port}${p.source === 'workspace' ? ` · workspace, ${profileOrigin(p)}` : ''}`,
          id: p.id,
        })),
        { title: 'Inspect Connection Certificate', placeHolder: 'Which connection?' },
      );
      id = pick?.id;
    }
    if (!id) return undefined;
    const profile = container.profiles.get(id);
    if (!profile) {
      void vscode.window.showErrorMessage('That connection no longer exists.');
      return undefined;
    }
    if (!profile.tls) {
      void vscode.window.showInformationMessage(`${profile.name} does not use TLS: there is no certificate to inspect.`);
      return undefined;
    }
    const panel = CertificatePanel.show(container, `connection:${profile.id}`, `Certificate: ${profile.name}`, () => {
      const current = container.profiles.get(profile.id) ?? profile;
      return connectionModel(container, current);
    });
    return panel.shown;
  });

  // Restricted Mode: a workspace's certificate files are not analysed until the workspace is trusted.
  if (vscode.workspace.isTrusted) registerCertificateDiagnostics(container);
  else {
    const grant = container.own(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        grant.dispose();
        registerCertificateDiagnostics(container);
      }),
    );
  }
  registerProfileDiagnostics(container);
  container.log.info(`Certificates: inspection commands registered (use-CA action ${USE_CA_COMMAND} when available)`);
}
