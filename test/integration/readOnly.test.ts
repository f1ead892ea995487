// Read-only profiles: every write / admin / dangerous command the server itself lists in COMMAND INFO
// is refused by a read-only session before it is sent (INFO commandstats shows none of them), and the
// reads the key browser needs still work.
import * as assert from 'node:assert/strict';
import { RedisConnection } from '../../src/core/client/connection';
import { isReadCommand, ReadOnlyError } from '../../src/core/client/readOnly';
import { asArray, asText } from '../../src/core/keys/replyNarrowing';
import { getLab } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';

interface CommandFacts {
  /** `SET`, `CONFIG|SET` (as COMMAND INFO and INFO commandstats name it). */
  name: string;
  args: string[];
  flags: string[];
  categories: string[];
}

/** Every command and subcommand of the server's COMMAND INFO. */
function walk(reply: unknown[]): CommandFacts[] {
  const out: CommandFacts[] = [];
  const visit = (entry: unknown): void => {
    const fields = asArray(entry);
    const name = asText(fields[0]).toLowerCase();
    const flags = asArray(fields[2]).map((f) => asText(f));
    const categories = asArray(fields[6] ?? []).map((c) => asText(c));
    const subs = asArray(fields[9] ?? []);
    out.push({ name, args: name.split('|'), flags, categories });
    for (const sub of subs) visit(sub);
  };
  for (const entry of reply) if (entry !== null) visit(entry);
  return out;
}

/** Admin / @dangerous commands that are reads: the allowlist lets them through on purpose. */
const READ_EXCEPTIONS = new Set([
  'info',
  'role',
  'lastsave',
  'config|get',
  'client|list',
  'module|list',
  'slowlog|get',
  'slowlog|len',
  'latency|latest',
  'latency|history',
  'latency|doctor',
  'latency|graph',
  'latency|histogram',
  'cluster|replicas',
  'cluster|slaves',
]);

describe('read-only sessions refuse every write (lab)', function () {
  this.timeout(60_000);
  let srv: RedisServer;
  let admin: RedisConnection;
  let readOnly: RedisConnection;

  before(async () => {
    const lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    const options = { host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } };
    admin = await RedisConnection.open(options);
    readOnly = await RedisConnection.open({ ...options, readOnly: true, profileName: 'Production' });
  });

  after(async () => {
    try {
      await readOnly?.close();
      await admin?.close();
    } finally {
      await srv?.stop();
    }
  });

  async function calls(): Promise<Map<string, number>> {
    const stats = asText(await admin.send(['INFO', 'commandstats']));
    return new Map([...stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]));
  }

  it('sends none of the write/admin/dangerous commands of COMMAND INFO (INFO commandstats shows none)', async () => {
    const all = walk(asArray(await admin.send(['COMMAND', 'INFO'])));
    assert.ok(all.length > 300, `COMMAND INFO listed ${all.length}`);
    const risky = all.filter((c) => c.flags.includes('write') || c.flags.includes('admin') || c.categories.includes('@dangerous'));
    // No command flagged write is ever allowed; the admin/dangerous ones allowed are the listed reads.
    const allowed = risky.filter((c) => isReadCommand(c.args));
    assert.deepEqual(
      allowed.filter((c) => c.flags.includes('write')).map((c) => c.name),
      [],
    );
    assert.deepEqual(
      allowed.map((c) => c.name).filter((n) => !READ_EXCEPTIONS.has(n)),
      [],
    );
    const refused = risky.filter((c) => !isReadCommand(c.args));
    assert.ok(refused.length > 150, `${refused.length} commands to refuse`);

    await admin.send(['SET', 'victim', 'unchanged']);
    await admin.send(['CONFIG', 'RESETSTAT']);
    const before = await calls();
    for (const c of refused) {
      await assert.rejects(
        readOnly.send([...c.args, 'victim', 'x']),
        (e: unknown) => e instanceof ReadOnlyError && e.profile === 'Production',
        c.name,
      );
    }
    const after = await calls();
    assert.deepEqual(
      refused.map((c) => c.name).filter((n) => (after.get(n) ?? 0) !== (before.get(n) ?? 0)),
      [],
      'refused commands that reached the server',
    );
    assert.deepEqual([...before.keys()], ['config|resetstat'], 'the stats start empty (so the check above can fail)');
    assert.equal(asText(await admin.send(['GET', 'victim'])), 'unchanged');
    // The session is still usable after the refusals: nothing was half-sent.
    assert.equal(asText(await readOnly.send(['GET', 'victim'])), 'unchanged');
  });

  it('still reads what the key browser and the tooltips need', async () => {
    await admin.send(['HSET', 'h', 'f', 'v']);
    assert.match(asText(await readOnly.send(['INFO', 'keyspace'])), /db0:keys=/);
    assert.equal(asArray(await readOnly.send(['SCAN', '0', 'COUNT', '100'])).length, 2);
    assert.equal(asText(await readOnly.send(['TYPE', 'h'])), 'hash');
    assert.equal(typeof (await readOnly.send(['MEMORY', 'USAGE', 'h'])), 'number');
    assert.equal(asText(await readOnly.send(['OBJECT', 'ENCODING', 'h'])), 'listpack');
    assert.deepEqual(
      asArray(await readOnly.send(['CONFIG', 'GET', 'maxmemory'])).map((r) => asText(r)),
      ['maxmemory', '0'],
    );
    assert.match(asText(await readOnly.send(['CLIENT', 'LIST'])), /id=/);
    // A transaction is as read-only as its commands: the write inside it is refused before sending.
    assert.equal(asText(await readOnly.send(['MULTI'])), 'OK');
    await assert.rejects(readOnly.send(['HSET', 'h', 'f', 'w']), ReadOnlyError);
    const exec = asArray(await readOnly.send(['EXEC']));
    assert.deepEqual(exec, []);
    assert.equal(asText(await admin.send(['HGET', 'h', 'f'])), 'v');
  });
});
