import type { CommandArg } from '../resp/encode';

export type { CommandArg };

/** Per-command options every sender accepts. */
export interface SendOptions {
  /** Overrides the sender's command timeout for this command. 0 = no timeout. */
  timeoutMs?: number;
  /** Aborting rejects the command with the signal's reason; the connection stays usable. */
  signal?: AbortSignal;
}

/**
 * The one "send a command" interface: a RedisConnection, a RedisClient, a ClusterRouter and the
 * extension's sessions all satisfy it. Replies are untyped here; narrow them with keys/replies.ts.
 */
export interface Commander {
  send(args: readonly CommandArg[], options?: SendOptions): Promise<unknown>;
}
