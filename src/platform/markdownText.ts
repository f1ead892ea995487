/**
 * Plain text inside Markdown hovers and tooltips. VS Code's `MarkdownString.appendText` turns every
 * space into `&nbsp;`, so a hover cannot wrap between words and the workbench breaks the text in the
 * middle of a word instead. Here every Markdown character is escaped with a backslash (CommonMark:
 * any ASCII punctuation), ordinary spaces stay breakable, and a line break starts a new paragraph as
 * it does with `appendText`. No `vscode` import: unit-tested.
 */

/** `text` as Markdown that renders exactly as the text, wrapping only between words. */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[!-/:-@[-`{-~]/g, '\\$&')
    .replace(/[\t\u00a0]/g, ' ')
    .replace(/^ +/gm, '') // indentation would make a code block
    .replace(/\n/g, '\n\n');
}
