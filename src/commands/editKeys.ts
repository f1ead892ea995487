/**
 * Key commands that create or move keys: New Key (on a database or a folder, its prefix filled in),
 * Rename Key (never over an existing key unless the user confirms), Duplicate Key (COPY, TTL
 * included). Read-only profiles refuse them (the tree hides them too). The tree is updated in place:
 * the key is added to / removed from the loaded namespace tree and only its database node refreshes,
 * so expanded folders and the filter stay.
 */
import * as vscode from 'vscode';
import { displayBytes, globMatches, isPlainText, quoteBytes, unescapeBytes } from '../core/keys/bytes';
import type { EditableType } from '../core/edit/document';
import { createKey, CrossSlotError, duplicateKey, KeyExistsError, renameKey, type FirstValue } from '../core/edit/keyOps';
import { isReadOnlyProfile } from '../core/profiles/profile';
import type { Logger } from '../platform/logger';
import type { UserInput } from '../platform/userInput';
import { DatabaseNode, FolderNode, KeyNode } from '../views/keyNodes';
import type { KeyTreeProvider } from '../views/connectionsView';

export interface EditKeyDeps {
  provider: KeyTreeProvider;
  input: UserInput;
  log: Logger;
}

interface TypeItem extends vscode.QuickPickItem {
  type: EditableType;
}

const TYPE_ITEMS: TypeItem[] = [
  { label: 'string', type: 'string', detail: 'SET: text, JSON or bytes' },
  { label: 'hash', type: 'hash', detail: 'HSET: field → value' },
  { label: 'list', type: 'list', detail: 'RPUSH: ordered elements' },
  { label: 'set', type: 'set', detail: 'SADD: unique members' },
  { label: 'sorted set', type: 'zset', detail: 'ZADD: members with scores' },
  { label: 'stream', type: 'stream', detail: 'XADD *: append-only entries' },
  { label: 'RedisJSON', type: 'ReJSON-RL', detail: 'JSON.SET (needs the RedisJSON module)' },
];

/** A key name as typed: `"..."` is redis-cli's quoted form (escapes like \xff), anything else is UTF-8. */
export function keyFromInput(text: string): Buffer {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? unescapeBytes(text) : Buffer.from(text, 'utf8');
}

/** How a key name is offered for editing: as is when plain text, redis-cli's quoted form otherwise. */
export function keyToInput(key: Buffer): string {
  return isPlainText(key) ? key.toString('utf8') : quoteBytes(key);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function registerEditKeyCommands(deps: EditKeyDeps): vscode.Disposable[] {
  const { provider, input, log } = deps;

  function refuseReadOnly(db: DatabaseNode): boolean {
    const profile = db.connection.profile;
    if (!isReadOnlyProfile(profile)) return false;
    void vscode.window.showErrorMessage(`Profile "${profile.name}" is read-only: keys cannot be created, renamed or copied.`);
    return true;
  }

  /** Adds a key to the loaded tree (when the filter would show it) and refreshes its database node. */
  function showKey(db: DatabaseNode, key: Buffer, type: string): void {
    const ks = db.keyspace;
    ks.tree.remove(key);
    const { match, type: shownType } = ks.filter;
    if ((match === undefined || match.length === 0 || globMatches(match, key)) && (!shownType || shownType === type)) ks.tree.add(key);
    ks.forgetMeta(key);
    provider.refresh(db);
  }

  async function askOverwrite(target: Buffer, what: string): Promise<boolean> {
    const replace = 'Replace';
    const answer = await input.showWarningMessage(
      `The key "${displayBytes(target)}" already exists. ${what} and replace it? Its current value is lost.`,
      { modal: true },
      replace,
    );
    return answer === replace;
  }

  async function askName(title: string, value: string, prefixLength: number): Promise<Buffer | undefined> {
    const text = await input.showInputBox({
      title,
      prompt: 'Key name (UTF-8; for other bytes use the quoted form "\\xff...")',
      value,
      valueSelection: [prefixLength, value.length],
      ignoreFocusOut: true,
      validateInput: (v) => (v.length === 0 ? 'A key name is needed.' : undefined),
    });
    return text === undefined ? undefined : keyFromInput(text);
  }

  async function firstValue(type: EditableType, title: string): Promise<FirstValue | undefined> {
    const ask = (prompt: string, value = '', validate?: (v: string) => string | undefined): Promise<string | undefined> =>
      input.showInputBox({ title, prompt, value, ignoreFocusOut: true, ...(validate ? { validateInput: validate } : {}) });
    switch (type) {
      case 'string': {
        const v = await ask('Value');
        return v === undefined ? undefined : { type, value: Buffer.from(v, 'utf8') };
      }
      case 'list':
      case 'set': {
        const v = await ask(type === 'list' ? 'First element' : 'First member');
        return v === undefined ? undefined : { type, value: Buffer.from(v, 'utf8') };
      }
      case 'hash':
      case 'stream': {
        const field = await ask('First field', '', (v) => (v ? undefined : 'A field name is needed.'));
        if (field === undefined) return undefined;
        const value = await ask(`Value of "${field}"`);
        return value === undefined ? undefined : { type, field: Buffer.from(field, 'utf8'), value: Buffer.from(value, 'utf8') };
      }
      case 'zset': {
        const member = await ask('First member');
        if (member === undefined) return undefined;
        const score = await ask(`Score of "${member}"`, '0', (v) =>
          /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?inf)\s*$/i.test(v) ? undefined : 'A score is a number (or inf / -inf).',
        );
        return score === undefined ? undefined : { type, member: Buffer.from(member, 'utf8'), score: score.trim() };
      }
      case 'ReJSON-RL': {
        const json = await ask('JSON document', '{}', (v) => {
          try {
            JSON.parse(v);
            return undefined;
          } catch {
            return 'Not valid JSON.';
          }
        });
        return json === undefined ? undefined : { type, json };
      }
    }
  }

  const newKey = async (node: DatabaseNode | FolderNode): Promise<Buffer | undefined> => {
    const db = node instanceof FolderNode ? node.database : node;
    if (refuseReadOnly(db)) return undefined;
    const ks = db.keyspace;
    const prefix = node instanceof FolderNode ? ks.tree.prefixOf(node.folder) : Buffer.alloc(0);
    const title = `New Key in ${db.cluster ? 'the keyspace' : `db${db.index}`} of ${db.connection.profile.name}`;
    const picked = await input.showQuickPick(TYPE_ITEMS, { title, placeHolder: 'Type of the new key', ignoreFocusOut: true });
    if (!picked) return undefined;
    const prefixText = keyToInput(prefix);
    const key = await askName(title, prefixText, prefixText.length);
    if (!key) return undefined;
    const first = await firstValue(picked.type, title);
    if (!first) return undefined;
    const ttlText = await input.showInputBox({
      title,
      prompt: 'Time to live in seconds (empty: no expiry)',
      value: '',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' || /^\d+$/.test(v.trim()) ? undefined : 'Whole seconds, or empty.'),
    });
    if (ttlText === undefined) return undefined;
    const ttl = ttlText.trim() === '' ? undefined : Number(ttlText.trim()) * 1000;
    try {
      await createKey(ks.db, { key, first, ...(ttl ? { ttlMs: ttl } : {}) });
    } catch (e) {
      void vscode.window.showErrorMessage(
        e instanceof KeyExistsError ? `${e.message} New Key does not overwrite: choose another name.` : `New Key failed: ${errorText(e)}`,
      );
      return undefined;
    }
    log.info(`Created a ${picked.type} key in db${db.index} of ${db.connection.profile.name}`);
    showKey(db, key, picked.type);
    return key;
  };

  /** Rename (RENAMENX) or Duplicate (COPY): asks the new name; replacing an existing key needs a yes. */
  const move = async (node: KeyNode, kind: 'rename' | 'duplicate'): Promise<Buffer | undefined> => {
    const db = node.database;
    if (refuseReadOnly(db)) return undefined;
    const from = node.key;
    const current = keyToInput(from);
    const suggested = kind === 'rename' ? current : isPlainText(from) ? `${current}:copy` : current;
    const verb = kind === 'rename' ? 'Rename' : 'Duplicate';
    const to = await askName(`${verb} "${displayBytes(from)}"`, suggested, kind === 'rename' ? 0 : suggested.length);
    if (!to || to.equals(from)) return undefined;
    const op = kind === 'rename' ? renameKey : duplicateKey;
    try {
      try {
        await op(db.keyspace.db, from, to);
      } catch (e) {
        if (!(e instanceof KeyExistsError)) throw e;
        if (!(await askOverwrite(to, verb))) return undefined;
        await op(db.keyspace.db, from, to, { overwrite: true });
      }
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof CrossSlotError ? e.message : `${verb} failed: ${errorText(e)}`);
      return undefined;
    }
    log.info(`${kind === 'rename' ? 'Renamed' : 'Duplicated'} a key in db${db.index} of ${db.connection.profile.name}`);
    if (kind === 'rename') db.keyspace.forgetKey(from);
    showKey(db, to, node.meta.type);
    return to;
  };

  return [
    vscode.commands.registerCommand('redisTls.keys.newKey', (node: DatabaseNode | FolderNode) => newKey(node)),
    vscode.commands.registerCommand('redisTls.keys.rename', (node: KeyNode) => move(node, 'rename')),
    vscode.commands.registerCommand('redisTls.keys.duplicate', (node: KeyNode) => move(node, 'duplicate')),
  ];
}
