import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResponse, type CrawlResult } from '../contract/request-schemas.ts'
import { runCrawl } from '../pages/run-crawl.ts'
import { definePageRoute } from '../http/define-route.ts'

export function crawlRoute(workers: () => number) {
  return definePageRoute({
    summary: 'Crawl up to 100 URLs; one result per URL, in request order',
    body: CrawlRequest,
    ok: CrawlResponse,
    checkUrlUpFront: false,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work, c) => {
      const results = new Map<string, CrawlResult[]>()
      const order: CrawlResult[] = new Array(input.urls.length)
      await runCrawl(input, work, workers(), (r) => {
        const list = results.get(r.url) ?? []
        list.push(r)
        results.set(r.url, list)
      })
      // the same URL may appear twice: hand results back in request order
      input.urls.forEach((url, i) => (order[i] = results.get(url)!.shift()!))
      return c.json({ success: order.every((r) => r.success), results: order })
    },
  })
}
