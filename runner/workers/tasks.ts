import { fitMarkdown, renderMarkdown, renderMd, type ContentFilter } from '../content/index.ts'
import { extractWithoutLlm, pageContent } from '../content/strategies/index.ts'

/**
 * /md's whole JSON answer as UTF-8 bytes (transferred, not copied): for a 2 MB page the answer is
 * megabytes, and serializing and encoding it took ~25 ms of the event loop's time in one piece.
 */
function mdAnswer(head: Record<string, unknown>, html: string, pageUrl: string, filter: ContentFilter, query?: string | null): Uint8Array<ArrayBuffer> {
  const { markdown, text } = renderMd(html, pageUrl, filter, query)
  return new TextEncoder().encode(JSON.stringify({ ...head, markdown, text, success: true }))
}

// What a content worker can do: CPU work on plain data (strings, JSON), so arguments and results
// cross the thread boundary by structured clone. Loaded by worker-entry.mjs; never on the event loop
// that serves requests.
export const TASKS = {
  renderMd,
  mdAnswer,
  renderMarkdown,
  fitMarkdown,
  pageContent,
  extractWithoutLlm,
} as const

export type Tasks = typeof TASKS
