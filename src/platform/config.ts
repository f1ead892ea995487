/**
 * The extension's settings, read through one typed module (rust-analyzer's `Config` is the model):
 * every `redisTls.*` setting has one getter here with its default and its bounds, and nothing else
 * calls `workspace.getConfiguration`. The container builds the one instance and hands it out.
 */
import * as vscode from 'vscode';
import { DEFAULT_CAPS, type ValueCaps } from '../core/keys/values';

const SECTION = 'redisTls';

/** The settings of the key tree's paging. */
export interface BrowserSettings {
  scanPageSize: number;
  treePageSize: number;
}

/** A setting name below `redisTls.` (as declared in package.json's contributes.configuration). */
export type SettingName =
  'expiryWarningDays' | 'scanPageSize' | 'treePageSize' | 'values.maxBytes' | 'values.maxElements' | 'maxReplyBytes';

/** `redisTls.maxReplyBytes`: default and bounds (the default matches package.json). */
export const MAX_REPLY_BYTES = { default: 64 * 1024 * 1024, min: 64 * 1024, max: 1024 * 1024 * 1024 } as const;

function clamp(v: number | undefined, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
}

export class Config {
  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  /** Days before a certificate's expiry from which it is shown as a warning (default 30). */
  get expiryWarningDays(): number {
    const days = this.section.get<number>('expiryWarningDays', 30);
    return Number.isFinite(days) && days >= 0 ? days : 30;
  }

  get browser(): BrowserSettings {
    const c = this.section;
    return {
      scanPageSize: clamp(c.get<number>('scanPageSize'), 10, 100_000, 1000),
      treePageSize: clamp(c.get<number>('treePageSize'), 10, 10_000, 500),
    };
  }

  /**
   * Cap on the bytes of one server reply (checked against every declared length before anything is
   * allocated); every session's connections get it.
   */
  get maxReplyBytes(): number {
    return clamp(this.section.get<number>('maxReplyBytes'), MAX_REPLY_BYTES.min, MAX_REPLY_BYTES.max, MAX_REPLY_BYTES.default);
  }

  /** Size caps of one part of a value document. */
  get valueCaps(): ValueCaps {
    const c = this.section;
    const maxBytes = c.get<number>('values.maxBytes', DEFAULT_CAPS.maxBytes);
    const maxElements = c.get<number>('values.maxElements', DEFAULT_CAPS.maxElements);
    return {
      maxBytes: Number.isFinite(maxBytes) && maxBytes >= 16 ? Math.floor(maxBytes) : DEFAULT_CAPS.maxBytes,
      maxElements: Number.isFinite(maxElements) && maxElements >= 1 ? Math.floor(maxElements) : DEFAULT_CAPS.maxElements,
    };
  }

  /** Calls `listener` when any of `settings` changes; dispose the result to stop. */
  onDidChange(settings: readonly SettingName[], listener: () => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((e) => {
      if (settings.some((s) => e.affectsConfiguration(`${SECTION}.${s}`))) listener();
    });
  }
}
