// The guided Add/Edit Connection flow inside the real extension host, every prompt answered by a
// scripted input: Escape on a step's problem list cancels the flow, Back returns to the step shown
// before, problem lists name each problem and picking one keeps the list open. The script fails on a
// prompt it does not expect or an answer left unused, so a flow that asks once more (or once less)
// than specified fails the test.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SaveResult } from '../../src/commands/connections';
import type { Container } from '../../src/container';
import { getLab, type LabCerts } from '../lab/certs';
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

  /** From the first step to the CA file's problem list (the key file is not a CA: no certificate in it). */
  const toCaProblems = (): Answer[] => [
    'Enter the connection details',
    'localhost',
    '6380',
    /^TLS, verify the certificate chain/,
    '',
    /^CA file, linked/,
    'Type a path...',
    lab.client.keyPath,
  ];

  it("Escape on the CA step's problem list cancels the flow (nothing asked again, nothing saved)", async () => {
    const before = container.profiles.list().length;
    const { result, prompts } = await add([...toCaProblems(), ESCAPE]);
    assert.equal(result, undefined);
    assert.equal(container.profiles.list().length, before, 'no profile saved');
    const problems = prompts[prompts.length - 1];
    assert.equal(problems.text, '1 problem(s), 0 warning(s)');
    assert.deepEqual(problems.items, [
      'Choose another CA file',
      'Keep it anyway (the connection will fail)',
      'UNTRUSTED_ROOT: The CA file holds no certificate',
    ]);
  });

  it('Back goes to the step shown before: from the problem list to the CA choice, then to the SNI step', async () => {
    const { result, prompts } = await add([...toCaProblems(), 'Choose another CA file', BACK, ESCAPE]);
    assert.equal(result, undefined);
    const tail = prompts.slice(-3).map((p) => `${p.kind}: ${p.title}: ${p.text}`);
    assert.deepEqual(tail, [
      'pickStep: Add Redis Connection (6/12): 1 problem(s), 0 warning(s)',
      'pickStep: Add Redis Connection (6/12): Which certificate authorities do you trust for this server?',
      'inputStep: Add Redis Connection (5/12): Server name for SNI and certificate verification (leave empty to use the host)',
    ]);
  });

  it('a problem picked in a list keeps the list open; a kept problem is listed again at the review and the profile saves', async () => {
    const { result, prompts } = await add([
      ...toCaProblems(),
      /^UNTRUSTED_ROOT/, // only informs: the same list comes back
      'Keep it anyway (the connection will fail)',
      'No client certificate',
      '',
      '',
      '0',
      'scripted flow',
      /^UNTRUSTED_ROOT/, // the review lists it too, and stays open
      'Save',
    ]);
    assert.ok(result?.saved, JSON.stringify(result));
    created.push(result.profileId!);
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['UNTRUSTED_ROOT'],
    );
    const p = container.profiles.get(result.profileId!)!;
    assert.equal(p.name, 'scripted flow');
    assert.deepEqual(p.ca, { kind: 'file', path: lab.client.keyPath });
    const lists = prompts.filter((x) => x.items?.includes('UNTRUSTED_ROOT: The CA file holds no certificate'));
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
    assert.equal(escaped.prompts[0].title, 'Edit scripted flow (1/11)');
    const back = await edit(['other.example', '6390', BACK, BACK, ESCAPE]);
    assert.equal(back.result, undefined);
    assert.deepEqual(
      back.prompts.map((p) => p.text?.split(' ')[0]),
      ['Host', 'Port', 'Transport', 'Port', 'Host'],
    );
    assert.deepEqual(container.profiles.get(id), before, 'nothing saved');
  });
});
