import { z } from '@hono/zod-openapi'
import { browserRequestOf } from '../contract/browser-request.ts'
import { LlmNotConfiguredError } from '../contract/errors.ts'
import { urlFromLlmPath } from '../contract/llm-path.ts'
import { LlmRequest, LlmResponse } from '../contract/request-schemas.ts'
import { fitMarkdown } from '../content/index.ts'
import { definePageRoute } from '../http/define-route.ts'
import { answerQuestion } from '../llm/answer.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'

const LLM_EXTRA_MS = 60_000

export function llmRoute(client: LlmClient | undefined) {
  return definePageRoute({
    path: '/llm',
    summary: 'Answer a question about a page with an LLM; with a JSON schema, structured data that fits it',
    body: LlmRequest,
    ok: LlmResponse,
    errors: { 501: 'no LLM is configured', 502: "the target or the LLM failed, or the LLM's answer does not fit the schema (the message names the mismatch)" },
    checkUrlUpFront: true,
    // the page's own time plus the model's
    timeoutMs: (input) => pageTimeoutMsOf(input) + LLM_EXTRA_MS,
    get: {
      openApiPath: '/llm/{url}',
      // crawl4ai's callers send the URL unencoded: /llm/example.com/docs/page?q=…
      routingPath: '/llm/:url{.+}',
      request: {
        params: z.object({
          url: z.string().openapi({ description: 'the page URL, percent-encoded (or as is, slashes and all); https:// is assumed without a scheme' }),
        }),
        query: z.object({ q: z.string().min(1) }),
      },
      input: (c) => ({ url: urlFromLlmPath(new URL(c.req.url).pathname), q: c.req.query('q') }),
    },
    run: async (input, work, c) => {
      if (!client) throw new LlmNotConfiguredError() // before any page is rendered
      const page = await work.withPage(browserRequestOf(input), (p, ms) => renderHtml(p, input, Math.min(ms, pageTimeoutMsOf(input)), { signals: true }))
      const pageMarkdown = fitMarkdown(page.html, page.url)
      return c.json(await answerQuestion({ client, pageMarkdown, url: page.url, question: input.q, schema: input.schema, signal: work.deadline.signal }))
    },
  })
}
