import { InvalidFieldError, LlmNotConfiguredError } from '../contract/errors.ts'
import { MdRequest, MdResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { abortable } from '../util/with-deadline.ts'
import { offload, prestartContentWorker } from '../workers/offload.ts'

/** Keeps what `query` asks for in `markdown`; absent when no LLM is configured. */
export type MarkdownLlmFilter = ((markdown: string, query: string, url: string, signal: AbortSignal) => Promise<string>) | undefined

/**
 * How long a conversion may keep its page open. The page's close is ~12 ms of Chromium's CPU, which
 * a conversion running beside it loses (measured on 2 cores: 21 ms on the worker beside the close,
 * 10 ms without it), and the answer waits for the conversion but not for the close: so a short
 * conversion runs first and the page closes after it. A long one (a large page: seconds) does
 * not hold a page slot for its CPU work; its page closes at once.
 */
const CONVERSION_BEFORE_CLOSE_MS = 50

const settleOrLeave = (work: Promise<unknown>) => abortable(work, AbortSignal.timeout(CONVERSION_BEFORE_CLOSE_MS)).catch(() => undefined)

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
      const { conversion } = await work.withPage(async (p, ms) => {
        const page = await renderHtml(p, input, ms, { signals })
        // the conversion runs on a content worker (seconds of CPU for a large page, never on the event loop)
        const conversion: Promise<{ fit: string; url: string } | { answer: Uint8Array<ArrayBuffer> }> =
          input.f === 'llm'
            ? offload('renderMarkdown', [page.html, page.url, 'fit'], { signal }).then((fit) => ({ fit, url: page.url }))
            : // the answer (the MdResponse shape) is serialized on the worker too: megabytes of JSON
              offload('mdAnswer', [head, page.html, page.url, input.f, input.q], { signal }).then((answer) => ({ answer }))
        conversion.catch(() => undefined) // awaited below
        await settleOrLeave(conversion)
        return { conversion }
      })
      const done = await conversion
      if ('fit' in done) {
        const markdown = await llmFilter!(done.fit, input.q!, done.url, signal)
        return c.json({ ...head, markdown, text: null, success: true as const })
      }
      return c.body(done.answer, 200, { 'content-type': 'application/json' })
    },
  })
}
