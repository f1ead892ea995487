/**
 * Nodes of the Connections tree: connection -> database -> namespace folders -> keys, plus the
 * paging nodes. Nodes are cached by the provider so refresh events can target them.
 */
import type { Profile } from '../core/profiles/profile';
import type { Keyspace } from '../core/keys/keyspace';
import type { Folder } from '../core/keys/namespaceTree';
import type { KeyMeta } from '../core/keys/keyInfo';
import type { NodesTreeNode } from './clusterNodesFolder';

export class ConnectionNode {
  readonly kind = 'connection';
  constructor(public profile: Profile) {}
  /** What the connection commands read from a tree node. */
  get profileId(): string {
    return this.profile.id;
  }
  get id(): string {
    return `c/${this.profile.id}`;
  }
}

export class DatabaseNode {
  readonly kind = 'database';
  constructor(
    readonly connection: ConnectionNode,
    readonly index: number,
    readonly keyspace: Keyspace,
    /** Keys in the database per INFO keyspace (when read). */
    public keyCount: number | undefined,
    readonly cluster: boolean,
  ) {}
  get id(): string {
    return `${this.connection.id}/db${this.index}`;
  }
}

export class FolderNode {
  readonly kind = 'folder';
  constructor(
    readonly database: DatabaseNode,
    readonly folder: Folder,
    readonly parent: FolderNode | DatabaseNode,
  ) {}
}

export class KeyNode {
  readonly kind = 'key';
  constructor(
    readonly database: DatabaseNode,
    readonly key: Buffer,
    public meta: KeyMeta,
    /** Bytes of the key prefix its folder stands for (the label shows the rest). */
    readonly prefixLength: number,
    readonly parent: FolderNode | DatabaseNode,
  ) {}
}

/** "Load more…": the next SCAN page of the database. */
export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(readonly database: DatabaseNode) {}
}

/** "Show more…": the next children of a big folder (already scanned). */
export class ShowMoreNode {
  readonly kind = 'showMore';
  constructor(
    readonly database: DatabaseNode,
    readonly folder: Folder,
    readonly hidden: number,
    readonly parent: FolderNode | DatabaseNode,
  ) {}
}

export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly text: string,
    readonly detail?: string,
    readonly icon = 'info',
    readonly command?: { command: string; title: string; arguments?: unknown[] },
  ) {}
}

export type KeyTreeNode = ConnectionNode | DatabaseNode | FolderNode | KeyNode | LoadMoreNode | ShowMoreNode | MessageNode | NodesTreeNode;
