/**
 * Plain text inside Markdown hovers and tooltips. VS Code's `MarkdownString.appendText` turns every
 * space into `&nbsp;`, so a hover cannot wrap between words and the workbench breaks the text in the
 * middle of a word instead. Here the characters that mean something inside a line (emphasis, code,
 * links, HTML, entities, theme icons, tables) and those that start a block at the beginning of a line
 * (headings, quotes, lists, rules) are escaped with a backslash, as CommonMark allows for any ASCII
 * punctuation; ordinary spaces stay breakable; a line break starts a new paragraph as it does with
 * `appendText`. No `vscode` import: unit-tested.
 */

/** `text` as Markdown that renders exactly as the text, wrapping only between words. */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\\`*_[\]<>&~|$]/g, '\\$&')
    .replace(/[\t\u00a0]/g, ' ')
    .replace(/^ +/gm, '') // indentation would make a code block
    .replace(/^([#>+=-])/gm, '\\$1')
    .replace(/^(\d+)([.)])/gm, '$1\\$2')
    .replace(/\n/g, '\n\n');
}
