// e2e: the cluster "Nodes" folder in the real workbench against a lab TLS cluster (3 primaries + 3
// replicas, one certificate and announced host name per node; one replica serves a certificate for
// `*.other.cluster.lab`): the profile verifies each node against the name it announces, so that
// replica is shown failed with its own diagnosis in the tooltip (e2e-cluster-nodes.png) while the
// other nodes are verified.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLab } from '../lab/certs';
import { startClusterLab, type ClusterLab } from '../lab/clusterLab';
import {
  captureFailures,
  expandRow,
  openRedisTlsView,
  treeRow,
  openWorkbench,
  screenshot,
  waitForIdle,
  Workbench,
  widenSideBar,
} from './harness';

const TIMEOUT = 30_000;

describe('cluster nodes folder (e2e)', function () {
  this.timeout(240_000);
  let wb: Workbench | undefined;
  let cluster: ClusterLab | undefined;

  before(async () => {
    const lab = await getLab();
    cluster = await startClusterLab({ naming: 'per-node', replicas: true, wildcardNode: 4 });
    const workspace = mkdtempSync(join(tmpdir(), 'rte-e2e-cluster-'));
    mkdirSync(join(workspace, '.vscode'));
    writeFileSync(
      join(workspace, '.vscode', 'redis-tls.json'),
      JSON.stringify(
        {
          profiles: [
            {
              name: 'Lab Cluster',
              host: '127.0.0.1',
              port: cluster.nodes[0]!.port,
              servername: 'node-0.cluster.lab',
              caFile: lab.rootCa.certPath,
              clusterNaming: 'announced',
            },
          ],
        },
        null,
        2,
      ),
    );
    wb = await openWorkbench({ workspace, viewport: { width: 1500, height: 900 } });
  });

  after(async () => {
    await wb?.close();
    await cluster?.stop();
  });

  captureFailures('e2e-cluster-nodes', () => wb);

  it('shows every node with its role, name, slots and TLS state; the failed replica has its diagnosis in the tooltip (e2e-cluster-nodes.png)', async () => {
    assert.ok(wb && cluster);
    const { page } = wb;
    await openRedisTlsView(page);
    await widenSideBar(page, 420);
    await expandRow(page, 'Lab Cluster');
    await expandRow(page, 'Nodes');
    const bad = cluster.nodes[4]!;
    const badRow = treeRow(page, `replica 127.0.0.1:${bad.port}`);
    await badRow.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(await badRow.innerText(), /FAILED: HOSTNAME_MISMATCH/);
    const good = treeRow(page, `primary 127.0.0.1:${cluster.nodes[1]!.port}`);
    assert.match(await good.innerText(), /node-1\.cluster\.lab · slots 5461-10922 · TLSv1\.3 · verified as node-1\.cluster\.lab/);
    assert.match(await treeRow(page, 'Nodes').innerText(), /3 primaries, 3 replicas, 1 failed/);
    await waitForIdle(page);
    await badRow.hover();
    const hover = page.locator('.monaco-hover', { hasText: 'presented a certificate for' });
    await hover.waitFor({ state: 'visible', timeout: TIMEOUT });
    assert.match(
      (await hover.innerText()).replace(/\s+/g, ' '),
      new RegExp(
        `node 127\\.0\\.0\\.1:${bad.port} \\(replica of 127\\.0\\.0\\.1:${cluster.nodes[1]!.port}\\) presented a certificate for \`?\\*\\.other\\.cluster\\.lab`,
      ),
    );
    const file = await screenshot(page, 'e2e-cluster-nodes');
    assert.ok(existsSync(file) && statSync(file).size > 10_000, `screenshot ${file} missing or empty`);
  });
});
