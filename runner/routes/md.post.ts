import { InvalidFieldError, LlmNotConfiguredError } from '../contract/errors.ts'
import { MdRequest, MdResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { convertBeforeClose } from '../session/before-close.ts'
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
      const signals = input.f === 'fit' || input.f === 'llm' // what the main-content extractor reads from the rendered page
      const signal = work.deadline.signal
      const head = { url: input.url, filter: input.f, query: input.q ?? null, cache: input.c === undefined || input.c === null ? null : String(input.c) }
      const { converted } = await work.withPage(async (p, ms) => {
        const page = await renderHtml(p, input, ms, { signals })
        // the conversion runs on a content worker (seconds of CPU for a large page, never on the event loop)
        return convertBeforeClose<{ fit: string; url: string } | { answer: Uint8Array<ArrayBuffer> }>(
          input.f === 'llm'
            ? offload('renderMarkdown', [page.html, page.url, 'fit'], { signal }).then((fit) => ({ fit, url: page.url }))
            : // the answer (the MdResponse shape) is serialized on the worker too: megabytes of JSON
              offload('mdAnswer', [head, page.html, page.url, input.f, input.q], { signal }).then((answer) => ({ answer })),
        )
      })
      const done = await converted
      if ('fit' in done) {
        const markdown = await llmFilter!(done.fit, input.q!, done.url, signal)
        return c.json({ ...head, markdown, text: null, success: true as const })
      }
      return c.body(done.answer, 200, { 'content-type': 'application/json' })
    },
  })
}
