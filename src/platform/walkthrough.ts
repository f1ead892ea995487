import * as vscode from 'vscode';

/** Our walkthrough as VS Code names it: `<publisher>.<name>#<walkthrough id>` (package.json). */
export const WALKTHROUGH_ID = 'redis-tls-explorer.redis-tls-explorer#redisTls.gettingStarted';

export type WalkthroughStep = 'connect' | 'browse' | 'inspect' | 'fix';

const marked = new Set<WalkthroughStep>();

/**
 * Marks a step of the walkthrough done because the user just did it. The steps' completionEvents alone
 * miss it: VS Code creates its walkthrough service only when a walkthrough is first opened (events before
 * are lost, and an onContext key already true then never completes its step), and a command run from a
 * tree row, a CodeLens or a quick fix reaches the workbench as a delegation, not as onCommand.
 */
export function completeWalkthroughStep(step: WalkthroughStep): void {
  if (marked.has(step)) return;
  marked.add(step);
  void vscode.commands.executeCommand('welcome.markStepComplete', `${WALKTHROUGH_ID}#${step}`).then(undefined, () => marked.delete(step));
}
