/**
 * `redis-tls doctor|scan --cluster` and `--sentinel NAME`: the same verified sessions the extension
 * uses (ClusterRouter, SentinelSession), reported node by node.
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { ConnectionOptions, TlsSettings } from '../core/endpoint/options';
import { RedisConnection } from '../core/client/connection';
import { ClusterRouter, isClusterEnabled, readClusterIfEnabled, seedPrimary } from '../core/client/cluster';
import type { NodeNamingSettings } from '../core/client/cluster/naming';
import { runDoctor, type DoctorResult } from '../core/client/doctor';
import { TlsCache } from '../core/tls/context';
import type { CertSummary } from '../core/certs/summary';
import { DiagnosedError, type Problem } from '../core/diagnosis/problem';
import {
  askSentinels,
  dataNodeOptions,
  endpointText,
  SentinelDirectory,
  SentinelSession,
  type SentinelSettings,
} from '../core/client/sentinel';
import { sentinelNodeProblem } from '../core/diagnosis/topology';
import { KeyOutput, scanPages, scanToStream, type ScanOptions } from './scan';
import { UsageError } from './options';

export interface ClusterNodeReport {
  address: string;
  role: 'primary' | 'replica';
  /** For a replica: its primary's address. */
  primary?: string;
  announcedName?: string;
  verifiedName: string;
  slots: Array<[number, number]>;
  ok: boolean;
  problem: DoctorResult['problem'];
  tls: { protocol: string | null; authorized: boolean } | null;
  chain: CertSummary[];
}

export type ClusterDoctorResult = DoctorResult & { nodes: ClusterNodeReport[] };
export type SentinelDoctorResult = DoctorResult & {
  sentinel: { address: string | null; service: string; primary: { host: string; port: number } | null };
};

function brief(p: Problem): NonNullable<DoctorResult['problem']> {
  return { code: p.code, title: p.title, detail: p.detail, fix: p.fix, ...(p.field ? { field: p.field } : {}) };
}

/** The seed's doctor report plus one entry per node (primaries and replicas); not ok when any node failed. */
export async function clusterDoctor(options: ConnectionOptions, naming: NodeNamingSettings): Promise<ClusterDoctorResult> {
  const seedReport = await runDoctor(options);
  if (!seedReport.ok) return { ...seedReport, nodes: [] };
  const cache = new TlsCache();
  let seed: RedisConnection | undefined;
  let router: ClusterRouter | undefined;
  try {
    seed = await RedisConnection.open(options, { tlsCache: cache });
    if (!(await isClusterEnabled(seed)))
      return {
        ...seedReport,
        warnings: [...seedReport.warnings, 'The server is not in cluster mode (INFO cluster: cluster_enabled:0).'],
        nodes: [],
      };
    // A cache of its own: a resumed session presents no certificate, and the report shows each node's chain.
    router = await ClusterRouter.open(seed, options, { tlsCache: new TlsCache(), naming });
    const nodes = router.nodeStatuses.map((n): ClusterNodeReport => ({
      address: n.address,
      role: n.info.role,
      ...(n.primaryAddress ? { primary: n.primaryAddress } : {}),
      ...(n.info.hostname ? { announcedName: n.info.hostname } : {}),
      verifiedName: n.choice.verifiedName,
      slots: n.info.slots,
      ok: n.ok,
      problem: n.problem ? brief(n.problem) : null,
      tls: n.report?.tls ? { protocol: n.report.protocol, authorized: n.report.authorized } : null,
      chain: n.report?.chain ?? (Array.isArray(n.problem?.facts?.chain) ? (n.problem.facts.chain as CertSummary[]) : []),
    }));
    const failed = nodes.filter((n) => !n.ok);
    const first = failed[0]?.problem;
    return { ...seedReport, ok: failed.length === 0, problem: first ?? null, nodes };
  } catch (e) {
    const p = e instanceof DiagnosedError ? e.problem : null;
    return {
      ...seedReport,
      ok: false,
      problem: p
        ? brief(p)
        : {
            code: 'PROTOCOL_ERROR',
            title: 'Reading the cluster failed',
            detail: e instanceof Error ? e.message : 'unknown',
            fix: 'Check the seed node.',
          },
      nodes: [],
    };
  } finally {
    await router?.close();
    await seed?.close().catch(() => undefined);
  }
}

/** Scans every primary once, in parallel (each on its own verified connection). */
export async function clusterScan(
  options: ConnectionOptions,
  naming: NodeNamingSettings,
  scan: ScanOptions,
  out: Writable,
): Promise<number> {
  const cache = new TlsCache();
  const seed = await RedisConnection.open(options, { tlsCache: cache });
  let router: ClusterRouter | undefined;
  try {
    const described = await readClusterIfEnabled(seed, options.tls.enabled, options.host);
    if (!described) return await scanToStream(seed, scan, out);
    // The seed's own node scans over the seed connection, starting now: its output is held until
    // every primary is connected and verified (nothing is written when one fails). Replicas are not
    // connected at all. Every primary's keys go through one KeyOutput (one sink, one writer).
    const clusterOptions = { tlsCache: cache, naming, seedConnection: seed, primariesOnly: true };
    let release: (ok: boolean) => void = () => undefined;
    const seedFirst = seedPrimary(seed, options, clusterOptions, described) !== undefined;
    const output = new KeyOutput(out, scan, seedFirst ? { hold: new Promise<boolean>((resolve) => (release = resolve)) } : {});
    const early = seedFirst ? scanPages(seed, scan, output) : undefined;
    early?.catch(() => undefined); // observed below
    let ok = false;
    try {
      let conns: RedisConnection[];
      try {
        router = await ClusterRouter.open(seed, options, clusterOptions, described);
        const failed = router.nodeStatuses.find((n) => !n.ok && n.info.role === 'primary');
        if (failed?.problem) throw new DiagnosedError(failed.problem);
        conns = await Promise.all(router.scanTargets.map((c) => c.connect()));
      } catch (e) {
        release(false);
        await early?.catch(() => undefined);
        throw e;
      }
      // The early scan counts only if the router serves the seed's node over the seed connection;
      // else its keys are dropped (once its last page is in) and the node is scanned like the others.
      const seedServes = early !== undefined && conns.includes(seed);
      release(seedServes);
      if (early && !seedServes) {
        await early;
        output.discard();
      }
      const rest = conns.filter((c) => !(seedServes && c === seed)).map((c) => scanPages(c, scan, output));
      await Promise.all(seedServes && early ? [early, ...rest] : rest);
      ok = true;
    } finally {
      if (!ok) output.discard();
      await output.end();
    }
    return output.total;
  } finally {
    await router?.close();
    await seed.close().catch(() => undefined);
  }
}

export interface SentinelFlags {
  service: string;
  primarySni?: string;
  primaryCacert?: string;
  primaryCert?: string;
  primaryKey?: string;
  sentinelUser?: string;
  replica: boolean;
}

function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * The usual options address a sentinel (its TLS settings); the data nodes get the same TLS settings
 * unless --primary-* say otherwise, and no SNI unless --primary-sni (the sentinel's --sni names the
 * sentinel). --user / REDISCLI_AUTH are the data nodes' credentials; the sentinel's password comes
 * from REDIS_TLS_SENTINEL_AUTH and its user from --sentinel-user.
 */
export function sentinelSettings(options: ConnectionOptions, flags: SentinelFlags, env: NodeJS.ProcessEnv): SentinelSettings {
  const dataTls: TlsSettings = { ...options.tls };
  delete dataTls.servername;
  if (flags.primarySni) dataTls.servername = flags.primarySni;
  if (flags.primaryCacert) dataTls.ca = [readFlagFile('--primary-cacert', flags.primaryCacert)];
  if (flags.primaryCert || flags.primaryKey) {
    if (!flags.primaryCert || !flags.primaryKey) throw new UsageError('--primary-cert and --primary-key go together');
    dataTls.cert = readFlagFile('--primary-cert', flags.primaryCert);
    dataTls.key = readFlagFile('--primary-key', flags.primaryKey);
  }
  const sentinelTls: TlsSettings = { ...options.tls };
  const sentinelPassword = env.REDIS_TLS_SENTINEL_AUTH;
  const data: SentinelSettings['data'] = { ...options, tls: dataTls };
  delete (data as Partial<ConnectionOptions>).host;
  delete (data as Partial<ConnectionOptions>).port;
  return {
    sentinels: [{ host: options.host, port: options.port }],
    service: flags.service,
    sentinelTls,
    ...(flags.sentinelUser ? { sentinelUsername: flags.sentinelUser } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    data,
    replica: flags.replica,
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  };
}

/** Asks the sentinel, then runs the doctor against the node it names. */
export async function sentinelDoctor(settings: SentinelSettings): Promise<SentinelDoctorResult> {
  const first = settings.sentinels[0];
  const sentinelAddress = first ? endpointText(first) : null;
  try {
    const answer = await askSentinels(settings, new SentinelDirectory(settings.sentinels), { tlsCache: new TlsCache() });
    const report = await runDoctor(dataNodeOptions(settings, answer.node));
    const sentinel = { address: endpointText(answer.sentinel), service: settings.service, primary: answer.primary };
    if (report.ok || !report.problem) return { ...report, sentinel };
    const problem = sentinelNodeProblem(
      { ...report.problem, facts: { certNames: report.chain[0]?.subjectAltNames ?? [] } },
      {
        sentinel: endpointText(answer.sentinel),
        service: settings.service,
        host: answer.node.host,
        port: answer.node.port,
        servernameSet: Boolean(settings.data.tls.servername),
        role: answer.role,
      },
    );
    return { ...report, problem: brief(problem), sentinel };
  } catch (e) {
    const p = e instanceof DiagnosedError ? e.problem : null;
    const host = first?.host ?? '';
    const port = first?.port ?? 0;
    return {
      ok: false,
      problem: p
        ? brief(p)
        : {
            code: 'PROTOCOL_ERROR',
            title: 'Asking the sentinels failed',
            detail: e instanceof Error ? e.message : 'unknown',
            fix: 'Check the sentinel address.',
          },
      target: { host, port, tls: settings.sentinelTls.enabled, servername: settings.sentinelTls.servername ?? null },
      tls: null,
      chain: [],
      server: null,
      timings: null,
      warnings: [],
      sentinel: { address: sentinelAddress, service: settings.service, primary: null },
    };
  }
}

/** Scans the node the sentinels name (the current primary, or a replica with --replica). */
export async function sentinelScan(settings: SentinelSettings, scan: ScanOptions, out: Writable): Promise<number> {
  const session = await SentinelSession.open(settings, { tlsCache: new TlsCache() });
  try {
    return await scanToStream(await session.connection(), scan, out);
  } finally {
    await session.close();
  }
}
