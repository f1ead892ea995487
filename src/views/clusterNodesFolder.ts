/**
 * The "Nodes" folder of a cluster connection: each primary (slot order) with its replicas under it;
 * per node its role, address, announced name, slot ranges, TLS version, verification state and
 * certificate expiry; a failed node shows its own diagnosis in the tooltip. Server-supplied strings
 * (announced names, certificate subjects) are shown as plain text only.
 */
import * as vscode from 'vscode';
import { PlainMarkdown } from '../platform/plainMarkdown';
import type { ClusterNodeStatus, ClusterRouter } from '../core/client/cluster';
import { formatSlotRanges } from '../core/client/cluster/nodes';

export class NodesFolderNode {
  readonly kind = 'nodes';
  constructor(
    readonly connectionId: string,
    readonly router: ClusterRouter,
  ) {}
  get id(): string {
    return `c/${this.connectionId}/nodes`;
  }
}

export class ClusterNodeNode {
  readonly kind = 'clusterNode';
  constructor(
    readonly folder: NodesFolderNode,
    readonly status: ClusterNodeStatus,
  ) {}
  get id(): string {
    return `${this.folder.id}/${this.status.address}`;
  }
  /** For Inspect Certificate: where the node is, the name it is verified against, the profile's CAs. */
  get inspectRequest(): { host: string; port: number; servername: string; caPem?: string; caLabel?: string } {
    const ca = this.folder.router.options.tls.ca;
    return {
      host: this.status.info.host,
      port: this.status.info.port,
      servername: this.status.choice.verifiedName,
      ...(ca?.length
        ? { caPem: ca.map((c) => (Buffer.isBuffer(c) ? c.toString('utf8') : c)).join('\n'), caLabel: 'of this connection' }
        : {}),
    };
  }
}

export type NodesTreeNode = NodesFolderNode | ClusterNodeNode;

const DAY = 86_400_000;

/** Children of the Nodes folder (primaries) or of a primary (its replicas). */
export function nodeChildren(node: NodesTreeNode): ClusterNodeNode[] {
  const all = node.kind === 'nodes' ? node.router.nodeStatuses : node.folder.router.nodeStatuses;
  const folder = node.kind === 'nodes' ? node : node.folder;
  if (node.kind === 'nodes') return all.filter((s) => s.info.role === 'primary').map((s) => new ClusterNodeNode(folder, s));
  return all
    .filter((s) => s.info.role === 'replica' && s.primaryAddress === node.status.address)
    .map((s) => new ClusterNodeNode(folder, s));
}

function plain(): vscode.MarkdownString {
  return new PlainMarkdown();
}

export function nodesFolderItem(node: NodesFolderNode): vscode.TreeItem {
  const all = node.router.nodeStatuses;
  const failed = all.filter((s) => !s.ok).length;
  const item = new vscode.TreeItem('Nodes', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.iconPath = new vscode.ThemeIcon(
    failed ? 'warning' : 'server-environment',
    failed ? new vscode.ThemeColor('list.warningForeground') : undefined,
  );
  const primaries = all.filter((s) => s.info.role === 'primary').length;
  item.description = `${primaries} primaries, ${all.length - primaries} replicas${failed ? `, ${failed} failed` : ''}`;
  item.contextValue = 'redisTls.clusterNodes';
  const tip = plain();
  tip.appendText(
    `Every node is connected and verified on its own (${all[0]?.choice.naming ?? 'seed'} name${all[0]?.choice.naming === 'announced' ? 's' : ''}); refreshed on MOVED to an unknown node, before using a failed node, and on Refresh.`,
  );
  item.tooltip = tip;
  return item;
}

export function clusterNodeItem(node: ClusterNodeNode, now = Date.now()): vscode.TreeItem {
  const s = node.status;
  const hasReplicas = s.info.role === 'primary' && node.folder.router.nodeStatuses.some((r) => r.primaryAddress === s.address);
  const item = new vscode.TreeItem(
    `${s.info.role} ${s.address}`,
    hasReplicas ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  item.id = node.id;
  const report = s.report;
  const leaf = report?.chain[0];
  const days = leaf ? Math.floor((Date.parse(leaf.notAfter) - now) / DAY) : undefined;
  const parts: string[] = [];
  if (s.info.hostname) parts.push(s.info.hostname);
  if (s.info.slots.length) parts.push(`slots ${formatSlotRanges(s.info.slots)}`);
  if (s.ok) {
    parts.push(report?.protocol ?? 'TLS');
    parts.push(report?.authorized ? `verified as ${s.choice.verifiedName}` : 'UNVERIFIED');
    if (days !== undefined) parts.push(`expires in ${days} d`);
  } else {
    parts.push(`FAILED: ${s.problem?.code ?? 'error'}`);
  }
  item.description = parts.join(' · ');
  item.iconPath = s.ok
    ? new vscode.ThemeIcon(
        report?.authorized ? 'lock' : 'unlock',
        report?.authorized ? undefined : new vscode.ThemeColor('list.warningForeground'),
      )
    : new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  item.contextValue = s.ok ? 'redisTls.clusterNode' : 'redisTls.clusterNode.failed';
  const tip = plain();
  tip.appendText(s.info.role === 'primary' ? `Primary ${s.address}` : `Replica ${s.address} of ${s.primaryAddress ?? '?'}`);
  if (s.info.hostname) tip.appendText(`, announces ${s.info.hostname}`);
  tip.appendText(
    `\nVerified against: ${s.choice.verifiedName} (${s.choice.mapped ? 'mapping' : s.choice.naming === 'announced' ? 'announced name' : "seed's name"})`,
  );
  if (s.info.slots.length) tip.appendText(`\nSlots: ${formatSlotRanges(s.info.slots)}`);
  if (s.ok && report) {
    tip.appendText(`\n${report.protocol ?? 'TLS'} ${report.cipher ?? ''}, ${report.authorized ? 'verified' : 'NOT verified'}`);
    if (leaf) tip.appendText(`\nCertificate: ${leaf.subject}, expires ${leaf.notAfter}${days !== undefined ? ` (in ${days} days)` : ''}`);
  }
  if (s.problem) {
    tip.appendText(`\n\n${s.problem.code}: ${s.problem.title}\n\n${s.problem.detail}\n\nFix: ${s.problem.fix}`);
  }
  item.tooltip = tip;
  return item;
}
