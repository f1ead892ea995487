import * as vscode from 'vscode';
import type { ActiveSession, ConnectionState, SessionManagerApi } from './contracts';
import { DisposableStore } from './disposables';
import type { Logger } from './logger';
import type { ProfileStore } from './profileStore';
import type { SecretStore } from './secretStore';

/** Owns the live connections, one per profile, and their states. */
export class SessionManager implements SessionManagerApi, vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly stateEmitter = this.disposables.add(new vscode.EventEmitter<string>());
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly states = new Map<string, ConnectionState>();
  private readonly sessions = new Map<string, ActiveSession>();

  constructor(
    private readonly profiles: ProfileStore,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {}

  state(profileId: string): ConnectionState {
    return this.states.get(profileId) ?? { kind: 'disconnected' };
  }

  session(profileId: string): ActiveSession | undefined {
    return this.sessions.get(profileId);
  }

  async connect(profileId: string): Promise<ActiveSession> {
    const live = this.sessions.get(profileId);
    if (live) return live;
    void this.profiles;
    void this.secrets;
    throw new Error('not implemented yet');
  }

  async disconnect(profileId: string): Promise<void> {
    this.sessions.delete(profileId);
    this.states.set(profileId, { kind: 'disconnected' });
    this.stateEmitter.fire(profileId);
  }

  dispose(): void {
    this.sessions.clear();
    this.log.info('sessions closed');
    this.disposables.dispose();
  }
}
