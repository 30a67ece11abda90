import type { PageRoutes } from '../http/define-route.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { crawlStreamRoute } from './crawl-stream.post.ts'
import { crawlRoute } from './crawl.post.ts'
import executeJsRoute from './execute-js.post.ts'
import htmlRoute from './html.post.ts'
import { llmRoute } from './llm.post.ts'
import { mdRoute } from './md.post.ts'
import { pdfRoute } from './pdf.post.ts'
import type { ResponseLimits } from './respond.ts'
import { screenshotRoute } from './screenshot.post.ts'

export interface RouteOptions {
  /** pages one crawl may have in flight: the runner's page slots */
  crawlWorkers(): number
  /** undefined when no LLM is configured: /llm and /md?f=llm answer 501 */
  llm: LlmClient | undefined
  readonly limits: ResponseLimits
}

export function buildPageRoutes(o: RouteOptions): PageRoutes {
  const llm = o.llm
  // ajv (llm/answer.ts → json-schema.ts) loads on the first LLM call, not at start
  const llmFilter =
    llm &&
    (async (markdown: string, query: string, url: string, signal: AbortSignal) =>
      (await import('../llm/answer.ts')).filterMarkdownWithLlm({ client: llm, markdown, query, url, signal }))
  return {
    '/html': htmlRoute,
    '/screenshot': screenshotRoute(o.limits),
    '/pdf': pdfRoute(o.limits),
    '/execute_js': executeJsRoute,
    '/md': mdRoute(llmFilter),
    '/llm': llmRoute(llm),
    '/crawl': crawlRoute(o.crawlWorkers, o.limits, llm),
    '/crawl/stream': crawlStreamRoute(o.crawlWorkers, llm),
  }
}
