import { X509Certificate } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClusterRouter, isClusterEnabled, nodeAddress } from '../core/client/cluster';
import { RedisConnection } from '../core/client/connection';
import type { ConnectionOptions } from '../core/endpoint/options';
import { makeProblem } from '../core/diagnosis/catalogue';
import { DiagnosedError, isDiagnosedError, type DiagnosisCode, type Problem } from '../core/diagnosis/problem';
import { isEncryptedKeyPem } from '../core/profiles/checks';
import { isUnverified } from '../core/profiles/draft';
import type { Profile } from '../core/profiles/profile';
import type { PreflightResult } from '../core/profiles/checks';
import { checkProfile, resolveConnectionOptions } from '../core/profiles/resolve';
import { clusterOptionsOf, sentinelSettingsOf } from '../core/profiles/topology';
import { SentinelSession } from '../core/client/sentinel';
import type { Config } from '../platform/config';
import type { ActiveSession, ConnectionState, SessionManagerApi } from '../platform/contracts';
import { DisposableStore } from '../platform/disposables';
import type { Logger } from '../platform/logger';
import type { UserInput } from '../platform/userInput';
import type { ProfileStore } from '../platform/profileStore';
import type { SecretKind } from '../core/profiles/secretKinds';
import { profileOrigin } from '../core/profiles/secretBinding';

const LAST_STATUS_KEY = 'redisTls.lastStatus';

/** The outcome of the last connection attempt of a profile (non-secret; kept in globalState). */
export interface LastStatus {
  ok: boolean;
  at: number;
  code?: string;
  title?: string;
  protocol?: string;
}

/** A live connection as the session manager holds it. */
export interface ManagedSession extends ActiveSession {
  readonly connection: RedisConnection;
  /** Cluster mode: one verified connection per master; `client` is this router then. */
  readonly cluster?: ClusterRouter;
  /** Sentinel profile: the session that follows the primary across failovers; `client` is it then. */
  readonly sentinel?: SentinelSession;
  /** The soonest notAfter among the server chain and the client certificate. */
  readonly nearestExpiry?: Date;
  readonly connectedAt: number;
}

/**
 * Asks the user for a secret a profile needs but SecretStorage does not hold for its target now
 * (workspace profiles; or the target changed since it was entered: `change` names what changed).
 */
function askSecret(ui: UserInput, profile: Profile, kind: SecretKind, change?: string): Promise<string | undefined> {
  const what =
    kind === 'password'
      ? 'password'
      : kind === 'pfxPassword'
        ? 'PKCS#12 (PFX) password'
        : kind === 'sentinelPassword'
          ? 'password of the sentinels'
          : 'client key passphrase';
  const origin = profileOrigin(profile);
  const changed = change ? `The stored secrets were not sent: this connection changed since they were entered (${change}). ` : '';
  return ui.showInputBox({
    title: `Redis TLS: ${profile.name}${origin ? ` (${origin})` : ''}`,
    prompt: `${changed}Enter the ${what} for ${profile.host}:${profile.port}. It is kept in VS Code's secret storage.`,
    password: true,
    ignoreFocusOut: true,
  });
}

/** Asks whether to trust a server certificate on first use (verify 'pin' without a pin yet). */
async function askTrustPin(ui: UserInput, profile: Profile, fingerprint: string, subject: string): Promise<boolean> {
  const trust = 'Trust and Pin';
  const origin = profileOrigin(profile);
  const answer = await ui.showWarningMessage(
    `First connection to ${profile.name}${origin ? ` (${origin})` : ''}: the server presents "${subject}" with SHA-256 ${fingerprint}. Compare it with the fingerprint you got from the server's owner before trusting it.`,
    { modal: true },
    trust,
  );
  return answer === trust;
}

function problemOf(e: unknown): Problem {
  if (isDiagnosedError(e)) return e.problem;
  return {
    code: 'PROTOCOL_ERROR',
    title: 'The connection failed',
    detail: e instanceof Error ? e.name : 'unknown error',
    fix: 'Run "Redis TLS: Test Connection" for a full diagnosis.',
  };
}

/** Reconnect delays after a lost connection: 1 s, 2 s, 4 s … at most 30 s. */
export const RECONNECT_BASE_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;
/** A PING to the other sessions of a server that just failed: they must answer within this. */
const PROBE_TIMEOUT_MS = 2000;
/** Failures that may go away on their own (the server restarts, resumes, the network returns). */
const TRANSIENT: ReadonlySet<DiagnosisCode> = new Set<DiagnosisCode>(['CONNECTION_REFUSED', 'TIMEOUT', 'PROTOCOL_ERROR', 'HOST_NOT_FOUND']);

export function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
}

function earliest(dates: Array<Date | undefined>): Date | undefined {
  let out: Date | undefined;
  for (const d of dates) if (d && !Number.isNaN(d.getTime()) && (!out || d < out)) out = d;
  return out;
}

/** Owns the live connections (one per profile), their states, and the watchers of linked files. */
export class SessionManager implements SessionManagerApi, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly stateEmitter = this.disposables.add(new vscode.EventEmitter<string>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly linkedFileEmitter = this.disposables.add(new vscode.EventEmitter<{ profileId: string; file: string }>());
  /** A CA/cert/key file linked by a profile changed on disk: the next connection uses it. */
  readonly onDidChangeLinkedFile = this.linkedFileEmitter.event;
  private readonly states = new Map<string, ConnectionState>();
  private readonly sessions = new Map<string, ManagedSession>();
  private readonly pending = new Map<string, Promise<ManagedSession>>();
  private watchers = new DisposableStore();
  /** Pending automatic reconnects (one timer per profile); cleared on connect, disconnect, dispose. */
  private readonly reconnects = new Map<string, NodeJS.Timeout>();
  private disposed = false;
  /** The most recently connected profile (what the status bar shows). */
  private activeId: string | undefined;

  constructor(
    private readonly profiles: ProfileStore,
    private readonly log: Logger,
    private readonly memento: vscode.Memento,
    private readonly config: Config,
    private readonly ui: UserInput,
  ) {
    this.disposables.add(profiles.onDidChange(() => this.onProfilesChanged()));
    this.disposables.add({ dispose: () => this.watchers.dispose() });
    this.watchLinkedFiles();
  }

  /**
   * The connection in the user's focus (what the status bar shows): the one last connected on the
   * user's request or selected in the tree. Never switches by itself (reconnects, another session
   * closing); none when it is not connected.
   */
  get activeProfileId(): string | undefined {
    return this.activeId && this.sessions.has(this.activeId) ? this.activeId : undefined;
  }

  /** The user focused a connection (tree selection): the status bar follows when it is connected. */
  focus(profileId: string): void {
    if (this.activeId === profileId) return;
    this.activeId = profileId;
    this.stateEmitter.fire(profileId);
  }

  state(profileId: string): ConnectionState {
    return this.states.get(profileId) ?? { kind: 'disconnected' };
  }

  session(profileId: string): ManagedSession | undefined {
    return this.sessions.get(profileId);
  }

  lastStatus(profileId: string): LastStatus | undefined {
    return this.memento.get<Record<string, LastStatus>>(LAST_STATUS_KEY)?.[profileId];
  }

  /**
   * Connects (or returns the live session). `interactive: false` (automatic reconnects) never asks
   * the user anything: a missing secret or an unpinned certificate fails instead.
   */
  async connect(profileId: string, opts: { interactive?: boolean } = {}): Promise<ManagedSession> {
    const live = this.sessions.get(profileId);
    if (live && (live.sentinel || !live.connection.closed)) return live;
    const inflight = this.pending.get(profileId);
    if (inflight) return inflight;
    const interactive = opts.interactive ?? true;
    if (interactive) this.cancelReconnect(profileId);
    const attempt = this.open(profileId, interactive).finally(() => this.pending.delete(profileId));
    this.pending.set(profileId, attempt);
    return attempt;
  }

  /**
   * Resolves the options of a profile, asking for secrets it needs that SecretStorage lacks.
   * The result holds secrets: hand it to the client only, never log or persist it.
   */
  async resolveOptions(profile: Profile, ask = true): Promise<ConnectionOptions> {
    // Only secrets bound to this very target are sent; after a change the user is asked again.
    const { secrets, change } = await this.profiles.boundSecretsOf(profile);
    if (change) this.log.warn(`${profile.name}: stored secrets not sent: ${change}`);
    const need = async (kind: SecretKind): Promise<void> => {
      if (secrets[kind] !== undefined || !ask) return;
      const value = await askSecret(this.ui, profile, kind, change);
      if (value === undefined) throw new vscode.CancellationError();
      secrets[kind] = value;
      await this.profiles.setSecret(profile.id, kind, value);
    };
    if (profile.hasPassword) await need('password');
    if (profile.client.kind === 'pfx') await need('pfxPassword');
    const options = await resolveConnectionOptions(await this.profiles.withAcceptedPin(profile), secrets);
    const key = options.tls.key;
    if (options.tls.enabled && key !== undefined && !options.tls.passphrase && isEncryptedKeyPem(key)) {
      await need('passphrase');
      options.tls.passphrase = secrets.passphrase;
    }
    return options;
  }

  /** The pre-connect checks of a saved profile against its files as they are now (no connection). */
  async checkProfile(profileId: string): Promise<PreflightResult> {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`No connection profile with id ${profileId}`);
    return checkProfile(profile, await this.profiles.secretsOf(profileId), undefined, this.config.expiryWarningDays);
  }

  private async open(profileId: string, interactive: boolean): Promise<ManagedSession> {
    const profile = this.profiles.get(profileId);
    if (!profile) throw new Error(`No connection profile with id ${profileId}`);
    this.setState(profileId, { kind: 'connecting' });
    try {
      const options = await this.resolveOptions(profile, interactive);
      options.clientName = 'redis-tls-explorer';
      options.maxReplyBytes = this.config.maxReplyBytes;
      if (profile.sentinel) return await this.openSentinel(profile, options);
      let connection: RedisConnection;
      try {
        connection = await RedisConnection.open(options);
      } catch (e) {
        const trusted = interactive ? await this.maybePinOnFirstUse(await this.profiles.withAcceptedPin(profile), e) : undefined;
        if (!trusted) throw e;
        options.tls.pinSha256 = trusted;
        connection = await RedisConnection.open(options);
      }
      const report = connection.report;
      const clientCert = options.tls.cert;
      const clientNotAfter = clientCert ? readNotAfter(clientCert) : undefined;
      const nearestExpiry = earliest([...report.chain.map((c) => new Date(c.notAfter)), clientNotAfter]);
      const verified = report.tls && report.authorized && !isUnverified(profile);
      const cluster = await this.openCluster(profile, connection, options);
      const session: ManagedSession = {
        profile,
        client: cluster ?? connection,
        connection,
        ...(cluster ? { cluster } : {}),
        report,
        verified,
        nearestExpiry,
        connectedAt: Date.now(),
      };
      this.sessions.set(profileId, session);
      // A connection the user asked for takes the focus; an automatic reconnect does not.
      if (interactive) this.activeId = profileId;
      connection.onClose((err) => {
        if (this.sessions.get(profileId) === session) this.lost(profileId, session, err);
      });
      this.setState(profileId, {
        kind: 'connected',
        verified,
        protocol: report.protocol ?? undefined,
        cipher: report.cipher ?? undefined,
        nearestExpiry,
      });
      await this.recordStatus(profileId, { ok: true, at: Date.now(), protocol: report.protocol ?? undefined });
      this.log.info(
        `${profile.name}: connected to ${profile.host}:${profile.port} (${report.tls ? `${report.protocol ?? 'TLS'}, ${verified ? (report.verification === 'pin' ? 'pinned certificate' : 'verified') : 'UNVERIFIED'}` : 'no TLS'})`,
      );
      return session;
    } catch (e) {
      if (e instanceof vscode.CancellationError) {
        this.setState(profileId, { kind: 'disconnected' });
        throw e;
      }
      const problem = problemOf(e);
      this.setState(profileId, { kind: 'failed', problem });
      await this.recordStatus(profileId, { ok: false, at: Date.now(), code: problem.code, title: problem.title });
      this.log.warn(`${profile.name}: connection failed: ${problem.code} ${problem.title}`);
      throw isDiagnosedError(e) ? e : new DiagnosedError(problem);
    }
  }

  /**
   * Cluster mode: one connection per master, connected at the address the node announces and verified
   * against the profile's name (servername, else host), exactly as strictly as the seed. If a master
   * cannot be reached or verified, the session browses the node it is connected to only (logged).
   */
  private async openCluster(profile: Profile, connection: RedisConnection, options: ConnectionOptions): Promise<ClusterRouter | undefined> {
    if (!(await isClusterEnabled(connection))) return undefined;
    try {
      const router = await ClusterRouter.open(connection, options, clusterOptionsOf(profile));
      for (const n of router.nodeStatuses)
        if (n.problem) this.log.warn(`${profile.name}: ${n.problem.title}: ${n.problem.detail} Fix: ${n.problem.fix}`);
      this.log.info(
        `${profile.name}: cluster with ${router.masters.length} masters (${router.masters.map((m) => nodeAddress(m.host, m.port)).join(', ')})${options.tls.enabled ? `, each verified as ${options.tls.servername ?? options.host}` : ''}`,
      );
      return router;
    } catch (e) {
      const problem = problemOf(e);
      this.log.warn(
        `${profile.name}: cluster mode, but not every master could be opened (${problem.code} ${problem.title}); browsing the connected node only`,
      );
      return undefined;
    }
  }

  /**
   * A Sentinel profile: the sentinels (their own TLS settings and password) name the primary, which is
   * reached with the profile's data-node settings. The session survives failovers: after a connection
   * loss the next command asks the sentinels again; the state says which node serves and that it moved.
   */
  private async openSentinel(profile: Profile, options: ConnectionOptions): Promise<ManagedSession> {
    const secrets = await this.profiles.secretsOf(profile.id);
    if (profile.sentinel?.hasPassword && secrets.sentinelPassword === undefined) {
      const value = await askSecret(this.ui, profile, 'sentinelPassword');
      if (value === undefined) throw new vscode.CancellationError();
      secrets.sentinelPassword = value;
      await this.profiles.setSecret(profile.id, 'sentinelPassword', value);
    }
    const settings = await sentinelSettingsOf(profile, secrets);
    if (!settings) throw new Error('not a Sentinel profile');
    const { host: _h, port: _p, ...data } = options;
    const sentinel = await SentinelSession.open({ ...settings, data });
    const first = await sentinel.connection();
    let movedAt = '';
    const connected = (): ConnectionState => {
      const report = sentinel.report ?? first.report;
      const moved = sentinel.lastFailover
        ? `; failover at ${movedAt}: moved from ${sentinel.lastFailover.from.host}:${sentinel.lastFailover.from.port}`
        : '';
      return {
        kind: 'connected',
        verified: report.authorized && !isUnverified(profile),
        protocol: report.protocol ?? undefined,
        cipher: report.cipher ?? undefined,
        via: `${sentinel.describe()}${moved}`,
      };
    };
    const session: ManagedSession = {
      profile,
      client: sentinel,
      sentinel,
      connectedAt: Date.now(),
      get connection() {
        return sentinel.lastConnection ?? first;
      },
      get report() {
        return sentinel.report ?? first.report;
      },
      get verified() {
        return (sentinel.report ?? first.report).authorized && !isUnverified(profile);
      },
    };
    this.sessions.set(profile.id, session);
    this.activeId = profile.id;
    sentinel.onFailover((e) => {
      movedAt = new Date().toLocaleTimeString();
      this.log.info(
        `${profile.name}: failover: the session moved from ${e.from.host}:${e.from.port} to ${e.to.host}:${e.to.port} (named by Sentinel ${e.sentinel.host}:${e.sentinel.port})`,
      );
    });
    // Sentinel kills the old primary's clients when it demotes it: ask the sentinels again at once, so
    // the session (and the tree) move to the new primary without waiting for the next command.
    const follow = (conn: RedisConnection): void => {
      conn.onClose(() => {
        if (this.disposed || this.sessions.get(profile.id) !== session) return;
        sentinel.connection().catch((e: unknown) => {
          if (this.sessions.get(profile.id) !== session) return;
          // The next command asks the sentinels again; until then the row says why it failed.
          const problem = problemOf(e);
          this.log.warn(`${profile.name}: the sentinels could not name a reachable node: ${problem.code} ${problem.title}`);
          this.setState(profile.id, { kind: 'failed', problem });
        });
      });
    };
    sentinel.onConnection((conn) => {
      if (this.sessions.get(profile.id) !== session) return;
      this.setState(profile.id, connected());
      follow(conn);
    });
    follow(first);
    this.setState(profile.id, connected());
    await this.recordStatus(profile.id, { ok: true, at: Date.now(), protocol: first.report.protocol ?? undefined });
    this.log.info(`${profile.name}: connected to the ${sentinel.describe()}`);
    return session;
  }

  /** Trust on first use: a 'pin' profile without a pin yet asks the user and stores the fingerprint. */
  private async maybePinOnFirstUse(profile: Profile, e: unknown): Promise<string | undefined> {
    if (profile.verify !== 'pin' || profile.pinSha256 || !isDiagnosedError(e) || e.problem.field !== 'pin') return undefined;
    const facts = e.problem.facts ?? {};
    const presented = typeof facts.presented === 'string' ? facts.presented : '';
    const chain = Array.isArray(facts.chain) ? (facts.chain as Array<{ subject?: string }>) : [];
    if (!presented) return undefined;
    if (!(await askTrustPin(this.ui, profile, presented, chain[0]?.subject ?? '?'))) return undefined;
    if (profile.source === 'user') await this.profiles.save({ ...profile, pinSha256: presented });
    else await this.profiles.setAcceptedPin(profile, presented);
    this.log.info(`${profile.name}: pinned server certificate SHA-256 ${presented}`);
    return presented;
  }

  /**
   * A session closed without the user asking (server gone, stopped, restarted; network cut): say so,
   * retry with backoff, and check the other sessions to the same server (they may be just as dead).
   */
  private lost(profileId: string, session: ManagedSession, err: DiagnosedError | null): void {
    this.sessions.delete(profileId);
    void session.cluster?.close();
    const { profile } = session;
    const problem =
      err?.problem ??
      makeProblem('PROTOCOL_ERROR', `The server at ${profile.host}:${profile.port} closed the connection.`, {
        title: 'The server closed the connection',
        fix: 'The connection is retried automatically; use Retry to try now.',
      });
    this.log.warn(`${profile.name}: connection lost (${problem.code}: ${problem.title})`);
    this.scheduleReconnect(profileId, problem, 0);
    this.probeSiblings(session);
  }

  /** PINGs every other live session to the same host and port; one that does not answer is lost too. */
  private probeSiblings(failed: ManagedSession): void {
    for (const s of this.sessions.values()) {
      if (s === failed || s.profile.host !== failed.profile.host || s.profile.port !== failed.profile.port) continue;
      // A timeout closes that connection, and its onClose reports it lost.
      s.connection.send(['PING'], { timeoutMs: PROBE_TIMEOUT_MS }).catch(() => undefined);
    }
  }

  private scheduleReconnect(profileId: string, problem: Problem, attempt: number): void {
    this.cancelReconnect(profileId);
    if (this.disposed || !this.profiles.get(profileId)) return;
    const delay = reconnectDelay(attempt);
    const timer = setTimeout(() => {
      this.reconnects.delete(profileId);
      void this.reconnect(profileId, attempt + 1);
    }, delay);
    this.reconnects.set(profileId, timer);
    this.setState(profileId, { kind: 'failed', problem, reconnectAt: Date.now() + delay, attempt: attempt + 1 });
  }

  private cancelReconnect(profileId: string): void {
    const timer = this.reconnects.get(profileId);
    if (timer) clearTimeout(timer);
    this.reconnects.delete(profileId);
  }

  private async reconnect(profileId: string, attempt: number): Promise<void> {
    if (this.disposed || this.sessions.has(profileId) || !this.profiles.get(profileId)) return;
    try {
      const session = await this.connect(profileId, { interactive: false });
      this.log.info(`${session.profile.name}: reconnected (attempt ${attempt})`);
    } catch (e) {
      const problem = problemOf(e);
      // A certificate or credential problem does not go away by waiting: it stays, with Retry.
      if (TRANSIENT.has(problem.code)) this.scheduleReconnect(profileId, problem, attempt);
    }
  }

  /** Timers and sockets this manager holds now (the deactivation test checks they all go). */
  get resources(): { sockets: number; timers: number } {
    const sockets = [...this.sessions.values()].filter((s) => !s.connection.closed).length;
    return { sockets, timers: this.reconnects.size };
  }

  async disconnect(profileId: string): Promise<void> {
    this.cancelReconnect(profileId);
    const session = this.sessions.get(profileId);
    this.sessions.delete(profileId);
    if (session) {
      await session.cluster?.close();
      await session.sentinel?.close();
      await session.connection.close().catch(() => session.connection.destroy());
      this.log.info(`${session.profile.name}: disconnected`);
    }
    this.setState(profileId, { kind: 'disconnected' });
  }

  private setState(profileId: string, state: ConnectionState): void {
    this.states.set(profileId, state);
    this.stateEmitter.fire(profileId);
  }

  private async recordStatus(profileId: string, status: LastStatus): Promise<void> {
    const all = { ...(this.memento.get<Record<string, LastStatus>>(LAST_STATUS_KEY) ?? {}) };
    all[profileId] = status;
    await this.memento.update(LAST_STATUS_KEY, all);
  }

  private onProfilesChanged(): void {
    for (const id of [...this.sessions.keys()]) {
      if (!this.profiles.get(id)) void this.disconnect(id);
    }
    const statuses = this.memento.get<Record<string, LastStatus>>(LAST_STATUS_KEY) ?? {};
    const stale = Object.keys(statuses).filter((id) => !this.profiles.get(id));
    if (stale.length > 0) {
      const kept = { ...statuses };
      for (const id of stale) delete kept[id];
      void this.memento.update(LAST_STATUS_KEY, kept);
    }
    this.watchLinkedFiles();
  }

  /** One FileSystemWatcher per linked file (CA, client cert, key, PFX), also outside the workspace. */
  private watchLinkedFiles(): void {
    this.watchers.dispose();
    this.watchers = new DisposableStore();
    const byFile = new Map<string, string[]>();
    for (const p of this.profiles.list()) {
      const files: string[] = [];
      if (p.ca.kind === 'file') files.push(p.ca.path);
      if (p.client.kind === 'files') files.push(p.client.certPath, p.client.keyPath);
      if (p.client.kind === 'pfx') files.push(p.client.path);
      for (const f of files) if (f && path.isAbsolute(f)) byFile.set(f, [...(byFile.get(f) ?? []), p.id]);
    }
    for (const [file, ids] of byFile) {
      const pattern = new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file));
      const watcher = this.watchers.add(vscode.workspace.createFileSystemWatcher(pattern));
      const fire = (): void => {
        this.log.info(`Linked file changed: ${file} (used from the next connection)`);
        for (const profileId of ids) {
          this.linkedFileEmitter.fire({ profileId, file });
          void this.checkProfile(profileId).then(
            (r) => {
              const name = this.profiles.get(profileId)?.name ?? profileId;
              for (const p of [...r.errors, ...r.warnings]) this.log.warn(`${name}: ${p.code}: ${p.title}`);
            },
            () => undefined,
          );
        }
      };
      this.watchers.add(watcher.onDidChange(fire));
      this.watchers.add(watcher.onDidCreate(fire));
      this.watchers.add(watcher.onDidDelete(fire));
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.reconnects.keys()]) this.cancelReconnect(id);
    for (const s of this.sessions.values()) {
      s.connection.destroy();
      void s.cluster?.close();
      void s.sentinel?.close();
    }
    this.sessions.clear();
    this.disposables.dispose();
  }
}

function readNotAfter(cert: string | Buffer): Date | undefined {
  try {
    return new Date(new X509Certificate(cert).validTo);
  } catch {
    return undefined;
  }
}
