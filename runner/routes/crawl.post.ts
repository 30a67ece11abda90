import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResponse } from '../contract/request-schemas.ts'
import { crawlInOrder } from '../pages/crawl-in-order.ts'
import { definePageRoute } from '../http/define-route.ts'

export function crawlRoute(workers: () => number) {
  return definePageRoute({
    summary: 'Crawl up to 100 URLs; one result per URL, in request order',
    body: CrawlRequest,
    ok: CrawlResponse,
    checkUrlUpFront: false,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work, c) => c.json(await crawlInOrder(input, work, workers())),
  })
}
