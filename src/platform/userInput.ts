/**
 * Every prompt the extension shows goes through `UserInput` (the Azure tools' `IAzureUserInput` is the
 * model): production answers with VS Code's quick inputs and dialogs; the in-host tests hand the
 * container a scripted implementation that replays answers and fails on an unexpected or unused prompt.
 */
import * as vscode from 'vscode';

/**
 * Returned by a step when the user pressed the Back button. `Symbol.for`, so the bundled extension
 * and the separately compiled tests see the same value.
 */
export const BACK: unique symbol = Symbol.for('redisTls.userInput.back');
export type Back = typeof BACK;

export interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

interface StepOptions {
  /** The heading, e.g. "Add Redis Connection (3/11)". */
  title: string;
  /** Shows a Back button (resolves with BACK when pressed). */
  canGoBack: boolean;
}

export interface StepPickOptions<T> extends StepOptions {
  placeholder: string;
  activeValue?: T;
}

export interface StepInputOptions extends StepOptions {
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** An error message for the text, or undefined when it is acceptable (Enter is refused until then). */
  validate?: (value: string) => string | undefined;
}

export interface UserInput {
  /** A quick pick step of a multi-step input: the chosen item's value, BACK, or undefined on Escape. */
  pickStep<T>(items: ReadonlyArray<PickItem<T>>, options: StepPickOptions<T>): Promise<T | Back | undefined>;
  /** An input box step of a multi-step input: the accepted text, BACK, or undefined on Escape. */
  inputStep(options: StepInputOptions): Promise<string | Back | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined>;
  /** A warning (modal or not) with buttons: the button chosen, or undefined when dismissed. */
  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Promise<string | undefined>;
  showOpenDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined>;
}

type StepWidget = vscode.QuickInput & {
  buttons: readonly vscode.QuickInputButton[];
  onDidTriggerButton: vscode.Event<vscode.QuickInputButton>;
};

/** The production implementation: VS Code's quick inputs and dialogs. */
export class VsCodeUserInput implements UserInput {
  /** Title, Back button, settling once (Back; hiding = Escape) and disposing; returns the settle function. */
  private settle<V>(
    widget: StepWidget,
    options: StepOptions,
    resolve: (v: V | Back | undefined) => void,
  ): (v: V | Back | undefined) => void {
    widget.title = options.title;
    widget.ignoreFocusOut = true;
    widget.buttons = options.canGoBack ? [vscode.QuickInputButtons.Back] : [];
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

  pickStep<T>(items: ReadonlyArray<PickItem<T>>, options: StepPickOptions<T>): Promise<T | Back | undefined> {
    return new Promise((resolve) => {
      const qp = vscode.window.createQuickPick<PickItem<T>>();
      const finish = this.settle<T>(qp, options, resolve);
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

  inputStep(options: StepInputOptions): Promise<string | Back | undefined> {
    return new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      const finish = this.settle<string>(box, options, resolve);
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

  async showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    return vscode.window.showQuickPick(items, options);
  }

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    return vscode.window.showInputBox(options);
  }

  async showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Promise<string | undefined> {
    return vscode.window.showWarningMessage(message, options, ...items);
  }

  async showOpenDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined> {
    return vscode.window.showOpenDialog(options);
  }
}

/**
 * What the container hands to every feature: forwards to the VS Code implementation, or to the one
 * given to `use()` until the returned disposable is disposed (the in-host tests' scripted input).
 */
export class UserInputRouter implements UserInput {
  private target: UserInput;

  constructor(private readonly fallback: UserInput = new VsCodeUserInput()) {
    this.target = fallback;
  }

  use(input: UserInput): vscode.Disposable {
    this.target = input;
    return new vscode.Disposable(() => {
      if (this.target === input) this.target = this.fallback;
    });
  }

  pickStep<T>(items: ReadonlyArray<PickItem<T>>, options: StepPickOptions<T>): Promise<T | Back | undefined> {
    return this.target.pickStep(items, options);
  }

  inputStep(options: StepInputOptions): Promise<string | Back | undefined> {
    return this.target.inputStep(options);
  }

  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    return this.target.showQuickPick(items, options);
  }

  showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    return this.target.showInputBox(options);
  }

  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Promise<string | undefined> {
    return this.target.showWarningMessage(message, options, ...items);
  }

  showOpenDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri[] | undefined> {
    return this.target.showOpenDialog(options);
  }
}
