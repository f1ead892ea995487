import { ReplyError } from 'redis-errors';

export { ReplyError };

/**
 * A decoded RESP2 reply. Bulk AND simple strings are Buffers (binary safe), integers numbers,
 * nil is null; an error nested in an array is a ReplyError object (a top-level error rejects instead).
 */
export type Reply = null | number | Buffer | ReplyError | Reply[];

/** The first word of a RESP error ("NOAUTH", "WRONGPASS", "ERR"...): Redis's own error code. */
export function replyErrorCode(err: ReplyError | Error): string {
  const m = /^([A-Z][A-Z_-]*)\b/.exec(err.message);
  return m ? m[1] : '';
}
