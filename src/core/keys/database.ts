/**
 * A view of one logical database through a shared connection. The session's connection stays on the
 * profile's database for everyone else: commands for another database are wrapped, in the same tick,
 * as `SELECT n` + command(s) + `SELECT home`, so they reach the server back to back.
 */
import { Args, Commander, asText, pipeline } from './replyNarrowing';

export class Database implements Commander {
  constructor(
    /** The shared connection (a ClusterRouter in cluster mode). */
    readonly connection: Commander,
    readonly index: number,
    /** The database the connection is on (the profile's). */
    private readonly home: number,
  ) {}

  get isHome(): boolean {
    return this.index === this.home;
  }

  /** The connection itself when this is its own database (SCAN pages can then stream from it: scanPager.ts). */
  get streamer(): Commander | undefined {
    return this.isHome ? this.connection : undefined;
  }

  send(args: Args, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown> {
    if (this.isHome) return this.connection.send(args, options);
    return this.batch([args], options).then((replies) => {
      const reply = replies[0];
      if (reply instanceof Error) throw reply;
      return reply;
    });
  }

  /** Pipelines the commands; each reply (or Error) in order. */
  async batch(commands: Args[], options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown[]> {
    if (this.isHome) return pipeline(this.connection, commands, options);
    const all = await pipeline(this.connection, [['SELECT', this.index], ...commands, ['SELECT', this.home]], options);
    const selected = all[0];
    if (selected instanceof Error) throw selected;
    return all.slice(1, -1);
  }
}

export interface KeyspaceDb {
  index: number;
  keys: number;
  expires: number;
}

/** Parses `INFO keyspace` (`db0:keys=1,expires=0,avg_ttl=0`). Unknown lines are ignored. */
export function parseKeyspace(info: string): KeyspaceDb[] {
  const out: KeyspaceDb[] = [];
  for (const line of info.split(/\r?\n/)) {
    const m = /^db(\d+):(.*)$/.exec(line.trim());
    if (!m) continue;
    const fields = new Map<string, number>();
    for (const part of (m[2] as string).split(',')) {
      const [k, v] = part.split('=');
      if (k && v !== undefined) fields.set(k, Number(v));
    }
    out.push({ index: Number(m[1]), keys: fields.get('keys') ?? 0, expires: fields.get('expires') ?? 0 });
  }
  return out.sort((a, b) => a.index - b.index);
}

export interface ServerShape {
  cluster: boolean;
  databases: KeyspaceDb[];
  /** Whether the RedisJSON module is loaded (JSON.GET available). */
  json: boolean;
  version: string;
}

/**
 * Reads what the tree needs to know about a server, with read commands only. `homeDb` is the database
 * the connection has selected: a read-only ACL user (`+@read -@dangerous`) may not run INFO, and then
 * DBSIZE (a @read command) counts that database alone.
 */
export async function describeServer(connection: Commander, homeDb = 0): Promise<ServerShape> {
  const [keyspace, server, cluster, modules, dbsize] = await pipeline(connection, [
    ['INFO', 'keyspace'],
    ['INFO', 'server'],
    ['INFO', 'cluster'],
    ['MODULE', 'LIST'],
    ['DBSIZE'],
  ]);
  const serverText = server instanceof Error ? '' : asText(server);
  const version = /redis_version:([^\r\n]+)/.exec(serverText)?.[1]?.trim() ?? '';
  const clusterText = cluster instanceof Error ? '' : asText(cluster);
  const json =
    Array.isArray(modules) &&
    modules.some((m) => Array.isArray(m) && m.some((v, i) => i % 2 === 1 && Buffer.isBuffer(v) && /^rejson$/i.test(v.toString('latin1'))));
  if (keyspace instanceof Error) {
    if (typeof dbsize !== 'number') throw keyspace;
    return { cluster: /cluster_enabled:1/.test(clusterText), databases: [{ index: homeDb, keys: dbsize, expires: 0 }], json, version };
  }
  return { cluster: /cluster_enabled:1/.test(clusterText), databases: parseKeyspace(asText(keyspace)), json, version };
}
