/**
 * redis.conf variants (test/fixtures/redis-conf) made runnable: copies the fixtures and freshly
 * generated lab certificates (under certs/) into a temporary directory that stands for redis-server's
 * working directory. Each fixture's first line says what it must produce: `# expect: CODE ...` / `none`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getLab } from './certs';

/** test/fixtures/redis-conf in the source tree (this file compiles to out/test/lab/). */
export const REDIS_CONF_FIXTURES = path.resolve(__dirname, '../../../test/fixtures/redis-conf');

export interface ConfVariant {
  name: string;
  /** The copy inside the working directory. */
  file: string;
  expected: string[];
}

export interface ConfWorkspace {
  dir: string;
  variants: ConfVariant[];
  remove(): Promise<void>;
}

export function expectedCodes(text: string): string[] {
  const m = /^# expect:\s*(.*)$/m.exec(text);
  if (!m) throw new Error('fixture without an "# expect:" line');
  return m[1].trim() === 'none' ? [] : m[1].trim().split(/\s+/).sort();
}

export async function makeConfWorkspace(parent?: string): Promise<ConfWorkspace> {
  const lab = await getLab();
  const dir = await fs.mkdtemp(path.join(parent ?? os.tmpdir(), 'redis-conf-'));
  const certs = path.join(dir, 'certs');
  await fs.mkdir(certs);
  const copies: Array<[string, string]> = [
    [lab.server.chainPath, 'server.crt'],
    [lab.server.keyPath, 'server.key'],
    [lab.caBundle.certPath, 'ca.crt'],
    [lab.server.certPath, 'server-leaf-only.crt'],
    [lab.otherRoot.certPath, 'other-root.crt'],
    [lab.clientMismatchedKey.keyPath, 'other.key'],
    [lab.clientEncrypted.certPath, 'encrypted.crt'],
    [lab.clientEncrypted.keyPath, 'encrypted.key'],
    [lab.expiredServer.certPath, 'expired.crt'],
    [lab.expiredServer.keyPath, 'expired.key'],
    [lab.expiringSoonServer.certPath, 'expiring.crt'],
    [lab.expiringSoonServer.keyPath, 'expiring.key'],
    [lab.notYetValidServer.certPath, 'future.crt'],
    [lab.notYetValidServer.keyPath, 'future.key'],
    [lab.clientWrongEku.certPath, 'client-wrong-eku.crt'],
    [lab.clientWrongEku.keyPath, 'client-wrong-eku.key'],
  ];
  await Promise.all(copies.map(([from, to]) => fs.copyFile(from, path.join(certs, to))));
  const variants: ConfVariant[] = [];
  for (const name of (await fs.readdir(REDIS_CONF_FIXTURES)).filter((n) => n.endsWith('.conf')).sort()) {
    const text = await fs.readFile(path.join(REDIS_CONF_FIXTURES, name), 'utf8');
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    variants.push({ name, file, expected: expectedCodes(text) });
  }
  return { dir, variants, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
