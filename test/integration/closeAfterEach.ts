/**
 * What a test opens (connections, clients, routers, servers) is closed after it, whether its
 * assertions passed or not: `const closing = closeAfterEach();` in the describe, then
 * `const conn = closing(await RedisConnection.open(...))`. For an open that is expected to fail,
 * `assert.rejects(RedisConnection.open(...).then(closing))` closes it should it succeed after all.
 */
export type Closable = { close(): unknown } | { stop(): unknown };

export function closeAfterEach(): <T extends Closable>(resource: T) => T {
  const open: Closable[] = [];
  afterEach(async () => {
    const all = open.splice(0).reverse();
    await Promise.allSettled(all.map(async (r) => ('close' in r ? r.close() : r.stop())));
  });
  return (resource) => {
    open.push(resource);
    return resource;
  };
}
