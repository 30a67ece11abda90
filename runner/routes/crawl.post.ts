import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResponse, type CrawlResult } from '../contract/request-schemas.ts'
import { checkCrawl, runCrawl } from '../pages/run-crawl.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { definePageRoute } from '../http/define-route.ts'

export function crawlRoute(workers: () => number, llm?: LlmClient) {
  return definePageRoute({
    path: '/crawl',
    summary: 'Crawl up to 100 URLs; one result per URL, in request order',
    body: CrawlRequest,
    ok: CrawlResponse,
    checkUrlUpFront: false,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work, c) => {
      checkCrawl(input, llm)
      const results = new Map<string, CrawlResult[]>()
      const order: CrawlResult[] = new Array(input.urls.length)
      await runCrawl(
        input,
        work,
        workers(),
        (r) => {
          const list = results.get(r.url) ?? []
          list.push(r)
          results.set(r.url, list)
        },
        llm,
      )
      // the same URL may appear twice: hand results back in request order
      input.urls.forEach((url, i) => (order[i] = results.get(url)!.shift()!))
      // crawl4ai answers success: true when the crawl ran (its client raises otherwise); each result says its own
      return c.json({ success: order.some((r) => r.success), results: order })
    },
  })
}
