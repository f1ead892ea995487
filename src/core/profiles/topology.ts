/**
 * Profile -> the settings of a cluster or Sentinel session. The data nodes use the profile's own
 * TLS settings and credentials; the sentinels use theirs (falling back to the profile's CA and
 * client identity, never to its password).
 */
import type { ClusterOptions } from '../client/cluster';
import type { Endpoint, SentinelSettings } from '../client/sentinel';
import type { DraftSecrets } from './draft';
import type { Profile } from './profile';
import { nodeFileReader, resolveConnectionOptions, type FileReader } from './resolve';

/** The cluster part of a profile: naming choice, mapping, replica reads. */
export function clusterOptionsOf(profile: Profile): Pick<ClusterOptions, 'naming' | 'readFromReplicas'> {
  return {
    naming: { naming: profile.clusterNaming ?? 'seed', ...(profile.clusterNodeNames ? { map: profile.clusterNodeNames } : {}) },
    ...(profile.readFromReplicas ? { readFromReplicas: true } : {}),
  };
}

/** 'host:port' / '[v6]:port' -> endpoint; undefined when malformed. */
export function parseEndpoint(text: string, defaultPort = 26379): Endpoint | undefined {
  const t = text.trim();
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(t) ?? /^([^:\s]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m) return undefined;
  const port = m[2] ? Number(m[2]) : defaultPort;
  return port > 0 && port < 65536 ? { host: m[1] as string, port } : undefined;
}

export async function sentinelSettingsOf(
  profile: Profile,
  secrets: DraftSecrets,
  reader: FileReader = nodeFileReader,
): Promise<SentinelSettings | undefined> {
  const s = profile.sentinel;
  if (!s) return undefined;
  const data = await resolveConnectionOptions(profile, secrets, reader);
  const sentinelProfile: Profile = {
    ...profile,
    tls: s.tls ?? profile.tls,
    ca: s.ca ?? profile.ca,
    client: s.client ?? profile.client,
    db: 0,
  };
  delete sentinelProfile.servername;
  if (s.servername) sentinelProfile.servername = s.servername;
  const { password: _dataPassword, ...sentinelSecrets } = secrets;
  const sentinelSide = await resolveConnectionOptions(sentinelProfile, sentinelSecrets, reader);
  const { host: _h, port: _p, ...dataRest } = data;
  return {
    sentinels: s.sentinels.map((e) => parseEndpoint(e)).filter((e): e is Endpoint => e !== undefined),
    service: s.service,
    sentinelTls: sentinelSide.tls,
    ...(s.username ? { sentinelUsername: s.username } : {}),
    ...(secrets.sentinelPassword ? { sentinelPassword: secrets.sentinelPassword } : {}),
    data: dataRest,
    ...(s.replica ? { replica: true } : {}),
  };
}
