import htmlRoute from './html.post.ts'
import screenshotRoute from './screenshot.post.ts'
import pdfRoute from './pdf.post.ts'
import executeJsRoute from './execute-js.post.ts'
import { filterMarkdownWithLlm } from '../llm/answer.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { mdRoute } from './md.post.ts'
import { llmRoute } from './llm.post.ts'
import { crawlRoute } from './crawl.post.ts'
import { crawlStreamRoute } from './crawl-stream.post.ts'

export interface RouteOptions {
  /** pages one crawl may have in flight: the runner's page slots */
  crawlWorkers(): number
  /** undefined when no LLM is configured: /llm and /md?f=llm answer 501 */
  llm: LlmClient | undefined
}

/** Every page route, in one list: the app registers these and the OpenAPI document lists them. */
export function buildPageRoutes(o: RouteOptions) {
  const llm = o.llm
  const llmFilter = llm && ((markdown: string, query: string, url: string, signal: AbortSignal) => filterMarkdownWithLlm({ client: llm, markdown, query, url, signal }))
  return [
    htmlRoute,
    screenshotRoute,
    pdfRoute,
    executeJsRoute,
    mdRoute(llmFilter),
    llmRoute(llm),
    crawlRoute(o.crawlWorkers, llm),
    crawlStreamRoute(o.crawlWorkers, llm),
  ] as const
}
