import type { CrawlRequest, CrawlResult } from '../contract/request-schemas.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import type { PageWork } from '../session/page-work.ts'
import { runCrawl } from './run-crawl.ts'

/**
 * /crawl's answer: every URL's result, in request order (the same URL may appear twice). The top-level
 * `success` is crawl4ai's: true when the crawl ran and rendered any page (its client raises on false);
 * each result says its own.
 */
export async function crawlInOrder(input: CrawlRequest, work: PageWork, workers: number, llm?: LlmClient): Promise<{ success: boolean; results: CrawlResult[] }> {
  const results = new Map<string, CrawlResult[]>()
  await runCrawl(
    input,
    work,
    workers,
    (r) => {
      const list = results.get(r.url) ?? []
      list.push(r)
      results.set(r.url, list)
    },
    llm,
  )
  const order = input.urls.map((url) => results.get(url)!.shift()!)
  return { success: order.some((r) => r.success), results: order }
}
