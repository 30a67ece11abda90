// The package ships no types; only what this folder imports is declared. Its `tables` and
// `taskListItems` are not used: see gfm-rules.ts.
declare module '@joplin/turndown-plugin-gfm' {
  import type TurndownService from 'turndown'
  export const strikethrough: TurndownService.Plugin
  export const highlightedCodeBlock: TurndownService.Plugin
}
