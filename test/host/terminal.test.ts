// The Redis terminal inside the real VS Code extension host, against a lab TLS redis-server: a `.redis`
// file gets a "Run" CodeLens per command line (not for comments or blank lines) and a connection lens;
// Run and Run Selection send the lines over the chosen connection's terminal; the terminal of a
// production profile is titled read-only and refuses writes.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import type { ConnectionAnswers } from '../../src/core/profiles/answers';
import { RedisConnection } from '../../src/core/client/connection';
import { getLab, type LabCerts } from '../lab/certs';
import { startRedis, type RedisServer } from '../lab/servers';
import { activateContainer, addProfile, removeProfiles, until } from './helpers';

describe('Redis terminal and .redis files (in the extension host)', function () {
  this.timeout(60_000);
  let container: Container;
  let lab: LabCerts;
  let srv: RedisServer;
  let direct: RedisConnection;
  const created: string[] = [];
  let writable: string;
  let production: string;

  async function add(answers: ConnectionAnswers): Promise<string> {
    const result = await addProfile(container, answers);
    assert.equal(result.saved, true, JSON.stringify(result.problems));
    created.push(result.profileId!);
    return result.profileId!;
  }

  const lensTitles = async (doc: vscode.TextDocument): Promise<Array<[number, string]>> =>
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)).map((l) => [
      l.range.start.line,
      l.command?.title ?? '',
    ]);

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
    srv = await startRedis({ kind: 'tls' });
    direct = await RedisConnection.open({ host: 'localhost', port: srv.port, tls: { enabled: true, ca: [lab.rootCa.cert] } });
    writable = await add({ name: 'terminal lab', host: 'localhost', port: srv.port, tls: true, caPath: lab.rootCa.certPath });
    production = await add({
      name: 'terminal lab (production)',
      host: 'localhost',
      port: srv.port,
      tls: true,
      caPath: lab.rootCa.certPath,
      production: true,
    });
  });

  after(async () => {
    for (const t of vscode.window.terminals) t.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeProfiles(container, created);
    await direct?.close();
    await srv?.stop();
  });

  it('a .redis file: a Run lens per command line, Run and Run Selection send them over the chosen connection', async () => {
    await direct.send(['FLUSHALL']);
    const doc = await vscode.workspace.openTextDocument({
      language: 'redis',
      content: '# seed the lab\nSET greeting "hello world"\n\n  INCR n\n# done\nINCR n\n',
    });
    const editor = await vscode.window.showTextDocument(doc);
    assert.deepEqual(await lensTitles(doc), [
      [0, 'Choose Connection'],
      [1, '$(play) Run'],
      [3, '$(play) Run'],
      [5, '$(play) Run'],
    ]);
    await vscode.commands.executeCommand('redisTls.terminal.runLine', doc.uri, 1, writable);
    assert.equal((await direct.send(['GET', 'greeting']))?.toString(), 'hello world');
    // The file remembers its connection: the lens names it, later runs need no choice.
    assert.deepEqual((await lensTitles(doc))[0], [0, 'Connection: terminal lab (change)']);
    editor.selection = new vscode.Selection(2, 0, 5, 3);
    await vscode.commands.executeCommand('redisTls.terminal.runSelection');
    assert.equal((await direct.send(['GET', 'n']))?.toString(), '2');
    await vscode.commands.executeCommand('redisTls.terminal.runLine', doc.uri, 0);
    assert.equal((await direct.send(['GET', 'n']))?.toString(), '2', 'a comment line runs nothing');
    assert.ok(vscode.window.terminals.some((t) => t.name === 'Redis: terminal lab'));
  });

  it("a production profile's terminal is titled read-only and refuses a write from a .redis file", async () => {
    await direct.send(['SET', 'guarded', 'original']);
    const doc = await vscode.workspace.openTextDocument({ language: 'redis', content: 'SET guarded changed\n' });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('redisTls.terminal.runLine', doc.uri, 0, production);
    await until('the read-only terminal', () =>
      vscode.window.terminals.find((t) => t.name === 'Redis: terminal lab (production) (read-only)'),
    );
    assert.equal((await direct.send(['GET', 'guarded']))?.toString(), 'original');
  });

  it("history is kept per profile across terminals, never with AUTH; an unverified profile's title says UNVERIFIED", async () => {
    const history = (): Record<string, string[]> =>
      container.context.globalState.get<Record<string, string[]>>('redisTls.terminalHistory') ?? {};
    const doc = await vscode.workspace.openTextDocument({
      language: 'redis',
      content: 'GET hist:one\nAUTH not-the-password\nGET hist:two\n',
    });
    await vscode.window.showTextDocument(doc);
    for (const line of [0, 1, 2]) await vscode.commands.executeCommand('redisTls.terminal.runLine', doc.uri, line, writable);
    const mine = history()[writable] ?? [];
    assert.deepEqual(mine.slice(-2), ['GET hist:one', 'GET hist:two']);
    assert.ok(!mine.some((l) => /AUTH/i.test(l)), 'an AUTH line is never stored');
    assert.ok(!(history()[production] ?? []).includes('GET hist:one'), 'each profile has its own history');
    // Closed and opened again: the terminal starts from the stored history.
    const terminal = vscode.window.terminals.find((t) => t.name === 'Redis: terminal lab');
    assert.ok(terminal);
    const closed = new Promise<void>((r) => {
      const sub = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) {
          sub.dispose();
          r();
        }
      });
    });
    terminal.dispose();
    await closed;
    await vscode.commands.executeCommand('redisTls.terminal.runLine', doc.uri, 0, writable);
    assert.deepEqual((history()[writable] ?? []).slice(-3), ['GET hist:one', 'GET hist:two', 'GET hist:one']);

    const insecure = await add({ name: 'terminal lab (insecure)', host: '127.0.0.1', port: srv.port, tls: true, verify: 'insecure' });
    await vscode.commands.executeCommand('redisTls.openTerminal', insecure);
    await until('the unverified terminal', () =>
      vscode.window.terminals.find((t) => t.name === 'Redis: terminal lab (insecure) (UNVERIFIED)'),
    );
  });

  it(".redis files are coloured by the grammar (VS Code's own TextMate tokenizer): commands, NODE, strings and escapes, numbers, comments", async () => {
    // The tokenizer and regex engine VS Code itself ships (in its app root): no copy of our own.
    const load = createRequire(__filename);
    const modules = path.join(vscode.env.appRoot, 'node_modules');
    const tm = load(path.join(modules, 'vscode-textmate')) as TextMate;
    const onig = load(path.join(modules, 'vscode-oniguruma')) as Oniguruma;
    await onig.loadWASM(readFileSync(path.join(modules, 'vscode-oniguruma', 'release', 'onig.wasm')).buffer);
    const grammarPath = path.join(container.context.extensionPath, 'syntaxes', 'redis.tmLanguage.json');
    const registry = new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p) => new onig.OnigScanner(p), createOnigString: (t) => new onig.OnigString(t) }),
      loadGrammar: async (scope) => (scope === 'source.redis' ? tm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null),
    });
    const grammar = await registry.loadGrammar('source.redis');
    assert.ok(grammar);
    const scopes = new Map<string, string>();
    let stack = tm.INITIAL;
    for (const line of ['# a comment', 'SET "k\\x41\\n" 42 \'single\'', 'NODE 127.0.0.1:7000 DBSIZE']) {
      const r = grammar.tokenizeLine(line, stack);
      for (const t of r.tokens) scopes.set(line.slice(t.startIndex, t.endIndex), t.scopes.join(' '));
      stack = r.ruleStack;
    }
    const scopeOf = (text: string): string => scopes.get(text) ?? `no token ${JSON.stringify(text)} in ${JSON.stringify([...scopes])}`;
    assert.match(scopeOf('# a comment'), /comment\.line\.number-sign\.redis/);
    assert.match(scopeOf('SET'), /keyword\.control\.command\.redis/);
    assert.match(scopeOf('\\x41'), /string\.quoted\.double\.redis constant\.character\.escape\.hex\.redis/);
    assert.match(scopeOf('\\n'), /constant\.character\.escape\.redis/);
    assert.match(scopeOf('42'), /constant\.numeric\.redis/);
    assert.match(scopeOf("'single'"), /string\.quoted\.single\.redis/);
    assert.match(scopeOf('NODE'), /keyword\.other\.node\.redis/);
    assert.match(scopeOf('127.0.0.1:7000'), /constant\.other\.address\.redis/);
    assert.match(scopeOf('DBSIZE'), /keyword\.control\.command\.redis/);
  });
});

/** The parts of vscode-textmate and vscode-oniguruma (VS Code's own copies) the grammar test uses. */
interface TextMate {
  INITIAL: unknown;
  Registry: new (options: {
    onigLib: Promise<{ createOnigScanner(patterns: string[]): unknown; createOnigString(text: string): unknown }>;
    loadGrammar(scope: string): Promise<unknown>;
  }) => { loadGrammar(scope: string): Promise<Grammar | null> };
  parseRawGrammar(content: string, path: string): unknown;
}
interface Grammar {
  tokenizeLine(
    line: string,
    stack: unknown,
  ): { tokens: Array<{ startIndex: number; endIndex: number; scopes: string[] }>; ruleStack: unknown };
}
interface Oniguruma {
  loadWASM(data: ArrayBufferLike): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (text: string) => unknown;
}
