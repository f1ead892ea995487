// A fake Redis over real TLS (a lab peer) for hostile inputs Redis itself would never send. Not a test file.
import type * as tls from 'node:tls';
import RedisParser from 'redis-parser';
import { startTlsPeer, type TlsPeer } from '../lab/servers';

export type Handler = (args: string[]) => string | undefined;

export const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
export const array = (items: string[]): string => `*${items.length}\r\n${items.join('')}`;

/** Decodes each command with redis-parser, records it in `log`, answers PING itself and the rest with `handler`. */
export async function fakeServer(handler: Handler, log: string[][]): Promise<TlsPeer> {
  return startTlsPeer({
    onSecureSocket: (s: tls.TLSSocket) => {
      s.on('error', () => undefined);
      const parser = new RedisParser({
        returnReply: (reply: unknown) => {
          const args = (reply as unknown[]).map(String);
          log.push(args);
          const out = args[0]?.toUpperCase() === 'PING' ? '+PONG\r\n' : handler(args);
          if (out !== undefined) s.write(out);
        },
        returnError: () => undefined,
        returnFatalError: () => s.destroy(),
      });
      s.on('data', (d: Buffer) => parser.execute(d));
    },
  });
}
