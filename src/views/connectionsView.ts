/**
 * The Connections tree (view `redisTls.connections`): profiles, their databases, namespace folders
 * and keys. Expanding a disconnected connection connects it. Browsing sends read commands only:
 * INFO, SCAN, TYPE, PTTL (and on hover OBJECT ENCODING, MEMORY USAGE, the length command).
 */
import * as vscode from 'vscode';
import { profileOrigin } from '../core/profiles/secretBinding';
import { displayBytes, isPlainText, keyToToken } from '../core/keys/bytes';
import { Database, describeServer, type ServerShape } from '../core/keys/database';
import { formatBytes, formatTtl, fetchDetails, type KeyType } from '../core/keys/keyInfo';
import { Keyspace, type KeyspaceOptions } from '../core/keys/keyspace';
import { ClusterRouter } from '../core/client/cluster';
import { ClusterScanPager } from '../core/keys/clusterScan';
import type { Folder } from '../core/keys/namespaceTree';
import type { ScanFilter } from '../core/keys/scanPager';
import { count } from '../core/keys/format';
import { DEFAULT_DELIMITER, isReadOnlyProfile, type Profile } from '../core/profiles/profile';
import { isDiagnosedError } from '../core/diagnosis/problem';
import type { ActiveSession, ProfileStoreApi, SessionManagerApi } from '../platform/contracts';
import type { Config } from '../platform/config';
import type { Logger } from '../platform/logger';
import { PlainMarkdown } from '../platform/plainMarkdown';
import { clusterNodeItem, nodeChildren, nodesFolderItem, NodesFolderNode } from './clusterNodesFolder';
import { GroupNode } from './groupNode';
import { ConnectionNode, DatabaseNode, FolderNode, KeyNode, LoadMoreNode, MessageNode, ShowMoreNode, type KeyTreeNode } from './keyNodes';

/** Every row of the Connections view: group folders above the connection rows and what they hold. */
export type ConnectionsTreeNode = KeyTreeNode | GroupNode;

/** globalState key: the group folders the user collapsed (groups start expanded). */
const COLLAPSED_GROUPS_KEY = 'redisTls.connections.collapsedGroups';

/** The colour of a production connection's icon (and nothing else uses it in the tree). */
export const PRODUCTION_COLOR = 'charts.orange';

const TYPE_ICONS: Record<KeyType, [string, string | undefined]> = {
  string: ['symbol-string', 'charts.blue'],
  hash: ['symbol-object', 'charts.purple'],
  list: ['list-ordered', 'charts.green'],
  set: ['symbol-array', 'charts.orange'],
  zset: ['symbol-number', 'charts.yellow'],
  stream: ['pulse', 'charts.red'],
  'ReJSON-RL': ['json', 'charts.green'],
  none: ['circle-slash', undefined],
  unknown: ['question', undefined],
};

export function typeIcon(type: KeyType): vscode.ThemeIcon {
  const [id, color] = TYPE_ICONS[type];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

/** A server-supplied string as Markdown text (no links, no HTML, no command URIs; spaces stay breakable). */
function md(): vscode.MarkdownString {
  return new PlainMarkdown();
}

function errorText(e: unknown): string {
  if (isDiagnosedError(e)) return e.problem.title;
  if (e instanceof Error) return e.message;
  return String(e);
}

const ROOT = Symbol('root');

/** "production · read-only", "read-only", "production" (writes allowed) or nothing. */
export function accessBadge(profile: Profile): string {
  const readOnly = isReadOnlyProfile(profile);
  if (profile.production) return readOnly ? 'PRODUCTION · read-only' : 'PRODUCTION';
  return readOnly ? 'read-only' : '';
}

/** Items of read-only profiles: the menus' write actions match only items without this suffix. */
function readOnlySuffix(db: DatabaseNode): string {
  return isReadOnlyProfile(db.connection.profile) ? '.readonly' : '';
}

interface Browsing {
  client: unknown;
  shape: ServerShape | undefined;
  /** Keys per database (INFO keyspace; the cluster's count): read on the first expansion and by the reloads. */
  counts: Map<number, number | undefined> | undefined;
  databases: Map<number, DatabaseNode>;
}

/**
 * How often the TTLs of the keys on screen are read again (PTTL, pipelined) and expired keys dropped:
 * only while the Connections view is visible, only the keys of expanded databases and folders.
 */
export const TTL_REFRESH_MS = 10_000;
/**
 * The command a clickable row (a key, "Load more…", "Show … more…", Retry) runs when clicked; it reads
 * the row from the view's selection (commands/keys.ts).
 */
export const OPEN_SELECTED = 'redisTls.keys.openSelected';

export class KeyTreeProvider implements vscode.TreeDataProvider<ConnectionsTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ConnectionsTreeNode | undefined | void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly served = new vscode.EventEmitter<void>();
  /** Fires after each getChildren answered (the workbench registers the rows it returned right after). */
  readonly onDidServeChildren = this.served.event;
  private readonly connections = new Map<string, ConnectionNode>();
  private readonly groups = new Map<string, GroupNode>();
  /** Group folders the user collapsed; persisted by `trackGroupExpansion`. */
  private collapsedGroups = new Set<string>();
  private readonly browsing = new Map<string, Browsing>();
  private readonly folderNodes = new WeakMap<Folder, FolderNode>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The filters of a connection's databases, kept while it is not connected (Retry and reconnects keep them). */
  private readonly keptFilters = new Map<string, Map<number, ScanFilter>>();
  /** The failure last shown under a connection: expanding it again retries. */
  private readonly shownFailure = new Map<string, unknown>();
  /** Databases and folders the user expanded (what is on screen): the reloads and the TTL refresh read only these. */
  /** By node id (a reconnect makes new nodes with the same ids; the workbench keeps them expanded). */
  private readonly expandedDbs = new Set<string>();
  private readonly expandedFolders = new Map<string, { dbId: string; segments: Buffer[] }>();
  private ttlTimer: ReturnType<typeof setInterval> | undefined;
  private ttlRunning: Promise<number> | undefined;

  constructor(
    private readonly profiles: ProfileStoreApi,
    private readonly sessions: SessionManagerApi,
    private readonly log: Logger,
    private readonly config: Config,
  ) {
    this.subscriptions.push(
      profiles.onDidChange(() => this.refresh()),
      sessions.onDidChangeState((id) => {
        const node = this.connections.get(id);
        const state = sessions.state(id);
        if (state.kind !== 'connected') this.dropBrowsing(id);
        // "Connecting…" is shown as the connection's child; the outcome refreshes the node.
        if (state.kind !== 'connecting') this.refresh(node);
      }),
      config.onDidChange(['scanPageSize', 'treePageSize'], () => {
        const s = config.browser;
        for (const b of this.browsing.values())
          for (const db of b.databases.values()) db.keyspace.reset({ scanPageSize: s.scanPageSize, childPageSize: s.treePageSize });
        this.refresh();
      }),
    );
  }

  /**
   * Refreshing a node while its children are being fetched makes VS Code fetch them twice and then
   * reject the second set ("Element with id … is already registered"): such refreshes wait.
   */
  refresh(node?: ConnectionsTreeNode): void {
    const busy = node ? this.loading.has(node) : this.loading.size > 0;
    if (busy) {
      this.deferred.add(node ?? ROOT);
      return;
    }
    this.emitter.fire(node);
  }

  private readonly loading = new Map<ConnectionsTreeNode | typeof ROOT, number>();
  private readonly deferred = new Set<ConnectionsTreeNode | typeof ROOT>();

  /**
   * Remembers which group folders the user collapses in `view` (globalState, so it survives a
   * reload) and shows them that way on the next render.
   */
  trackGroupExpansion(
    view: Pick<vscode.TreeView<unknown>, 'onDidExpandElement' | 'onDidCollapseElement'>,
    state: vscode.Memento,
  ): vscode.Disposable {
    this.collapsedGroups = new Set(state.get<string[]>(COLLAPSED_GROUPS_KEY, []));
    const save = (name: string, collapsed: boolean): void => {
      if (collapsed === this.collapsedGroups.has(name)) return;
      if (collapsed) this.collapsedGroups.add(name);
      else this.collapsedGroups.delete(name);
      void state.update(COLLAPSED_GROUPS_KEY, [...this.collapsedGroups]);
    };
    const subscriptions = [
      view.onDidExpandElement((e) => {
        if (e.element instanceof GroupNode) save(e.element.name, false);
      }),
      view.onDidCollapseElement((e) => {
        if (e.element instanceof GroupNode) save(e.element.name, true);
      }),
    ];
    this.refresh();
    return new vscode.Disposable(() => subscriptions.forEach((d) => d.dispose()));
  }

  // ---- structure -----------------------------------------------------------------------------

  async getChildren(node?: ConnectionsTreeNode): Promise<ConnectionsTreeNode[]> {
    const key = node ?? ROOT;
    this.loading.set(key, (this.loading.get(key) ?? 0) + 1);
    try {
      return await this.fetchChildren(node);
    } finally {
      const left = (this.loading.get(key) ?? 1) - 1;
      if (left > 0) this.loading.set(key, left);
      else this.loading.delete(key);
      // After the workbench's own handling of the answer (it registers the rows in the same turn).
      setImmediate(() => this.served.fire());
      if (this.loading.size === 0 && this.deferred.size > 0) {
        const pending = [...this.deferred];
        this.deferred.clear();
        // Not at once: a refresh that reaches the workbench before it applied the children just
        // returned is lost (the children stay, unregistered, and cannot be expanded).
        setTimeout(() => {
          if (pending.includes(ROOT)) this.refresh();
          else for (const n of pending) this.refresh(n as ConnectionsTreeNode);
        }, 150);
      }
    }
  }

  private async fetchChildren(node?: ConnectionsTreeNode): Promise<ConnectionsTreeNode[]> {
    try {
      if (!node) return this.rootNodes();
      switch (node.kind) {
        case 'group':
          return this.connectionNodes().filter((c) => c.profile.group === node.name);
        case 'connection':
          return await this.databaseNodes(node);
        case 'database':
          return await this.folderChildren(node, node.keyspace.tree.root, node);
        case 'folder':
          return await this.folderChildren(node.database, node.folder, node);
        case 'nodes':
        case 'clusterNode':
          return nodeChildren(node);
        default:
          return [];
      }
    } catch (e) {
      this.log.warn(`Key browser: ${errorText(e)}`);
      return [new MessageNode(errorText(e), isDiagnosedError(e) ? `${e.problem.detail}\n\n${e.problem.fix}` : undefined, 'error')];
    }
  }

  getParent(node: ConnectionsTreeNode): ConnectionsTreeNode | undefined {
    switch (node.kind) {
      case 'connection':
        return node.profile.group ? this.groupNode(node.profile.group) : undefined;
      case 'database':
        return node.connection;
      case 'folder':
      case 'key':
      case 'showMore':
        return node.parent;
      case 'loadMore':
        return node.database;
      case 'nodes':
        return this.connections.get(node.connectionId);
      case 'clusterNode':
        return node.folder;
      default:
        return undefined;
    }
  }

  /** Group folders (by name) first, then the connections without a group, in the store's order. */
  private rootNodes(): ConnectionsTreeNode[] {
    const all = this.connectionNodes();
    const names = [...new Set(all.map((c) => c.profile.group).filter((g): g is string => !!g))].sort((x, y) => x.localeCompare(y));
    for (const name of [...this.groups.keys()]) if (!names.includes(name)) this.groups.delete(name);
    return [...names.map((n) => this.groupNode(n)), ...all.filter((c) => !c.profile.group)];
  }

  private groupNode(name: string): GroupNode {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = new GroupNode(name)));
    return g;
  }

  /** The connection rows of every profile (cached, so refreshes can target them). */
  private connectionNodes(): ConnectionNode[] {
    const seen = new Set<string>();
    const out: ConnectionNode[] = [];
    for (const profile of this.profiles.list()) {
      seen.add(profile.id);
      let node = this.connections.get(profile.id);
      if (!node) {
        node = new ConnectionNode(profile);
        this.connections.set(profile.id, node);
      } else {
        node.profile = profile;
      }
      out.push(node);
    }
    for (const id of [...this.connections.keys()])
      if (!seen.has(id)) {
        this.connections.delete(id);
        this.browsing.delete(id);
      }
    return out;
  }

  connectionNode(profileId: string): ConnectionNode | undefined {
    // A profile added since the last render has no row yet: build the rows again.
    return this.connections.get(profileId) ?? (this.connectionNodes(), this.connections.get(profileId));
  }

  /** The live session of a profile, connecting when needed. */
  async session(profileId: string): Promise<ActiveSession> {
    return this.sessions.session(profileId) ?? (await this.sessions.connect(profileId));
  }

  private async databaseNodes(node: ConnectionNode): Promise<KeyTreeNode[]> {
    const id = node.profile.id;
    const session = this.sessions.session(id);
    if (!session) {
      // Expanding connects; the state change refreshes this node. Never wait here: a refresh of a node
      // whose children are being fetched confuses the workbench.
      const state = this.sessions.state(id);
      if (state.kind === 'failed' && (state.reconnectAt !== undefined || this.shownFailure.get(id) !== state.problem)) {
        this.shownFailure.set(id, state.problem);
        const out = [new MessageNode(state.problem.title, `${state.problem.detail}\n\n${state.problem.fix}`, 'error')];
        if (state.reconnectAt !== undefined)
          out.push(
            new MessageNode(
              `Reconnecting automatically (attempt ${state.attempt ?? 1})…`,
              `Next attempt at ${new Date(state.reconnectAt).toLocaleTimeString()}; the delay doubles after each failure (at most 30 s).`,
              'sync',
            ),
          );
        out.push(new MessageNode('Retry', undefined, 'refresh', { command: 'redisTls.connect', title: 'Connect', arguments: [id] }));
        return out;
      }
      this.sessions.connect(id).catch((e: unknown) => this.log.warn(`${node.profile.name}: ${errorText(e)}`));
      return [new MessageNode('Connecting…', undefined, 'loading~spin')];
    }
    this.shownFailure.delete(id);
    let b = this.browsing.get(node.profile.id);
    if (!b || b.client !== session.client) {
      b = { client: session.client, shape: undefined, counts: undefined, databases: new Map() };
      this.browsing.set(node.profile.id, b);
    }
    const home = node.profile.db ?? 0;
    b.counts ??= await this.readCounts(node, session, b);
    const wanted = b.counts;
    const cluster = b.shape?.cluster ?? false;
    const settings = this.config.browser;
    const out: KeyTreeNode[] = session.client instanceof ClusterRouter ? [this.nodesFolder(id, session.client)] : [];
    for (const [index, keys] of [...wanted].sort((x, y) => x[0] - y[0])) {
      let db = b.databases.get(index);
      if (!db) {
        const filter = this.keptFilters.get(id)?.get(index);
        const keyspace = new Keyspace(new Database(session.client, index, cluster ? 0 : home), {
          ...(filter ? { filter } : {}),
          delimiter: node.profile.delimiter ?? DEFAULT_DELIMITER,
          scanPageSize: settings.scanPageSize,
          childPageSize: settings.treePageSize,
        });
        db = new DatabaseNode(node, index, keyspace, keys, cluster);
        b.databases.set(index, db);
      }
      this.keptFilters.get(id)?.delete(index);
      db.keyCount = keys;
      out.push(db);
    }
    return out;
  }

  /** Key counts per database to show: INFO keyspace (every master's count in a cluster). */
  private async readCounts(node: ConnectionNode, session: ActiveSession, b: Browsing): Promise<Map<number, number | undefined>> {
    const home = node.profile.db ?? 0;
    const shape = await describeServer(session.client, home);
    b.shape = shape;
    const wanted = new Map<number, number | undefined>();
    if (shape.cluster) {
      // With a cluster session every master is browsed: count them all.
      wanted.set(
        0,
        session.client instanceof ClusterRouter ? await session.client.keyCount() : (shape.databases.find((d) => d.index === 0)?.keys ?? 0),
      );
    } else {
      for (const d of shape.databases) wanted.set(d.index, d.keys);
      if (!wanted.has(home)) wanted.set(home, 0);
    }
    return wanted;
  }

  private readonly nodesFolders = new WeakMap<ClusterRouter, NodesFolderNode>();

  /** The cluster's "Nodes" folder (one per router, so refreshes can target it). */
  nodesFolder(profileId: string, router: ClusterRouter): NodesFolderNode {
    let f = this.nodesFolders.get(router);
    if (!f) this.nodesFolders.set(router, (f = new NodesFolderNode(profileId, router)));
    return f;
  }

  /** Forgets a connection's browsing state except its filters, which the next session starts with. */
  private dropBrowsing(profileId: string): void {
    const b = this.browsing.get(profileId);
    if (!b) return;
    this.browsing.delete(profileId);
    const filters = new Map<number, ScanFilter>();
    for (const [index, db] of b.databases) if (db.keyspace.filter.match || db.keyspace.filter.type) filters.set(index, db.keyspace.filter);
    if (filters.size > 0) this.keptFilters.set(profileId, filters);
  }

  /** Starts every database over (the title bar's Refresh). */
  resetAll(): void {
    for (const b of this.browsing.values()) for (const db of b.databases.values()) db.keyspace.reset();
  }

  /** Re-reads a connection's databases on the next expansion. */
  forgetConnection(profileId: string): void {
    this.browsing.delete(profileId);
  }

  databaseNode(profileId: string, index: number): DatabaseNode | undefined {
    return this.browsing.get(profileId)?.databases.get(index);
  }

  private folderNode(database: DatabaseNode, folder: Folder, parent: FolderNode | DatabaseNode): FolderNode {
    let node = this.folderNodes.get(folder);
    if (!node) {
      node = new FolderNode(database, folder, parent);
      this.folderNodes.set(folder, node);
    }
    return node;
  }

  private async folderChildren(database: DatabaseNode, folder: Folder, parent: FolderNode | DatabaseNode): Promise<KeyTreeNode[]> {
    const keyspace = database.keyspace;
    await keyspace.ensureStarted();
    const page = await keyspace.children(folder);
    const prefixLength = keyspace.tree.prefixOf(folder).length;
    const out: KeyTreeNode[] = page.entries.map((e) =>
      e.kind === 'folder' ? this.folderNode(database, e.folder, parent) : new KeyNode(database, e.key, e.meta, prefixLength, parent),
    );
    if (page.hidden > 0) out.push(new ShowMoreNode(database, folder, page.hidden, parent));
    if (folder.isRoot) {
      if (!page.scanDone) out.push(new LoadMoreNode(database));
      if (out.length === 0) {
        const filtered = !!(keyspace.filter.match || keyspace.filter.type);
        out.push(
          new MessageNode(
            filtered ? 'No keys match the filter' : 'No keys',
            undefined,
            'info',
            filtered ? { command: 'redisTls.keys.clearFilter', title: 'Clear Filter', arguments: [database] } : undefined,
          ),
        );
      }
    }
    return out;
  }

  // ---- presentation --------------------------------------------------------------------------

  getTreeItem(node: ConnectionsTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group':
        return this.groupItem(node);
      case 'connection':
        return this.connectionItem(node);
      case 'database':
        return this.databaseItem(node);
      case 'nodes':
        return nodesFolderItem(node);
      case 'clusterNode':
        return clusterNodeItem(node);
      case 'folder':
        return this.folderItem(node);
      case 'key':
        return this.keyItem(node);
      case 'loadMore': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = `${node.database.id}/load-more`;
        const ks = node.database.keyspace;
        item.description = `${count(ks.tree.root.total)} keys loaded`;
        item.tooltip = `Scan the next ${count(ks.settings.scanPageSize)} keys (setting redisTls.scanPageSize). "Load All" scans to the end.`;
        item.iconPath = new vscode.ThemeIcon('more');
        item.contextValue = 'redisLoadMore';
        item.command = { command: OPEN_SELECTED, title: 'Load More' };
        return item;
      }
      case 'showMore': {
        const size = node.database.keyspace.settings.childPageSize;
        const item = new vscode.TreeItem(`Show ${count(Math.min(size, node.hidden))} more…`, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.database.id}/show-more/${keyToToken(node.database.keyspace.tree.prefixOf(node.folder))}`;
        item.description = `${count(node.hidden)} not shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'redisShowMore';
        item.command = { command: OPEN_SELECTED, title: 'Show More' };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        if (node.detail) item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'redisMessage';
        // Its command runs through the selection too (Retry, Clear Filter: see OPEN_SELECTED).
        if (node.command) item.command = { command: OPEN_SELECTED, title: node.command.title };
        return item;
      }
    }
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      node.name,
      this.collapsedGroups.has(node.name) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = node.id;
    const members = this.profiles.list().filter((p) => p.group === node.name);
    const production = members.filter((p) => p.production).length;
    item.description = `${members.length} connection${members.length === 1 ? '' : 's'}${production ? ` · ${production} production` : ''}`;
    item.iconPath = new vscode.ThemeIcon('folder-library');
    item.tooltip = md().appendText(`Group "${node.name}" (the profiles' group field)`);
    item.contextValue = 'redisConnectionGroup';
    return item;
  }

  private connectionItem(node: ConnectionNode): vscode.TreeItem {
    const p = node.profile;
    const state = this.sessions.state(p.id);
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const where = `${p.host}:${p.port}`;
    const tip = md();
    tip.appendMarkdown('**').appendText(p.name).appendMarkdown('**  \n').appendText(where);
    if (p.servername) tip.appendText(` (server name ${p.servername})`);
    // Workspace profiles come from a file anyone with commit access writes: say so everywhere.
    const origin = profileOrigin(p);
    if (origin) tip.appendMarkdown('  \n').appendText(`Workspace profile ${origin}`);
    tip.appendMarkdown('\n\n');
    switch (state.kind) {
      case 'connected': {
        const tls = p.tls ? (state.protocol ?? 'TLS') : 'no TLS';
        item.description = `${where} · ${state.verified ? `${tls} verified` : `${tls} UNVERIFIED`}${state.via ? ` · ${state.via}` : ''}`;
        if (state.via) tip.appendText(`${state.via}.`).appendMarkdown('  \n');
        item.iconPath = state.verified
          ? new vscode.ThemeIcon('lock', new vscode.ThemeColor('testing.iconPassed'))
          : new vscode.ThemeIcon('unlock', new vscode.ThemeColor('list.warningForeground'));
        tip.appendText(
          state.verified
            ? `Connected, verified (${tls}${state.cipher ? `, ${state.cipher}` : ''}).`
            : p.tls
              ? `Connected, but the server certificate is NOT verified (${tls}).`
              : 'Connected without TLS: traffic is not encrypted.',
        );
        if (state.nearestExpiry)
          tip.appendMarkdown('  \n').appendText(`Nearest certificate expiry: ${state.nearestExpiry.toISOString().slice(0, 10)}`);
        break;
      }
      case 'failed':
        item.description = `${where} · ${state.reconnectAt !== undefined ? 'lost, reconnecting…' : 'failed'}`;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
        tip
          .appendMarkdown('**Connection failed:** ')
          .appendText(`${state.problem.title} (${state.problem.code})`)
          .appendMarkdown('\n\n')
          .appendText(state.problem.detail)
          .appendMarkdown('\n\n**Fix:** ')
          .appendText(state.problem.fix);
        if (state.reconnectAt !== undefined)
          tip
            .appendMarkdown('\n\n')
            .appendText(
              `Reconnecting automatically (attempt ${state.attempt ?? 1}, next at ${new Date(state.reconnectAt).toLocaleTimeString()}).`,
            );
        break;
      case 'connecting':
        item.description = `${where} · connecting…`;
        item.iconPath = new vscode.ThemeIcon('loading~spin');
        tip.appendText('Connecting…');
        break;
      default:
        item.description = where;
        item.iconPath = new vscode.ThemeIcon(p.tls && p.verify !== 'insecure' ? 'shield' : 'unlock');
        tip.appendText(
          p.tls
            ? p.verify === 'insecure'
              ? 'TLS without verification (insecure profile). Expand to connect.'
              : 'TLS, verified on connect. Expand to connect.'
            : 'No TLS. Expand to connect.',
        );
    }
    const access = accessBadge(p);
    if (access) {
      item.description = `${access} · ${String(item.description ?? '')}`;
      tip
        .appendMarkdown('\n\n')
        .appendText(p.production ? 'Production profile: ' : '')
        .appendText(
          isReadOnlyProfile(p)
            ? 'read-only — every command that is not a read is refused before it is sent.'
            : 'writes allowed (readOnly is off).',
        );
    }
    // Production: a colour of its own on the icon (a failure keeps its error colour).
    if (p.production && state.kind !== 'failed' && item.iconPath instanceof vscode.ThemeIcon)
      item.iconPath = new vscode.ThemeIcon(item.iconPath.id, new vscode.ThemeColor(PRODUCTION_COLOR));
    if (origin) item.description = `${String(item.description ?? '')} · workspace${p.workspaceFolder ? ` (${p.workspaceFolder})` : ''}`;
    item.tooltip = tip;
    // The connection commands (connection manager) match viewItem =~ /profile/.
    item.contextValue = `profile.${state.kind}${p.source === 'workspace' ? '.workspace' : ''}`;
    return item;
  }

  private databaseItem(node: DatabaseNode): vscode.TreeItem {
    const label = node.cluster ? 'keyspace' : `db${node.index}`;
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = node.id;
    const ks = node.keyspace;
    const parts: string[] = [];
    if (node.keyCount !== undefined) parts.push(`${count(node.keyCount)} keys`);
    const filter = describeFilter(ks.filter);
    if (filter) parts.push(`filter ${filter}`);
    if (ks.pager.hasStarted && !ks.pager.done) parts.push(`${count(ks.tree.root.total)} loaded`);
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(filter ? 'filter' : 'database');
    const tip = md();
    const masters = ks.pager instanceof ClusterScanPager ? ks.pager.pagers.length : 0;
    tip.appendText(
      node.cluster
        ? `Cluster mode: one keyspace (database 0), ${masters > 0 ? `scanned on all ${masters} masters` : 'scanned on the connected node only'}.`
        : `Database ${node.index}`,
    );
    if (filter) tip.appendMarkdown('  \n').appendText(`Filter: ${filter}`);
    item.tooltip = tip;
    item.contextValue = (filter ? 'redisDatabase.filtered' : 'redisDatabase') + readOnlySuffix(node);
    return item;
  }

  private folderItem(node: FolderNode): vscode.TreeItem {
    const f = node.folder;
    const name = f.segment.length === 0 ? '(empty)' : displayBytes(f.segmentBytes());
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
    const tree = node.database.keyspace.tree;
    item.id = `${node.database.id}/f/${keyToToken(tree.prefixOf(f))}`;
    item.description = `${count(f.total)}${node.database.keyspace.pager.done ? '' : '+'}`;
    item.iconPath = new vscode.ThemeIcon('folder');
    const tip = md();
    tip
      .appendText(`${displayBytes(tree.prefixOf(f))}*`)
      .appendMarkdown('  \n')
      .appendText(`${count(f.total)} keys loaded${node.database.keyspace.pager.done ? '' : ' so far (scan not finished)'}`);
    item.tooltip = tip;
    item.contextValue = 'redisFolder' + readOnlySuffix(node.database);
    return item;
  }

  private keyItem(node: KeyNode): vscode.TreeItem {
    const full = node.key;
    const label = displayBytes(full.subarray(node.prefixLength));
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.database.id}/k/${keyToToken(full)}`;
    if (node.meta.pttl >= 0) item.description = `TTL ${formatTtl(node.meta.pttl)}`;
    item.iconPath = typeIcon(node.meta.type);
    item.contextValue = (node.meta.pttl >= 0 ? 'redisKey.ttl' : 'redisKey') + readOnlySuffix(node.database);
    // No arguments: VS Code keeps a row's command arguments only until it asks for the row's
    // siblings again, so a click that lands during a refresh found them gone ("Actual command not
    // found"). The command reads the clicked row from the selection, by the row's stable id.
    item.command = { command: OPEN_SELECTED, title: 'Open Value' };
    item.accessibilityInformation = {
      label: `${label}, ${node.meta.type}${node.meta.pttl >= 0 ? `, TTL ${formatTtl(node.meta.pttl)}` : ''}`,
    };
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, node: ConnectionsTreeNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'key') return item;
    const tip = md();
    tip.appendMarkdown('**').appendText(displayBytes(node.key)).appendMarkdown('**');
    if (!isPlainText(node.key))
      tip.appendMarkdown('  \n').appendText('The name holds bytes that are not plain text: shown escaped (\\xNN) like redis-cli.');
    try {
      const d = await fetchDetails(node.database.keyspace.db, node.key);
      node.meta = { type: d.type, pttl: d.pttl };
      tip.appendMarkdown('\n\n').appendText(`Type: ${d.type}`);
      tip.appendMarkdown('  \n').appendText(`TTL: ${formatTtl(d.pttl)}`);
      if (d.encoding) tip.appendMarkdown('  \n').appendText(`Encoding: ${d.encoding}`);
      if (d.memoryBytes !== undefined) tip.appendMarkdown('  \n').appendText(`Memory usage: ${formatBytes(d.memoryBytes)}`);
      if (d.length !== undefined)
        tip.appendMarkdown('  \n').appendText(d.type === 'string' ? `Length: ${count(d.length)} bytes` : `Elements: ${count(d.length)}`);
    } catch (e) {
      tip.appendMarkdown('\n\n').appendText(`Details unavailable: ${errorText(e)}`);
    }
    item.tooltip = tip;
    return item;
  }

  // ---- what is on screen; reloads that keep the rows valid until the new data is there -------

  /** Follows the view: expansions (what the reloads and the TTL refresh read) and visibility (the TTL timer). */
  attachView(view: vscode.TreeView<ConnectionsTreeNode>): void {
    this.subscriptions.push(
      view.onDidExpandElement((e) => this.setExpanded(e.element, true)),
      view.onDidCollapseElement((e) => this.setExpanded(e.element, false)),
      view.onDidChangeVisibility((e) => this.ttlTimerOn(e.visible)),
    );
    this.ttlTimerOn(view.visible);
  }

  setExpanded(node: ConnectionsTreeNode, expanded: boolean): void {
    if (node.kind === 'database') {
      if (expanded) this.expandedDbs.add(node.id);
      else this.expandedDbs.delete(node.id);
    } else if (node.kind === 'folder') {
      const id = this.folderId(node);
      if (expanded) this.expandedFolders.set(id, { dbId: node.database.id, segments: node.folder.path().map((f) => f.segmentBytes()) });
      else this.expandedFolders.delete(id);
    }
  }

  private folderId(node: FolderNode): string {
    return `${node.database.id}/f/${keyToToken(node.database.keyspace.tree.prefixOf(node.folder))}`;
  }

  private ttlTimerOn(on: boolean): void {
    if (on && !this.ttlTimer) {
      this.ttlTimer = setInterval(
        () => void this.refreshTtls().catch((e: unknown) => this.log.warn(`TTL refresh: ${errorText(e)}`)),
        TTL_REFRESH_MS,
      );
    } else if (!on && this.ttlTimer) {
      clearInterval(this.ttlTimer);
      this.ttlTimer = undefined;
    }
  }

  /** Segments of the expanded folders of a database. */
  private expandedOf(db: DatabaseNode): Buffer[][] {
    const out: Buffer[][] = [];
    for (const f of this.expandedFolders.values()) if (f.dbId === db.id) out.push(f.segments);
    return out;
  }

  /**
   * Reads the keys on screen of a database again (the first page, the type/TTL of the rows of its
   * expanded folders) and only then tells the view. While the server is slow the rows shown stay
   * valid: VS Code drops the commands of a row's children as soon as it asks for new children, so
   * a click on a key during a Refresh would find no command ("Actual command not found").
   */
  async reloadDatabase(db: DatabaseNode, changes?: Partial<KeyspaceOptions>): Promise<void> {
    if (!db.keyspace.pager.hasStarted && !changes) {
      this.refresh(db);
      return;
    }
    await db.keyspace.reload(this.expandedOf(db), undefined, changes);
  }

  /** Re-reads a connection's key counts and every database it shows, then refreshes its row. */
  async reloadConnection(profileId: string): Promise<void> {
    const node = this.connections.get(profileId);
    const b = this.browsing.get(profileId);
    const session = this.sessions.session(profileId);
    if (node && b && session && b.client === session.client) {
      try {
        b.counts = await this.readCounts(node, session, b);
        for (const db of b.databases.values()) {
          db.keyCount = b.counts.get(db.index) ?? db.keyCount;
          if (db.keyspace.pager.hasStarted) await db.keyspace.reload(this.expandedOf(db));
        }
      } catch (e) {
        // The rows show the failure on the next read: start that database over.
        this.log.warn(`Refresh of ${node.profile.name}: ${errorText(e)}`);
        b.counts = undefined;
        for (const db of b.databases.values()) db.keyspace.reset();
      }
    } else this.forgetConnection(profileId);
    this.refresh(node);
  }

  /** The title bar's Refresh: every connection re-read before the view is told. */
  async reloadAll(): Promise<void> {
    await Promise.all([...this.browsing.keys()].map((id) => this.reloadConnection(id)));
    this.refresh();
  }

  /**
   * Reads the TTLs of the keys on screen again (one pipeline per database): expired keys leave the
   * tree, their database's count follows. Returns how many keys were dropped. Runs every
   * TTL_REFRESH_MS while the view is visible; tests call it directly.
   */
  refreshTtls(): Promise<number> {
    this.ttlRunning ??= this.readTtls().finally(() => (this.ttlRunning = undefined));
    return this.ttlRunning;
  }

  private async readTtls(): Promise<number> {
    let dropped = 0;
    for (const b of [...this.browsing.values()])
      for (const db of [...b.databases.values()]) if (this.expandedDbs.has(db.id)) dropped += await this.readTtlsOf(b, db);
    return dropped;
  }

  /** One database's keys on screen: PTTL again, expired keys (and folders left empty) dropped. */
  private async readTtlsOf(b: Browsing, db: DatabaseNode): Promise<number> {
    const ks = db.keyspace;
    if (!ks.pager.hasStarted) return 0;
    const tree = ks.tree;
    const folders = [tree.root, ...this.expandedOf(db).map((s) => tree.find(s))].filter((f): f is Folder => !!f);
    const keys = new Map<string, Buffer>();
    for (const f of folders) for (const k of ks.shownKeys(f)) keys.set(k.toString('latin1'), k);
    const { removed, changed } = await ks.refreshTtls([...keys.values()]);
    // A folder whose last key expired goes too (deepest first: its parent may follow).
    if (ks.tree === tree)
      for (const f of folders.sort((x, y) => y.path().length - x.path().length))
        if (!f.isRoot && f.total <= 0 && f.parent?.children().includes(f)) tree.removeFolder(f);
    if (removed.length > 0) {
      if (db.keyCount !== undefined) db.keyCount = Math.max(0, db.keyCount - removed.length);
      b.counts?.set(db.index, db.keyCount);
      this.refresh(db.connection);
    } else if (changed) {
      this.refresh(db);
    }
    return removed.length;
  }

  dispose(): void {
    this.ttlTimerOn(false);
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
    this.served.dispose();
  }
}

export function describeFilter(filter: ScanFilter): string {
  const parts: string[] = [];
  if (filter.match && filter.match.length > 0) parts.push(typeof filter.match === 'string' ? filter.match : displayBytes(filter.match));
  if (filter.type) parts.push(`type ${filter.type}`);
  return parts.join(', ');
}
