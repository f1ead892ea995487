// Seeds a lab server with what the key browser must handle: every type, binary keys, nested
// namespaces, TTLs, big collections and a second database. Shared by the key browser's
// integration and host tests.
export interface SeedCommander {
  send(args: Array<string | Buffer | number>): Promise<unknown>;
}

export const BINARY_KEY = Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0xff, 0xfe, 0x00, 0x01]); // "bin:\xff\xfe\x00\x01"
export const BINARY_VALUE = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const JSON_TEXT = '{"id":12345678901234567890,"name":"Ada","tags":["a","b"],"nested":{"ok":true}}';

export async function seedKeyBrowser(c: SeedCommander): Promise<void> {
  const cmds: Array<Array<string | Buffer | number>> = [
    ['SELECT', 0],
    ['FLUSHDB'],
    ['SET', 'app:config:json', JSON_TEXT],
    ['SET', 'app:config:text', 'plain text value\nline 2'],
    ['SET', 'app:blob', BINARY_VALUE],
    ['SET', BINARY_KEY, 'value of a binary key'],
    ['HSET', 'user:1:profile', 'name', 'Ada', 'email', 'ada@example.com', 'bio', 'math'],
    ['HSET', 'user:2:profile', 'name', 'Grace', Buffer.from([0xca, 0xfe]), Buffer.from([0xff])],
    ['SET', 'user:1:session', 'abc', 'EX', 3600],
    ['SET', 'user:2:session', 'def', 'EX', 86400 + 7200],
    ['RPUSH', 'queue:jobs', 'j1', 'j2', 'j3'],
    ['SADD', 'tags:all', 'red', 'green', 'blue'],
    ['ZADD', 'leaderboard', 1.5, 'ada', 3, 'grace', '+inf', 'top'],
    ['XADD', 'events:stream', '1-1', 'type', 'login', 'user', 'ada'],
    ['XADD', 'events:stream', '1-2', 'type', 'logout', 'user', 'ada'],
    ['XADD', 'events:stream', '2-0', 'type', 'login', 'user', 'grace'],
    ['SET', 'a:b:c:d:deep', 'deep value'],
    ['SET', 'a:b:c:d2', 'sibling'],
    ['SET', 'standalone', 'no namespace'],
  ];
  // Big collections for the caps.
  const bigList: Array<string | number> = ['RPUSH', 'big:list'];
  for (let i = 0; i < 2500; i++) bigList.push(`item-${i}`);
  cmds.push(bigList);
  const bigHash: Array<string | number> = ['HSET', 'big:hash'];
  for (let i = 0; i < 1500; i++) bigHash.push(`f${i}`, `v${i}`);
  cmds.push(bigHash);
  cmds.push(['SET', 'big:string', 'x'.repeat(5000)]);
  // A folder with many keys, for paging.
  for (let i = 0; i < 1200; i += 200) {
    const mset: Array<string | number> = ['MSET'];
    for (let j = i; j < i + 200; j++) mset.push(`many:${String(j).padStart(4, '0')}`, j);
    cmds.push(mset);
  }
  cmds.push(['SELECT', 2], ['FLUSHDB'], ['SET', 'db2:only', 'in db 2'], ['HSET', 'db2:hash', 'f', 'v'], ['SELECT', 0]);
  for (const cmd of cmds) await c.send(cmd);
}

/** Keys seeded into db0. */
export const DB0_KEY_COUNT = 15 + 3 + 1200;
