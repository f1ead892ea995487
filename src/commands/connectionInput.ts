import { BACK, type Back, type PickItem, type UserInput } from '../platform/userInput';

export { BACK, type Back, type PickItem };

/**
 * Multi-step input over `UserInput`: each prompt shows "title (step/total)" and a Back button after
 * the first step. A prompt resolves with the answer, BACK, or undefined when the user cancelled (Escape).
 */
export class StepInput {
  step = 1;
  total = 1;

  constructor(
    private readonly ui: UserInput,
    private readonly title: string,
  ) {}

  private heading(): string {
    return this.total > 1 ? `${this.title} (${this.step}/${this.total})` : this.title;
  }

  pick<T>(items: Array<PickItem<T>>, options: { placeholder: string; activeValue?: T }): Promise<T | Back | undefined> {
    return this.ui.pickStep(items, { ...options, title: this.heading(), canGoBack: this.step > 1 });
  }

  input(options: {
    prompt: string;
    value?: string;
    placeholder?: string;
    password?: boolean;
    validate?: (v: string) => string | undefined;
  }): Promise<string | Back | undefined> {
    return this.ui.inputStep({ ...options, title: this.heading(), canGoBack: this.step > 1 });
  }
}

/** What a step's prompt led to: go on, go back, or cancel (undefined). */
export type StepResult = 'next' | Back | undefined;

/** One step of a multi-step flow, as data: its name, whether it applies now, and what it asks. */
export interface FlowStep {
  readonly id: string;
  /** Evaluated when the step is reached; a step that does not apply is passed over (and Back skips it too). */
  readonly when?: () => boolean;
  readonly ask: () => Promise<StepResult>;
}

/**
 * Runs steps in order; steps passed over are not remembered, so Back returns to the last step that
 * was actually shown. Resolves true when every step passed, false on cancel.
 */
export async function runSteps(input: StepInput, steps: readonly FlowStep[]): Promise<boolean> {
  const history: number[] = [];
  let i = 0;
  while (i < steps.length) {
    const step = steps[i];
    if (step.when && !step.when()) {
      i++;
      continue;
    }
    input.step = history.length + 1;
    // The steps that apply as the answers stand now (a later answer may still add or remove some).
    input.total = Math.max(input.step, history.length + steps.slice(i).filter((s) => !s.when || s.when()).length);
    const result = await step.ask();
    if (result === undefined) return false;
    if (result === BACK) {
      const previous = history.pop();
      if (previous === undefined) return false;
      i = previous;
      continue;
    }
    history.push(i);
    i++;
  }
  return true;
}
