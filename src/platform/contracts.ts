/**
 * Service contracts shared by the extension's feature modules. Implementations live in
 * platform/profileStore.ts, platform/secretStore.ts and platform/sessions.ts (connection manager).
 */
import type * as vscode from 'vscode';
import type { Profile } from '../core/profiles/profile';
import type { Problem } from '../core/diagnosis/problem';

/** Minimal command interface of a live connection (implemented by core/client RedisClient). */
export interface RedisCommander {
  send(args: Array<string | Buffer | number>, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
}

export type ConnectionState =
  | { kind: 'disconnected' }
  | { kind: 'connecting' }
  | { kind: 'connected'; verified: boolean; protocol?: string; cipher?: string; nearestExpiry?: Date; via?: string }
  | { kind: 'failed'; problem: Problem };

export interface ActiveSession {
  readonly profile: Profile;
  readonly client: RedisCommander;
  /** The handshake report of the connection (core/tls report type). */
  readonly report: unknown;
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
