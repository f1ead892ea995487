/**
 * Narrowing of untyped replies (the RedisCommander contract returns `unknown`): bulk and simple
 * strings arrive as Buffers, integers as numbers, nil as null, errors inside arrays as Error objects.
 */
export type Args = Array<string | Buffer | number>;

import type { Commander } from '../client/commander';

export type { Commander };

export class UnexpectedReplyError extends Error {
  constructor(what: string) {
    super(`unexpected reply from the server: ${what}`);
    this.name = 'UnexpectedReplyError';
  }
}

export function asBuffer(reply: unknown, what = 'string'): Buffer {
  if (Buffer.isBuffer(reply)) return reply;
  if (typeof reply === 'string') return Buffer.from(reply, 'utf8');
  if (typeof reply === 'number') return Buffer.from(String(reply), 'latin1');
  if (reply instanceof Error) throw reply;
  throw new UnexpectedReplyError(`expected ${what}`);
}

export function asOptionalBuffer(reply: unknown): Buffer | null {
  return reply === null || reply === undefined ? null : asBuffer(reply);
}

export function asText(reply: unknown): string {
  return asBuffer(reply).toString('utf8');
}

export function asInteger(reply: unknown): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'bigint') return Number(reply);
  if (Buffer.isBuffer(reply) || typeof reply === 'string') {
    const n = Number(reply.toString());
    if (Number.isFinite(n)) return n;
  }
  if (reply instanceof Error) throw reply;
  throw new UnexpectedReplyError('expected an integer');
}

export function asArray(reply: unknown): unknown[] {
  if (Array.isArray(reply)) return reply;
  if (reply instanceof Error) throw reply;
  throw new UnexpectedReplyError('expected an array');
}

export function asBufferArray(reply: unknown): Buffer[] {
  const items = asArray(reply);
  // The common case (every element already a Buffer) costs one pass and no copy.
  for (let i = 0; i < items.length; i++) if (!Buffer.isBuffer(items[i])) return items.map((r) => asBuffer(r));
  return items as Buffer[];
}

/** Sends the commands in one tick (pipelined on one connection) and waits for all replies. */
export function pipeline(
  commander: Commander,
  commands: Args[],
  options?: { timeoutMs?: number; signal?: AbortSignal },
): Promise<unknown[]> {
  return Promise.all(
    commands.map((c) => commander.send(c, options).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))),
  );
}
