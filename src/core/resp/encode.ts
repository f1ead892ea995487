/** RESP2 command encoding. Binary-safe: Buffers are copied byte for byte, strings are UTF-8. */
export type CommandArg = string | Buffer | number;

const CRLF = '\r\n';

/**
 * Encodes one command as a RESP array of bulk strings. Small arguments are joined into one string
 * first (one allocation); Buffers are spliced in without a round trip through text.
 */
export function encodeCommand(args: readonly CommandArg[]): Buffer {
  if (args.length === 0) throw new TypeError('a command needs at least its name');
  let hasBuffer = false;
  for (const a of args)
    if (Buffer.isBuffer(a)) {
      hasBuffer = true;
      break;
    }
  if (!hasBuffer) {
    let text = `*${args.length}${CRLF}`;
    for (const a of args) {
      const s = typeof a === 'number' ? String(a) : (a as string);
      text += `$${Buffer.byteLength(s)}${CRLF}${s}${CRLF}`;
    }
    return Buffer.from(text);
  }
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(typeof a === 'number' ? String(a) : a);
    parts.push(Buffer.from(`$${b.length}${CRLF}`), b, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}
