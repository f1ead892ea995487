/**
 * Service contracts shared by the extension's feature modules. Implementations live in
 * platform/profileStore.ts, platform/secretStore.ts and sessions/sessionManager.ts (connection manager).
 */
import type * as vscode from 'vscode';
import type { Problem } from '../core/diagnosis/problem';
import type { Profile } from '../core/profiles/profile';
import type { HandshakeReport } from '../core/tls/report';

/** The core "send a command" interface (core/client/commander.ts). */
export type { Commander } from '../core/client/commander';
import type { Commander } from '../core/client/commander';

export type ConnectionState =
  | { kind: 'disconnected' }
  | { kind: 'connecting' }
  | { kind: 'connected'; verified: boolean; protocol?: string; cipher?: string; nearestExpiry?: Date; via?: string }
  /** `reconnectAt`: a lost connection is retried automatically at this time (epoch ms), attempt `attempt`. */
  | { kind: 'failed'; problem: Problem; reconnectAt?: number; attempt?: number };

export interface ActiveSession {
  readonly profile: Profile;
  readonly client: Commander;
  /** The handshake report of the connection. */
  readonly report: HandshakeReport;
  /** false when the profile is 'insecure' (shown as unverified everywhere). */
  readonly verified: boolean;
}

export interface ProfileStoreApi {
  readonly onDidChange: vscode.Event<void>;
  list(): Profile[];
  get(id: string): Profile | undefined;
}

export interface SessionManagerApi {
  readonly onDidChangeState: vscode.Event<string /* profile id */>;
  state(profileId: string): ConnectionState;
  session(profileId: string): ActiveSession | undefined;
  /** Connects (or returns the live session); rejects with DiagnosedError. */
  connect(profileId: string): Promise<ActiveSession>;
  disconnect(profileId: string): Promise<void>;
}
