import { ClientGoneError, PageTimeoutError } from '../contract/errors.ts'
import { DEFAULT_PAGE_TIMEOUT_MS, type CrawlRequest, type CrawlResult } from '../contract/request-schemas.ts'
import type { PageWork } from '../session/page-work.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { crawlPage } from './crawl-page.ts'
import { SiteBlocks } from './site-blocks.ts'
import { failedCrawlResult } from '../contract/crawl4ai/crawl-result.ts'
import { prestartContentWorker } from '../workers/offload.ts'

// The scraping, Markdown and extraction libraries (linkedom, turndown, htmlparser2, xpath; ajv for
// an LLM's schema) load on the first crawl, not at start: a runner that serves only /html never pays
// for them (README, "Memory").
const crawlResults = () => import('./crawl-result.ts')

/** Refuses, before any page is rendered, what a crawl request cannot be served with (400, 501). */
export async function checkCrawl(input: CrawlRequest, llm: LlmClient | undefined): Promise<void> {
  ;(await crawlResults()).checkCrawlerConfig(input.crawler_config ?? {}, llm)
}

/**
 * Crawls every URL of a request, reporting each result as it finishes. Each page goes through the
 * runner's own admission and pool like any other request; `workers` only keeps one crawl from
 * filling the whole queue with its own pages (it is the runner's page-slot count, not a private limit).
 * The page goes back to the pool before its content is processed. One URL failing fails only its
 * own result. Stops early when the request's signal aborts.
 */
export async function runCrawl(input: CrawlRequest, work: PageWork, workers: number, onResult: (r: CrawlResult) => void | Promise<void>, llm?: LlmClient): Promise<void> {
  const config = input.crawler_config ?? {}
  const initScripts = input.browser_config?.init_scripts
  const pageTimeoutMs = config.page_timeout ?? DEFAULT_PAGE_TIMEOUT_MS
  // blocks a site repeats on every page of this crawl are boilerplate (this request's pages only)
  const siteBlocks = new SiteBlocks()
  prestartContentWorker()
  const { crawlResultOf } = await crawlResults()
  let next = 0
  const worker = async () => {
    while (next < input.urls.length && !work.deadline.signal.aborted) {
      const index = next++
      const url = input.urls[index]!
      await onResult(await crawlOne(url, index))
    }
  }
  const crawlOne = async (url: string, index: number): Promise<CrawlResult> => {
    try {
      await work.checkUrl(url, `urls.${index}`)
      const page = await work.withPage((p, remainingMs) => crawlPage(p, url, config, { timeoutMs: Math.min(pageTimeoutMs, remainingMs), initScripts }), {
        waitUntilDeadline: true,
      })
      return await crawlResultOf(url, page, config, llm, work.deadline.signal, siteBlocks)
    } catch (err) {
      if (err instanceof ClientGoneError) throw err
      return failedCrawlResult(url, err)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, input.urls.length)) }, worker))
  // the request's deadline ended the crawl early: every URL still gets its result
  for (; next < input.urls.length; next++) {
    await onResult(failedCrawlResult(input.urls[next]!, work.deadline.signal.reason ?? new PageTimeoutError('the crawl ran out of time')))
  }
}
