/**
 * Commands on the cluster "Nodes" folder: re-read the topology on request, inspect one node's
 * certificate (the chain it presents, judged against the profile's CAs and the name it is verified
 * against).
 */
import * as vscode from 'vscode';
import { isDiagnosedError } from '../core/diagnosis/problem';
import type { Logger } from '../platform/logger';
import { ClusterNodeNode, NodesFolderNode } from '../views/clusterNodesFolder';
import type { KeyTreeProvider } from '../views/connectionsView';

export function registerClusterNodeCommands(provider: KeyTreeProvider, log: Logger): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('redisTls.cluster.refreshNodes', async (node?: NodesFolderNode | ClusterNodeNode) => {
      const folder = node instanceof ClusterNodeNode ? node.folder : node;
      if (!(folder instanceof NodesFolderNode)) return;
      try {
        await folder.router.refresh();
      } catch (e) {
        log.warn(`Cluster topology refresh failed: ${isDiagnosedError(e) ? `${e.problem.code} ${e.problem.title}` : String(e)}`);
      }
      provider.refresh(folder);
    }),
    vscode.commands.registerCommand('redisTls.cluster.inspectNodeCertificate', async (node?: ClusterNodeNode) => {
      if (!(node instanceof ClusterNodeNode)) return undefined;
      return vscode.commands.executeCommand('redisTls.inspectServerCertificate', node.inspectRequest);
    }),
  ];
}
