import * as vscode from 'vscode';

/** Returned by a step when the user pressed the Back button. */
export const BACK = Symbol('back');
export type Back = typeof BACK;

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

/**
 * Multi-step input: each prompt shows "title (step/total)" and a Back button after the first step.
 * A prompt resolves with the answer, BACK, or undefined when the user cancelled (Escape).
 */
export class StepInput {
  step = 1;
  total = 1;

  constructor(private readonly title: string) {}

  private heading(): string {
    return this.total > 1 ? `${this.title} (${this.step}/${this.total})` : this.title;
  }

  /**
   * The part both prompts share: heading, Back button, resolving once (Back, hide = cancel) and
   * disposing. Returns the function that settles the prompt with an answer.
   */
  private settle<V>(widget: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[]; onDidTriggerButton: vscode.Event<vscode.QuickInputButton> }, resolve: (v: V | Back | undefined) => void): (v: V | Back | undefined) => void {
    widget.title = this.heading();
    widget.ignoreFocusOut = true;
    widget.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    const finish = (v: V | Back | undefined): void => {
      if (done) return;
      done = true;
      resolve(v);
      widget.dispose();
    };
    widget.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) finish(BACK);
    });
    widget.onDidHide(() => finish(undefined));
    return finish;
  }

  pick<T>(items: Array<PickItem<T>>, options: { placeholder: string; activeValue?: T }): Promise<T | Back | undefined> {
    return new Promise((resolve) => {
      const qp = vscode.window.createQuickPick<PickItem<T>>();
      const finish = this.settle<T>(qp, resolve);
      qp.placeholder = options.placeholder;
      qp.items = items;
      qp.matchOnDetail = true;
      const active = items.find((i) => options.activeValue !== undefined && i.value === options.activeValue);
      if (active) qp.activeItems = [active];
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0] ?? qp.activeItems[0];
        if (chosen) finish(chosen.value);
      });
      qp.show();
    });
  }

  input(options: { prompt: string; value?: string; placeholder?: string; password?: boolean; validate?: (v: string) => string | undefined }): Promise<string | Back | undefined> {
    return new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      const finish = this.settle<string>(box, resolve);
      box.prompt = options.prompt;
      box.value = options.value ?? '';
      box.placeholder = options.placeholder;
      box.password = options.password === true;
      box.onDidChangeValue((v) => {
        box.validationMessage = options.validate?.(v);
      });
      box.onDidAccept(() => {
        const error = options.validate?.(box.value);
        if (error) {
          box.validationMessage = error;
          return;
        }
        finish(box.value);
      });
      box.show();
    });
  }
}

export type StepResult = 'next' | 'skip' | Back | undefined;

/**
 * Runs steps in order; 'skip' steps are not remembered, so Back returns to the last step that was
 * actually shown. Resolves true when every step passed, false on cancel.
 */
export async function runSteps(input: StepInput, steps: Array<() => Promise<StepResult>>): Promise<boolean> {
  const history: number[] = [];
  let i = 0;
  while (i < steps.length) {
    input.step = history.length + 1;
    input.total = Math.max(input.step, history.length + (steps.length - i));
    const result = await steps[i]();
    if (result === undefined) return false;
    if (result === BACK) {
      const previous = history.pop();
      if (previous === undefined) return false;
      i = previous;
      continue;
    }
    if (result === 'next') history.push(i);
    i++;
  }
  return true;
}
