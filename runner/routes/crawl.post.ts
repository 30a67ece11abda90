import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResponse } from '../contract/request-schemas.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { crawlInOrder } from '../pages/crawl-in-order.ts'
import { checkCrawl } from '../pages/run-crawl.ts'
import { definePageRoute } from '../http/define-route.ts'

export function crawlRoute(workers: () => number, llm?: LlmClient) {
  return definePageRoute({
    summary: 'Crawl up to 100 URLs; one result per URL, in request order',
    body: CrawlRequest,
    ok: CrawlResponse,
    checkUrlUpFront: false,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work, c) => {
      await checkCrawl(input, llm) // before any page is rendered
      return c.json(await crawlInOrder(input, work, workers(), llm))
    },
  })
}
