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
      'redisTls.keys.deleteFolder',
      'redisTls.keys.setTtl',
      'redisTls.keys.removeTtl',
    ]) {
      assert.ok(hidden.has(id), `${id} is hidden from the palette`);
    }
  });
});
