import type { CrawlRequest, CrawlResult } from '../contract/request-schemas.ts'
import type { PageWork } from '../session/page-work.ts'
import { runCrawl } from './run-crawl.ts'

/** /crawl's answer: every URL's result, in request order (the same URL may appear twice). */
export async function crawlInOrder(input: CrawlRequest, work: PageWork, workers: number): Promise<{ success: boolean; results: CrawlResult[] }> {
  const results = new Map<string, CrawlResult[]>()
  await runCrawl(input, work, workers, (r) => {
    const list = results.get(r.url) ?? []
    list.push(r)
    results.set(r.url, list)
  })
  const order = input.urls.map((url) => results.get(url)!.shift()!)
  return { success: order.every((r) => r.success), results: order }
}
