// The guided Add/Edit Connection flow inside the real extension host, every prompt answered by a
// scripted input: Escape on a step's problem list cancels the flow, Back returns to the step shown
// before, problem lists name each problem and picking one keeps the list open. The script fails on a
// prompt it does not expect or an answer left unused, so a flow that asks once more (or once less)
// than specified fails the test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SaveResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import { isReadOnlyProfile } from '../../src/core/profiles/profile';
import { secretKeyIn } from '../../src/platform/secretStore';
import { describeSession } from '../../src/sessions/statusBar';
import { PRODUCTION_COLOR } from '../../src/views/connectionsView';
import { getLab, type LabCerts } from '../lab/certs';
import { startSentinelLab } from '../lab/clusterLab';
import { activateContainer, removeProfiles } from './helpers';
import { BACK, ESCAPE, runWithInputs, type Answer } from './testUserInput';

describe('Add/Edit Connection flow with scripted input (in the extension host)', function () {
  this.timeout(30_000);
  let container: Container;
  let lab: LabCerts;
  const created: string[] = [];

  before(async () => {
    container = await activateContainer();
    lab = await getLab();
  });

  after(async () => {
    await removeProfiles(container, created);
  });

  const add = (answers: readonly Answer[]) =>
    runWithInputs(container, answers, () => vscode.commands.executeCommand<SaveResult | undefined>('redisTls.addConnection'));

  const SERVER = 'A Redis server or a Redis Cluster';
  const CA_PATH_PROMPT = 'CA certificate (PEM): absolute path';

  /** From the first step to the CA file's problem list (the key file is not a CA: no certificate in it). */
  const toCaProblems = (): Answer[] => [
    'Enter the connection details',
    SERVER,
    'localhost',
    '6380',
    /^TLS, verify the certificate chain/,
    '',
    /^CA file, linked/,
    'Type a path...',
    lab.client.keyPath,
  ];

  /** From the client certificate step of a plain TLS server to the review, with the given access choice. */
  const toReview = (name: string, access = 'Writes allowed'): Answer[] => ['No client certificate', '', '', '0', access, name];

  it("Escape on the CA step's problem list cancels the flow (nothing asked again, nothing saved); the problem is a file problem", async () => {
    const before = container.profiles.list().length;
    const { result, prompts } = await add([...toCaProblems(), ESCAPE]);
    assert.equal(result, undefined);
    assert.equal(container.profiles.list().length, before, 'no profile saved');
    const problems = prompts[prompts.length - 1];
    assert.equal(problems.text, '1 problem(s), 0 warning(s)');
    assert.deepEqual(problems.items, [
      'Choose another CA file',
      'Keep it anyway (the connection will fail)',
      'FILE_NOT_CERTIFICATE: The CA file holds no certificate',
    ]);
  });

  it('"Choose another CA file" returns to the path prompt (the refused path filled in) until a good file; then the flow goes on', async () => {
    const { result, prompts } = await add([
      ...toCaProblems(),
      'Choose another CA file',
      lab.server.keyPath, // another key: refused again, back to the path once more
      'Choose another CA file',
      lab.caBundle.certPath,
      ESCAPE, // at the client certificate step
    ]);
    assert.equal(result, undefined);
    const tail = prompts.slice(-6).map((p) => `${p.kind}: ${p.text}${p.kind === 'inputStep' ? ` [${p.value}]` : ''}`);
    assert.deepEqual(tail, [
      `inputStep: ${CA_PATH_PROMPT} []`,
      'pickStep: 1 problem(s), 0 warning(s)',
      `inputStep: ${CA_PATH_PROMPT} [${lab.client.keyPath}]`,
      'pickStep: 1 problem(s), 0 warning(s)',
      `inputStep: ${CA_PATH_PROMPT} [${lab.server.keyPath}]`,
      'pickStep: Client certificate (mutual TLS)',
    ]);
  });

  it('Back from the path prompt goes to Browse/Type, then to the CA choice, then to the SNI step', async () => {
    const { result, prompts } = await add([...toCaProblems(), 'Choose another CA file', BACK, BACK, BACK, ESCAPE]);
    assert.equal(result, undefined);
    const tail = prompts.slice(-5).map((p) => `${p.kind}: ${p.title}: ${p.text}`);
    assert.deepEqual(tail, [
      'pickStep: Add Redis Connection (7/14): 1 problem(s), 0 warning(s)',
      `inputStep: Add Redis Connection (7/14): ${CA_PATH_PROMPT}`,
      'pickStep: Add Redis Connection (7/14): CA certificate (PEM)',
      'pickStep: Add Redis Connection (7/14): Which certificate authorities do you trust for this server?',
      'inputStep: Add Redis Connection (6/14): Server name for SNI and certificate verification (leave empty to use the host)',
    ]);
  });

  it('a problem picked in a list keeps the list open; a kept problem is listed again at the review and the profile saves', async () => {
    const { result, prompts } = await add([
      ...toCaProblems(),
      /^FILE_NOT_CERTIFICATE/, // only informs: the same list comes back
      'Keep it anyway (the connection will fail)',
      ...toReview('scripted flow'),
      /^FILE_NOT_CERTIFICATE/, // the review lists it too, and stays open
      'Save',
    ]);
    assert.ok(result?.saved, JSON.stringify(result));
    created.push(result.profileId!);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['FILE_NOT_CERTIFICATE'],
    );
    const p = container.profiles.get(result.profileId!)!;
    assert.equal(p.name, 'scripted flow');
    assert.deepEqual(p.ca, { kind: 'file', path: lab.client.keyPath });
    assert.equal(isReadOnlyProfile(p), false);
    const lists = prompts.filter((x) => x.items?.includes('FILE_NOT_CERTIFICATE: The CA file holds no certificate'));
    assert.equal(lists.length, 4, 'CA problem list twice, review twice');
    assert.match(lists[3].text ?? '', /^1 problem\(s\) found/);
  });

  it('Edit: Escape on the first step leaves the profile as it was; Back returns to the host', async () => {
    const id = created[0];
    assert.ok(id, 'the previous test saved a profile');
    const before = container.profiles.get(id);
    const edit = (answers: readonly Answer[]) =>
      runWithInputs(container, answers, () => vscode.commands.executeCommand<SaveResult | undefined>('redisTls.editConnection', id));
    const escaped = await edit([ESCAPE]);
    assert.equal(escaped.result, undefined);
    assert.equal(escaped.prompts[0].title, 'Edit scripted flow (1/13)');
    const back = await edit([SERVER, 'other.example', '6390', BACK, BACK, ESCAPE]);
    assert.equal(back.result, undefined);
    assert.deepEqual(
      back.prompts.map((p) => p.text?.split(' ')[0]),
      ['What', 'Host', 'Port', 'Transport', 'Port', 'Host'],
    );
    assert.deepEqual(container.profiles.get(id), before, 'nothing saved');
  });

  it('no test seam: an answers object given to Add Connection, or { confirmed } to Remove, still asks (Escape: nothing saved or removed)', async () => {
    const before = container.profiles.list().length;
    const added = await runWithInputs(container, [ESCAPE], () =>
      vscode.commands.executeCommand('redisTls.addConnection', { host: 'localhost', port: 6380, name: 'seam' }),
    );
    assert.equal(added.result, undefined);
    assert.equal(added.prompts[0].text, 'How do you want to start?');
    assert.equal(container.profiles.list().length, before);
    const id = created[0];
    const removed = await runWithInputs(container, [ESCAPE], () =>
      vscode.commands.executeCommand('redisTls.removeConnection', id, { confirmed: true }),
    );
    assert.equal(removed.result, false);
    assert.ok(container.profiles.get(id), 'still there');
  });

  it('asks read-only / production: production profiles are read-only by default, coloured in the tree, badged, and warn in the status bar', async () => {
    const save = async (name: string, access: string) => {
      const { result } = await add([
        'Enter the connection details',
        SERVER,
        'localhost',
        '6380',
        /^TLS, verify the certificate chain/,
        '',
        'System trust store',
        ...toReview(name, access),
        'Save',
      ]);
      assert.ok(result?.saved, JSON.stringify(result));
      created.push(result.profileId!);
      return container.profiles.get(result.profileId!)!;
    };
    const prod = await save('prod ro', 'Production, read-only');
    assert.deepEqual([prod.production, prod.readOnly, isReadOnlyProfile(prod)], [true, undefined, true]);
    const prodWrites = await save('prod rw', 'Production, writes allowed');
    assert.deepEqual([prodWrites.production, prodWrites.readOnly, isReadOnlyProfile(prodWrites)], [true, false, false]);
    const ro = await save('plain ro', 'Read-only');
    assert.deepEqual([ro.production, ro.readOnly], [undefined, true]);

    const provider = container.keyBrowser.provider;
    const item = (id: string) => provider.getTreeItem(provider.connectionNode(id)!);
    const prodItem = item(prod.id);
    assert.ok(prodItem.iconPath instanceof vscode.ThemeIcon && prodItem.iconPath.color instanceof vscode.ThemeColor);
    assert.equal((prodItem.iconPath.color as unknown as { id: string }).id, PRODUCTION_COLOR);
    assert.match(String(prodItem.description), /^PRODUCTION · read-only · /);
    const roItem = item(ro.id);
    assert.ok(roItem.iconPath instanceof vscode.ThemeIcon && roItem.iconPath.color === undefined, 'only production is coloured');
    assert.match(String(roItem.description), /^read-only · /);
    // Everywhere the connection is named: the connection picker too.
    const picked = await runWithInputs(container, [ESCAPE], () => vscode.commands.executeCommand('redisTls.connect'));
    const pick = picked.prompts[0];
    assert.ok(pick.items?.includes('prod ro'));
    const view = describeSession({ name: 'prod rw', tls: true, verified: true, protocol: 'TLSv1.3', production: true }, 30);
    assert.equal(view.warning, true, 'production: warning background in the status bar');
    assert.match(view.text, /production/);

    // Edit shows the current choice and can lift it.
    const { result } = await runWithInputs(
      container,
      [
        SERVER,
        'localhost',
        '6380',
        /^TLS, verify/,
        '',
        'System trust store',
        'No client certificate',
        '',
        '',
        '0',
        'Writes allowed',
        'prod ro',
        'Save',
      ],
      () => vscode.commands.executeCommand<SaveResult>('redisTls.editConnection', prod.id),
    );
    assert.ok(result?.saved);
    const lifted = container.profiles.get(prod.id)!;
    assert.deepEqual([lifted.production, isReadOnlyProfile(lifted)], [undefined, false]);
  });

  it('Advanced settings: group, cluster node naming with a wildcard mapping, replica reads', async () => {
    const { result, prompts } = await add([
      'Enter the connection details',
      SERVER,
      'clustercfg.example.com',
      '6379',
      /^TLS, verify the certificate chain/,
      '',
      'System trust store',
      ...toReview('grouped cluster'),
      'Advanced settings...',
      'Group',
      'team-a',
      'Cluster: node verification names',
      'An explicit mapping',
      '10.0.1.*:6379=node1.cache.example.com, *.use1.cache.amazonaws.com=clustercfg.example.com',
      'Cluster: read values from replicas',
      'Done',
      'Save',
    ]);
    assert.ok(result?.saved, JSON.stringify(result));
    created.push(result.profileId!);
    const p = container.profiles.get(result.profileId!)!;
    assert.equal(p.group, 'team-a');
    assert.equal(p.clusterNaming, 'mapping');
    assert.deepEqual(p.clusterNodeNames, {
      '10.0.1.*:6379': 'node1.cache.example.com',
      '*.use1.cache.amazonaws.com': 'clustercfg.example.com',
    });
    assert.equal(p.readFromReplicas, true);
    const advanced = prompts.filter((x) => x.text === 'Advanced settings').pop();
    assert.ok(advanced?.items?.includes('Group'));
    // A bad mapping entry is refused by the prompt's validation (the script fails on a refused answer).
    await assert.rejects(
      runWithInputs(
        container,
        [
          SERVER,
          'clustercfg.example.com',
          '6379',
          /^TLS, verify/,
          '',
          'System trust store',
          'No client certificate',
          '',
          '',
          '0',
          'Writes allowed',
          'grouped cluster',
          'Advanced settings...',
          'Cluster: node verification names',
          'An explicit mapping',
          'no-equals-sign',
        ],
        () => vscode.commands.executeCommand('redisTls.editConnection', p.id),
      ),
      /is not pattern=name/,
    );
  });

  it('a Sentinel profile: sentinels, service, own TLS for the sentinels, their ACL user and password in SecretStorage (bound to the sentinels)', async () => {
    const sentinelPassword = `sentinel-Pw-${Date.now().toString(36)}`;
    const { result, prompts } = await add([
      'Enter the connection details',
      'Redis Sentinel',
      'sentinel-1.example.com:26380, sentinel-2.example.com',
      'mymaster',
      /^TLS, verify the certificate chain/,
      'redis.internal.example.com',
      'System trust store',
      'No client certificate',
      '',
      '',
      '0',
      'TLS with its own settings...',
      'sentinel.internal.example.com',
      'A CA file of their own, linked',
      'Type a path...',
      lab.caBundle.certPath,
      'No client certificate',
      'sentinel-user',
      sentinelPassword,
      'Production, read-only',
      'sentinel profile',
      'Save',
    ]);
    assert.ok(result?.saved, JSON.stringify(result));
    created.push(result.profileId!);
    const p = container.profiles.get(result.profileId!)!;
    assert.deepEqual(p.sentinel, {
      service: 'mymaster',
      sentinels: ['sentinel-1.example.com:26380', 'sentinel-2.example.com'],
      tls: true,
      servername: 'sentinel.internal.example.com',
      ca: { kind: 'file', path: lab.caBundle.certPath },
      client: { kind: 'none' },
      username: 'sentinel-user',
      hasPassword: true,
    });
    assert.deepEqual([p.host, p.port, p.servername], ['sentinel-1.example.com', 26380, 'redis.internal.example.com']);
    assert.ok(!prompts.some((x) => /^Host name/.test(x.text ?? '')), 'no host step for a Sentinel profile');
    assert.equal(await container.context.secrets.get(secretKeyIn(`profile.${p.id}`, 'sentinelPassword')), sentinelPassword);
    const state = JSON.stringify(container.context.globalState.keys().map((k) => container.context.globalState.get(k)));
    assert.ok(!state.includes(sentinelPassword), 'the sentinel password is not in globalState');
    // The binding covers the sentinels: the stored password is bound to them.
    const binding = JSON.parse((await container.context.secrets.get(secretKeyIn(`profile.${p.id}`, 'binding'))) ?? '{}') as {
      target?: { sentinel?: string };
    };
    assert.match(binding.target?.sentinel ?? '', /^mymaster at sentinel-1\.example\.com:26380, sentinel-2\.example\.com; TLS on/);
  });

  it('a Sentinel profile made by the flow connects over verified TLS to the primary the lab sentinels name', async function () {
    this.timeout(120_000);
    const sentinelLab = await startSentinelLab();
    try {
      const { result } = await add([
        'Enter the connection details',
        'Redis Sentinel',
        `127.0.0.1:${sentinelLab.sentinels[0]!.port}`,
        sentinelLab.service,
        /^TLS, verify the certificate chain/,
        'localhost', // the data nodes' certificates name localhost; Sentinel hands out 127.0.0.1
        /^CA file, linked/,
        'Type a path...',
        lab.rootCa.certPath,
        'No client certificate',
        '',
        sentinelLab.dataPassword,
        '0',
        'TLS with its own settings...',
        'localhost',
        "The data nodes' CA",
        "The data nodes' client certificate",
        '',
        sentinelLab.sentinelPassword,
        'Writes allowed',
        'sentinel lab',
        'Save and Connect',
      ]);
      assert.ok(result?.saved, JSON.stringify(result));
      created.push(result.profileId!);
      assert.equal(result.connected, true, JSON.stringify(result.connectProblem));
      const session = container.sessions.session(result.profileId!)!;
      assert.equal(session.verified, true);
      assert.equal(String(await session.client.send(['PING'])), 'PONG');
      const state = container.sessions.state(result.profileId!);
      assert.ok(state.kind === 'connected' && /sentinel/i.test(state.via ?? ''), JSON.stringify(state));
      assert.ok(
        state.kind === 'connected' && (state.via ?? '').includes(String(await sentinelLab.primaryPort())),
        state.kind === 'connected' ? state.via : '',
      );
    } finally {
      if (created.length) await container.sessions.disconnect(created[created.length - 1]!).catch(() => undefined);
      await sentinelLab.stop();
    }
  });
});
