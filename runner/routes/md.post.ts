import { InvalidFieldError, LlmNotConfiguredError } from '../contract/errors.ts'
import { MdRequest, MdResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'

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
      // the page goes back to the pool before the CPU-bound conversion starts
      const signals = input.f === 'fit' || input.f === 'llm' // what the main-content extractor reads from the rendered page
      const page = await work.withPage((p, ms) => renderHtml(p, input, ms, { signals }))
      // the content libraries load on the first /md, not at start (README, "Memory")
      const { renderMarkdown, renderMd } = await import('../content/index.ts')
      const { markdown, text } =
        input.f === 'llm'
          ? { markdown: await llmFilter!(renderMarkdown(page.html, page.url, 'fit'), input.q!, page.url, work.deadline.signal), text: null }
          : renderMd(page.html, page.url, input.f, input.q)
      return c.json({
        url: input.url,
        filter: input.f,
        query: input.q ?? null,
        cache: input.c === undefined || input.c === null ? null : String(input.c),
        markdown,
        text,
        success: true as const,
      })
    },
  })
}
