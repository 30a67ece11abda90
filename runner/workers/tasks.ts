import { fitMarkdown, renderMarkdown, renderMd } from '../content/index.ts'
import { extractWithoutLlm, pageContent } from '../content/strategies/index.ts'

// What a content worker can do: CPU work on plain data (strings, JSON), so arguments and results
// cross the thread boundary by structured clone. Loaded by worker-entry.mjs; never on the event loop
// that serves requests.
export const TASKS = {
  renderMd,
  renderMarkdown,
  fitMarkdown,
  pageContent,
  extractWithoutLlm,
} as const

export type Tasks = typeof TASKS
