import { z } from '@hono/zod-openapi'
import { LlmNotConfiguredError } from '../contract/errors.ts'
import { urlFromLlmPath } from '../contract/llm-path.ts'
import { LlmRequest, LlmResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { askAboutPage, LLM_EXTRA_MS } from '../pages/ask-page.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'

export function llmRoute(client: LlmClient | undefined) {
  return definePageRoute({
    summary: 'Answer a question about a page with an LLM; with a JSON schema, structured data that fits it',
    body: LlmRequest,
    ok: LlmResponse,
    errors: ['LLM_NOT_CONFIGURED', 'LLM_FAILED'],
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
      return c.json(await askAboutPage(input, work, client))
    },
  })
}
