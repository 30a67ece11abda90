import { ClientGoneError, CrawlfleetError, PageTimeoutError } from '../contract/errors.ts'
import { DEFAULT_PAGE_TIMEOUT_MS, type CrawlRequest, type CrawlResult } from '../contract/request-schemas.ts'
import { analysePage } from '../content/index.ts'
import type { PageWork } from '../session/page-work.ts'
import { crawlPage } from './crawl-page.ts'
import { SiteBlocks } from './site-blocks.ts'

/**
 * Crawls every URL of a request, reporting each result as it finishes. Each page goes through the
 * runner's own admission and pool like any other request; `workers` only keeps one crawl from
 * filling the whole queue with its own pages (it is the runner's page-slot count, not a private limit).
 * One URL failing fails only its own result. Stops early when the request's signal aborts.
 */
export async function runCrawl(input: CrawlRequest, work: PageWork, workers: number, onResult: (r: CrawlResult) => void | Promise<void>): Promise<void> {
  const config = input.crawler_config ?? {}
  const pageTimeoutMs = config.page_timeout ?? DEFAULT_PAGE_TIMEOUT_MS
  const siteBlocks = new SiteBlocks()
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
      const page = await work.withPage((p, remainingMs) => crawlPage(p, url, config, Math.min(pageTimeoutMs, remainingMs)))
      const analysis = analysePage(page.markedHtml, page.finalUrl, { seenElsewhere: siteBlocks.seenBefore(page.finalUrl) })
      siteBlocks.add(page.finalUrl, analysis.fit.fingerprints)
      // success means the page was rendered, whatever its HTTP status (status_code says it): one rule for every endpoint
      return {
        url,
        success: true,
        status_code: page.statusCode,
        html: page.html,
        markdown: { ...analysis.markdown, fit_html: analysis.fit.html },
        links: analysis.links,
        media: { images: analysis.media.images },
        metadata: analysis.metadata,
        ...(page.screenshot ? { screenshot: page.screenshot } : {}),
        ...(page.pdf ? { pdf: page.pdf } : {}),
      }
    } catch (err) {
      if (err instanceof ClientGoneError) throw err
      return failed(url, err)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, input.urls.length)) }, worker))
  // the request's deadline ended the crawl early: every URL still gets its result
  for (; next < input.urls.length; next++) {
    await onResult(failed(input.urls[next]!, work.deadline.signal.reason ?? new PageTimeoutError('the crawl ran out of time')))
  }
}

function failed(url: string, err: unknown): CrawlResult {
  // what the endpoint would answer: the code, the message, and the rule (URL_REFUSED: … (rule: loopback))
  const message =
    err instanceof CrawlfleetError ? `${err.code}: ${err.message}${err.rule ? ` (rule: ${err.rule})` : ''}` : `INTERNAL: ${err instanceof Error ? err.message : String(err)}`
  return {
    url,
    success: false,
    status_code: null,
    html: '',
    markdown: { raw: '', fit: '', fit_html: '' },
    links: { internal: [], external: [] },
    media: { images: [] },
    metadata: {},
    error_message: message,
  }
}
