/**
 * Saving a `redis-tls:` value document (Ctrl+S): the document's text against the text it was opened
 * with, through core/edit (parse, plan, WATCH + compare + MULTI/EXEC, TTL kept). Invalid input becomes
 * diagnostics on its lines and nothing is written; a value changed on the server since the document
 * was opened asks: Compare (a diff of the server's value against yours) / Overwrite / Reload.
 */
import * as vscode from 'vscode';
import { displayBytes } from '../core/keys/bytes';
import { Database } from '../core/keys/database';
import type { ValuePart } from '../core/keys/values';
import { DocumentError, type EditableType } from '../core/edit/document';
import { saveValue, SaveFailedError, UnsupportedEditError, VALUE_CHANGED, type SaveResult } from '../core/edit/save';
import { isReadOnlyError } from '../core/client/readOnly';
import { isReadOnlyProfile } from '../core/profiles/profile';
import type { ActiveSession } from '../platform/contracts';
import type { ValuePosition } from '../core/keys/values';

/** The key and part a document names (the value URI's address). */
export interface ValueAddress {
  profileId: string;
  db: number;
  key: Buffer;
  position: ValuePosition;
}

/** What the editor showed: the rendering the document was opened (or last reloaded) with. */
export interface OpenedPart {
  part: ValuePart;
  text: string;
}

export interface ValueSaverDeps {
  session(profileId: string): Promise<ActiveSession>;
  /** Reads the part again (fresh), as the document would show it now. */
  reread(uri: vscode.Uri): Promise<OpenedPart>;
  /** The conflict question (a modal warning with buttons; scripted in the host tests). */
  ask(message: string, options: vscode.MessageOptions, ...items: string[]): Promise<string | undefined>;
  /** Opens the diff of the server's value against the document. */
  compare(uri: vscode.Uri): Promise<void>;
  diagnostics: vscode.DiagnosticCollection;
  log(message: string): void;
}

export type SaveOutcome =
  | { kind: 'saved'; notes: string[] }
  | { kind: 'unchanged' }
  /** The user chose Reload: the document shows the server's value again, the edit is dropped. */
  | { kind: 'reloaded' };

export const CONFLICT_COMPARE = 'Compare';
export const CONFLICT_OVERWRITE = 'Overwrite';
export const CONFLICT_RELOAD = 'Reload';

/** Where types the reader shows can be saved. */
const EDITABLE: ReadonlySet<string> = new Set<EditableType>(['string', 'hash', 'list', 'set', 'zset', 'stream', 'ReJSON-RL']);

export function isEditablePart(part: ValuePart): boolean {
  return EDITABLE.has(part.type);
}

function scopeOf(address: ValueAddress, part: ValuePart): { offset: number; whole: boolean; last: boolean } {
  const p = address.position;
  const first = !p.offset && (p.cursor === undefined || p.cursor === '0') && p.after === undefined;
  return { offset: p.offset ?? 0, whole: first && !part.next, last: !part.next };
}

export class ValueSaver {
  constructor(private readonly deps: ValueSaverDeps) {}

  /** Saves `content` as the new text of the document at `uri`; throws a FileSystemError when nothing was written. */
  async save(uri: vscode.Uri, address: ValueAddress, opened: OpenedPart, content: Uint8Array): Promise<SaveOutcome> {
    const session = await this.deps.session(address.profileId);
    const name = displayBytes(address.key);
    if (isReadOnlyProfile(session.profile)) {
      throw vscode.FileSystemError.NoPermissions(`Profile "${session.profile.name}" is read-only: "${name}" was not saved.`);
    }
    if (!isEditablePart(opened.part))
      throw vscode.FileSystemError.NoPermissions(`"${name}" (${opened.part.summary}) cannot be edited here.`);
    const db = new Database(session.client, address.db, session.profile.db ?? 0);
    const edited = Buffer.from(content).toString('utf8');
    let original = opened;
    for (;;) {
      const result = await this.attempt(uri, db, address, original, edited);
      if (result.status === 'unchanged') return { kind: 'unchanged' };
      if (result.status === 'saved') {
        this.deps.log(
          `Saved ${name} (${result.commands} write command${result.commands === 1 ? '' : 's'}) to db${address.db} of ${session.profile.name}`,
        );
        return { kind: 'saved', notes: result.notes };
      }
      const answer = await this.deps.ask(
        `"${name}" changed on the server since you opened it${result.cause === VALUE_CHANGED ? '' : `: ${result.cause}`}. Compare shows the server's value next to yours.`,
        { modal: true },
        CONFLICT_COMPARE,
        CONFLICT_OVERWRITE,
        CONFLICT_RELOAD,
      );
      if (answer === CONFLICT_OVERWRITE) {
        // Overwrite = your document against the server's value as it is now.
        original = await this.deps.reread(uri);
        continue;
      }
      if (answer === CONFLICT_RELOAD) return { kind: 'reloaded' };
      if (answer === CONFLICT_COMPARE) await this.deps.compare(uri);
      throw vscode.FileSystemError.Unavailable(`"${name}" was not saved: it changed on the server since you opened it.`);
    }
  }

  private async attempt(uri: vscode.Uri, db: Database, address: ValueAddress, opened: OpenedPart, edited: string): Promise<SaveResult> {
    try {
      const result = await saveValue(db, {
        key: address.key,
        type: opened.part.type as EditableType,
        kind: opened.part.kind,
        scope: scopeOf(address, opened.part),
        original: opened.text,
        edited,
      });
      this.deps.diagnostics.delete(uri);
      return result;
    } catch (e) {
      if (e instanceof DocumentError) {
        this.deps.diagnostics.set(
          uri,
          e.problems.map((p) => {
            const start = new vscode.Position(p.line, p.column);
            const d = new vscode.Diagnostic(
              new vscode.Range(start, start.translate(0, p.length)),
              p.message,
              vscode.DiagnosticSeverity.Error,
            );
            d.source = 'Redis TLS';
            return d;
          }),
        );
        throw vscode.FileSystemError.Unavailable(e.message);
      }
      if (e instanceof UnsupportedEditError || e instanceof SaveFailedError || isReadOnlyError(e))
        throw vscode.FileSystemError.Unavailable(e.message);
      throw e;
    }
  }
}
