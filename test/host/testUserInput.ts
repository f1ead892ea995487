// A scripted UserInput for the in-host tests (the Azure tools' TestUserInput.runWithInputs is the
// model): each prompt takes the next answer of the script; a prompt with no answer left, an answer
// that does not fit its prompt, or an answer left unused fails the test.
import * as vscode from 'vscode';
import type { Container } from '../../src/container';
import { BACK, type Back, type PickItem, type StepInputOptions, type StepPickOptions, type UserInput } from '../../src/platform/userInput';

export { BACK };
/** Dismisses the prompt (Escape). */
export const ESCAPE = Symbol('escape');

/**
 * One answer: a label (string: the item's label without its `$(icon)`, or a RegExp on it) for pick
 * prompts and message buttons, the text for input boxes, a path for an open dialog, BACK for a step's
 * Back button, or ESCAPE.
 */
export type Answer = string | RegExp | Back | typeof ESCAPE;

/** What a prompt showed, in order, so tests can assert on titles, placeholders and problem lists. */
export interface Prompt {
  kind: 'pickStep' | 'inputStep' | 'quickPick' | 'inputBox' | 'warning' | 'openDialog';
  title?: string;
  /** Placeholder, prompt or message text. */
  text?: string;
  /** Item labels (without icons) of a pick, or the buttons of a message. */
  items?: string[];
  /** The text an input box starts with. */
  value?: string;
}

const ICON = /^\$\([^)]*\)\s*/;

function describe(answer: Answer): string {
  return answer === BACK ? 'BACK' : answer === ESCAPE ? 'ESCAPE' : String(answer);
}

class TestUserInput implements UserInput {
  readonly prompts: Prompt[] = [];
  /** The first failure, kept even if the code under test swallowed the thrown error. */
  failure: Error | undefined;

  constructor(private readonly answers: Answer[]) {}

  private fail(message: string): never {
    const error = new Error(
      `${message}\nPrompts so far:\n${this.prompts.map((p) => `  ${p.kind}: ${p.title ?? ''} | ${p.text ?? ''}${p.items ? ` [${p.items.join(' / ')}]` : ''}`).join('\n')}`,
    );
    this.failure ??= error;
    throw error;
  }

  private next(prompt: Prompt): Answer {
    this.prompts.push(prompt);
    const answer = this.answers.shift();
    if (answer === undefined)
      this.fail(`Unexpected prompt (the script has no answer left): ${prompt.kind} "${prompt.text ?? prompt.title ?? ''}"`);
    return answer;
  }

  private choose<T extends { label: string }>(prompt: Prompt, items: readonly T[], answer: Answer): T {
    const found = items.find((i) => {
      const label = i.label.replace(ICON, '');
      return typeof answer === 'string' ? label === answer || i.label === answer : answer instanceof RegExp ? answer.test(label) : false;
    });
    if (!found) this.fail(`No item matches ${describe(answer)} in ${prompt.kind} "${prompt.text ?? ''}"`);
    return found;
  }

  async pickStep<T>(items: ReadonlyArray<PickItem<T>>, options: StepPickOptions<T>): Promise<T | Back | undefined> {
    const prompt: Prompt = {
      kind: 'pickStep',
      title: options.title,
      text: options.placeholder,
      items: items.map((i) => i.label.replace(ICON, '')),
    };
    const answer = this.next(prompt);
    if (answer === ESCAPE) return undefined;
    if (answer === BACK) {
      if (!options.canGoBack) this.fail(`BACK on a step without a Back button: "${options.placeholder}"`);
      return BACK;
    }
    return this.choose(prompt, items, answer).value;
  }

  async inputStep(options: StepInputOptions): Promise<string | Back | undefined> {
    const answer = this.next({ kind: 'inputStep', title: options.title, text: options.prompt, value: options.value });
    if (answer === ESCAPE) return undefined;
    if (answer === BACK) {
      if (!options.canGoBack) this.fail(`BACK on a step without a Back button: "${options.prompt}"`);
      return BACK;
    }
    if (typeof answer !== 'string') this.fail(`An input box needs a string answer, got ${describe(answer)}`);
    const error = options.validate?.(answer);
    if (error) this.fail(`"${answer}" is refused by "${options.prompt}": ${error}`);
    return answer;
  }

  async showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    const prompt: Prompt = {
      kind: 'quickPick',
      title: options.title,
      text: options.placeHolder,
      items: items.map((i) => i.label.replace(ICON, '')),
    };
    const answer = this.next(prompt);
    if (answer === ESCAPE) return undefined;
    return this.choose(prompt, items, answer);
  }

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const answer = this.next({ kind: 'inputBox', title: options.title, text: options.prompt });
    if (answer === ESCAPE) return undefined;
    if (typeof answer !== 'string') this.fail(`An input box needs a string answer, got ${describe(answer)}`);
    const error = await options.validateInput?.(answer);
    if (error) this.fail(`"${answer}" is refused by "${options.prompt ?? ''}": ${typeof error === 'string' ? error : error.message}`);
    return answer;
  }

  async showWarningMessage(message: string, _options: vscode.MessageOptions, ...buttons: string[]): Promise<string | undefined> {
    const prompt: Prompt = { kind: 'warning', text: message, items: buttons };
    const answer = this.next(prompt);
    if (answer === ESCAPE) return undefined;
    return this.choose(
      prompt,
      buttons.map((label) => ({ label })),
      answer,
    ).label;
  }

  async showOpenDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined> {
    const answer = this.next({ kind: 'openDialog', title: options.title });
    if (answer === ESCAPE) return undefined;
    if (typeof answer !== 'string') this.fail(`An open dialog needs a path, got ${describe(answer)}`);
    return [vscode.Uri.file(answer)];
  }
}

/**
 * Runs `action` with every prompt of the extension answered from `answers`, in order. Fails when a
 * prompt finds no answer or one that does not fit, and when answers are left over.
 */
export async function runWithInputs<T>(
  container: Container,
  answers: readonly Answer[],
  action: () => Thenable<T> | Promise<T>,
): Promise<{ result: T; prompts: Prompt[] }> {
  const input = new TestUserInput([...answers]);
  const route = container.ui.use(input);
  try {
    const result = await action();
    if (input.failure) throw input.failure;
    const left = input['answers'];
    if (left.length > 0) throw new Error(`${left.length} answer(s) were not used: ${left.map(describe).join(', ')}`);
    return { result, prompts: input.prompts };
  } catch (e) {
    throw input.failure ?? e;
  } finally {
    route.dispose();
  }
}
