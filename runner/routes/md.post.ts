import { InvalidFieldError, LlmNotConfiguredError } from '../contract/errors.ts'
import { MdRequest, MdResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { offload, prestartContentWorker } from '../workers/offload.ts'

/** Keeps what `query` asks for in `markdown`; absent when no LLM is configured. */
export type MarkdownLlmFilter = ((markdown: string, query: string, url: string, signal: AbortSignal) => Promise<string>) | undefined

export function mdRoute(llmFilter: MarkdownLlmFilter) {
  return definePageRoute({
    summary: 'Markdown of a page: raw, fit (main content), bm25 (ranked against q) or llm (filtered by a model)',
    body: MdRequest,
    ok: MdResponse,
    errors: ['LLM_NOT_CONFIGURED', 'LLM_FAILED'],
    checkUrlUpFront: true,
    timeoutMs: pageTimeoutMsOf,
    run: async (input, work, c) => {
      // refuse before rendering anything
      if ((input.f === 'bm25' || input.f === 'llm') && !input.q?.trim()) throw new InvalidFieldError('q', `a query is required when f is "${input.f}"`)
      if (input.f === 'llm' && !llmFilter) throw new LlmNotConfiguredError()
      prestartContentWorker() // its start overlaps the rendering
      // the page goes back to the pool before the CPU-bound conversion starts
      const signals = input.f === 'fit' || input.f === 'llm' // what the main-content extractor reads from the rendered page
      const page = await work.withPage((p, ms) => renderHtml(p, input, ms, { signals }))
      // and the conversion runs on a content worker: seconds of CPU for a large page, never on the event loop
      const signal = work.deadline.signal
      const head = { url: input.url, filter: input.f, query: input.q ?? null, cache: input.c === undefined || input.c === null ? null : String(input.c) }
      if (input.f === 'llm') {
        const markdown = await llmFilter!(await offload('renderMarkdown', [page.html, page.url, 'fit'], { signal }), input.q!, page.url, signal)
        return c.json({ ...head, markdown, text: null, success: true as const })
      }
      // the answer (the MdResponse shape) is serialized on the worker too: megabytes of JSON
      const answer = await offload('mdAnswer', [head, page.html, page.url, input.f, input.q], { signal })
      return c.body(answer, 200, { 'content-type': 'application/json' })
    },
  })
}
