// The command palette (issue #15): one Import command, and the commands that need a tree row are
// hidden from it ("when": "never"), read from package.json as the workbench reads it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string }>;
    menus: { commandPalette: Array<{ command: string; when?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m) => m.when === 'never').map((m) => m.command));
const visible = manifest.contributes.commands.filter((c) => !hidden.has(c.command));

describe('command palette', () => {
  it('offers one Import command, "Import Connection…" (URL or redis-cli line recognised automatically)', () => {
    const imports = visible.filter((c) => /^Import/.test(c.title));
    assert.deepEqual(
      imports.map((c) => [c.command, c.title]),
      [['redisTls.importConnection', 'Import Connection…']],
    );
  });

  it('hides the commands that only work on a tree row', () => {
    for (const id of [
      'redisTls.keys.loadMore',
      'redisTls.keys.showMore',
      'redisTls.keys.openValue',
      'redisTls.keys.openSelected',
      'redisTls.keys.deleteFolder',
      'redisTls.keys.setTtl',
      'redisTls.keys.removeTtl',
      'redisTls.keys.clearFilter',
      'redisTls.keys.loadAll',
      'redisTls.keys.refresh',
    ]) {
      assert.ok(hidden.has(id), `${id} is hidden from the palette`);
    }
  });

  it('offers Filter Keys, Delete Key and Copy Key Name (they pick a connection and a key when no row is selected)', () => {
    for (const id of ['redisTls.keys.filter', 'redisTls.keys.delete', 'redisTls.keys.copyName']) {
      assert.ok(
        visible.some((c) => c.command === id),
        `${id} is in the palette`,
      );
    }
  });
});
