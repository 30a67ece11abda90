import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResponse } from '../contract/request-schemas.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { crawlInOrder } from '../pages/crawl-in-order.ts'
import { checkCrawl } from '../pages/run-crawl.ts'
import { definePageRoute } from '../http/define-route.ts'
import { ResponseTooLargeError } from '../contract/errors.ts'
import type { ResponseLimits } from './respond.ts'

export function crawlRoute(workers: () => number, limits: ResponseLimits, llm?: LlmClient) {
  return definePageRoute({
    summary: 'Crawl up to 100 URLs; one result per URL, in request order',
    body: CrawlRequest,
    ok: CrawlResponse,
    errors: ['RESPONSE_TOO_LARGE'],
    checkUrlUpFront: false,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work, c) => {
      await checkCrawl(input, llm) // before any page is rendered
      const body = JSON.stringify(await crawlInOrder(input, work, workers(), llm))
      // results are built in memory before they are sent: their total is bounded (/crawl/stream sends each as it comes)
      if (Buffer.byteLength(body) > limits.maxCrawlBytes) throw new ResponseTooLargeError('CRAWLFLEET_MAX_CRAWL_BYTES', limits.maxCrawlBytes)
      return c.body(body, 200, { 'content-type': 'application/json' })
    },
  })
}
