/**
 * A TCP proxy on a free loopback port in front of a lab server, for network faults: it forwards bytes
 * both ways until told to cut the path in the middle of the next reply (after some of its bytes went
 * through), and can refuse new connections while the path is "down".
 */
import * as net from 'node:net';

export interface LabProxy {
  host: '127.0.0.1';
  port: number;
  /** Connections forwarded now. */
  readonly open: number;
  /**
   * The next time the server sends more than `afterBytes` bytes in one go, forward only `afterBytes`
   * of them and destroy both sides (the client sees the path close mid-reply). Resolves when cut.
   */
  cutMidReply(afterBytes?: number): Promise<void>;
  /** While down, new connections are closed at once (the path is gone). */
  setDown(down: boolean): void;
  /**
   * Holds the server's replies (a slow server, without a clock): bytes from the server are kept until
   * `release()`, then forwarded in order. Requests still go through.
   */
  hold(): void;
  release(): void;
  /** Replies (chunks from the server) kept by `hold()` so far: the server answered a request. */
  readonly heldChunks: number;
  stop(): Promise<void>;
}

export async function startProxy(target: { host: string; port: number }): Promise<LabProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let down = false;
  let cut: { afterBytes: number; done: () => void } | undefined;
  let held: Array<() => void> | undefined;
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const close = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (b: Buffer) => upstream.write(b));
    upstream.on('data', (b: Buffer) => {
      if (held) {
        held.push(() => {
          if (!client.destroyed) client.write(b);
        });
        return;
      }
      const c = cut;
      if (c && b.length > c.afterBytes) {
        cut = undefined;
        client.write(b.subarray(0, c.afterBytes), () => {
          close();
          c.done();
        });
        return;
      }
      client.write(b);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    host: '127.0.0.1',
    port,
    get open() {
      return pairs.size;
    },
    cutMidReply: (afterBytes = 64) =>
      new Promise<void>((resolve) => {
        cut = { afterBytes, done: resolve };
      }),
    setDown: (d) => {
      down = d;
    },
    get heldChunks() {
      return held?.length ?? 0;
    },
    hold: () => {
      held ??= [];
    },
    release: () => {
      const pending = held ?? [];
      held = undefined;
      for (const write of pending) write();
    },
    stop: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
