/**
 * Diagnoses for one node of a topology (a cluster node, the primary a Sentinel named): the code and
 * facts of the node's own failure, with wording that names the node, its role and how the profile
 * chose the name it was verified against, and fixes that fit that choice. Built on the catalogue
 * (makeProblem); no new codes.
 */
import { isIP } from 'node:net';
import type { Problem } from './problem';
import { makeProblem } from './catalogue';

/** How a cluster profile picks the verification name of each node. */
export type NodeNaming = 'seed' | 'announced' | 'mapping';

export interface NodeIdentity {
  /** 'host:port' the node was connected at. */
  address: string;
  role: 'primary' | 'replica';
  /** For a replica: its primary's address. */
  primaryAddress?: string;
  /** The host name the node announces (CLUSTER SHARDS hostname), if any. */
  announcedName?: string;
}

export interface NodeNameChoice {
  naming: NodeNaming;
  /** The name the node was verified against. */
  verifiedName: string;
  /** True when an explicit mapping entry gave the name. */
  mapped: boolean;
}

function certNamesOf(problem: Problem): string[] {
  const n = problem.facts?.certNames;
  return Array.isArray(n) ? n.map((x) => String(x).replace(/^(DNS|IP Address):/, '')) : [];
}

function who(node: NodeIdentity): string {
  return `node ${node.address} (${node.role === 'replica' ? `replica of ${node.primaryAddress ?? 'an unknown primary'}` : 'primary'})`;
}

/** The failure of one cluster node, in words that name the node and, for a name mismatch, the naming choice. */
export function clusterNodeProblem(problem: Problem, node: NodeIdentity, choice: NodeNameChoice): Problem {
  const facts = { ...problem.facts, node: { ...node }, naming: choice.naming, verifiedName: choice.verifiedName };
  if (problem.code !== 'HOSTNAME_MISMATCH') {
    return { ...problem, title: `${who(node)}: ${problem.title}`, detail: `${who(node)}: ${problem.detail}`, facts };
  }
  const names = certNamesOf(problem);
  const presented = names.length ? names.map((n) => `\`${n}\``).join(', ') : 'no usable name';
  const how = choice.mapped
    ? `the profile's mapping verifies this node against \`${choice.verifiedName}\``
    : choice.naming === 'announced'
      ? `the profile verifies each node against the name it announces, here \`${choice.verifiedName}\``
      : `the profile verifies every node against \`${choice.verifiedName}\``;
  let fix: string;
  if (choice.mapped)
    fix = `Correct the mapping entry for ${node.address} to a name the certificate lists${names[0] ? ` (e.g. ${names[0].startsWith('*.') ? `something under ${names[0].slice(2)}` : names[0]})` : ''}.`;
  else if (choice.naming === 'announced')
    fix = `Add a mapping for ${node.address} (or its node id) to a name the certificate lists, or reissue the node's certificate for \`${choice.verifiedName}\`.`;
  else if (node.announcedName)
    fix = `Choose 'announced name' (this node announces \`${node.announcedName}\`) or add a mapping for ${node.address} to a name the certificate lists.`;
  else
    fix = `Choose 'announced name' (when the nodes announce host names: cluster-announce-hostname) or add a mapping for ${node.address} to a name the certificate lists.`;
  return makeProblem('HOSTNAME_MISMATCH', `${who(node)} presented a certificate for ${presented}; ${how}.`, {
    title: `The certificate of ${who(node)} does not name \`${choice.verifiedName}\``,
    fix,
    field: 'servername',
    facts,
  });
}

export interface SentinelPrimaryContext {
  /** The sentinel that named the primary. */
  sentinel: string;
  service: string;
  /** The primary's address as Sentinel returned it (usually an IP). */
  host: string;
  port: number;
  /** True when the profile set a verification name (SNI) for the data nodes. */
  servernameSet: boolean;
  role: 'primary' | 'replica';
}

/**
 * The failure of the data node a Sentinel named. For a name mismatch on an IP address (Sentinel
 * returns IPs unless `resolve-hostnames` / `announce-hostnames` are on), the two ways out.
 */
export function sentinelNodeProblem(problem: Problem, ctx: SentinelPrimaryContext): Problem {
  const node = `${ctx.role} ${ctx.host}:${ctx.port} of "${ctx.service}" (named by Sentinel ${ctx.sentinel})`;
  const facts = { ...problem.facts, sentinel: ctx.sentinel, service: ctx.service, primary: { host: ctx.host, port: ctx.port } };
  if (problem.code !== 'HOSTNAME_MISMATCH')
    return { ...problem, title: `${problem.title} (${ctx.role} named by Sentinel)`, detail: `The ${node}: ${problem.detail}`, facts };
  const names = certNamesOf(problem);
  const ip = isIP(ctx.host) !== 0 && !ctx.servernameSet;
  const lists = names.length ? names.map((n) => `\`${n}\``).join(', ') : 'no usable name';
  const detail = ip
    ? `Sentinel ${ctx.sentinel} returned the IP address ${ctx.host} for the ${ctx.role} of "${ctx.service}", and its certificate does not name that IP (it lists ${lists}).`
    : `The ${node} presented a certificate for ${lists}; ${problem.detail}`;
  return makeProblem('HOSTNAME_MISMATCH', detail, {
    title: ip
      ? `The ${ctx.role}'s certificate does not name the IP address Sentinel returned`
      : `The certificate of the ${ctx.role} named by Sentinel does not match`,
    fix: `Either set a verification name (SNI) for the data nodes in the profile${names[0] ? ` (e.g. \`${names[0]}\`)` : ''}, or make the sentinels hand out host names: \`sentinel resolve-hostnames yes\` and \`sentinel announce-hostnames yes\` on every sentinel (and monitor the primary by its host name).`,
    field: 'servername',
    facts,
  });
}
