import { z } from '@hono/zod-openapi'
import { ClientGoneError } from '../contract/errors.ts'
import { CRAWL_TIMEOUT_MS, CrawlRequest, CrawlResult } from '../contract/request-schemas.ts'
import { checkCrawl, runCrawl } from '../pages/run-crawl.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import { definePageRoute } from '../http/define-route.ts'

/** the stream's last line */
const CrawlStreamEnd = z
  .object({ status: z.enum(['completed', 'failed']), error_message: z.string().optional() })
  .openapi('CrawlStreamEnd')
/** one line of the stream */
const CrawlStreamLine = z.union([CrawlResult, CrawlStreamEnd]).openapi({
  description: 'one JSON value per line: a CrawlResult for each URL as its page finishes, then {"status": "completed"} (or "failed" with error_message)',
})

/** NDJSON: one result per line as each page finishes, then {"status":"completed"}. */
export function crawlStreamRoute(workers: () => number, llm?: LlmClient) {
  return definePageRoute({
    summary: 'Crawl up to 100 URLs, streaming one NDJSON result per line as each page finishes',
    body: CrawlRequest,
    ok: CrawlStreamLine,
    binary: 'application/x-ndjson',
    checkUrlUpFront: false,
    ownsDeadline: true,
    timeoutMs: () => CRAWL_TIMEOUT_MS,
    run: async (input, work) => {
      await checkCrawl(input, llm)
      const encoder = new TextEncoder()
      let cancelled = false
      // every crawl worker that is waiting for the reader; all wake when the reader pulls or leaves
      const waiting: (() => void)[] = []
      const wakeAll = () => waiting.splice(0).forEach((wake) => wake())
      // the deadline ending while workers wait on a reader that stopped reading must free them too
      work.deadline.signal.addEventListener('abort', wakeAll, { once: true })
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          // a crawl worker waits here until the client has read the previous line, so a slow reader
          // holds back the crawl instead of the runner holding every result in memory
          const line = async (o: unknown) => {
            if (cancelled) return
            controller.enqueue(encoder.encode(`${JSON.stringify(o)}\n`))
            while (!cancelled && !work.deadline.signal.aborted && (controller.desiredSize ?? 1) <= 0) {
              await new Promise<void>((resolve) => waiting.push(resolve))
            }
          }
          runCrawl(input, work, workers(), line, llm)
            .then(() => line({ status: 'completed' }))
            .catch((err: unknown) => {
              if (!(err instanceof ClientGoneError)) return line({ status: 'failed', error_message: String(err) })
            })
            .finally(() => {
              work.deadline.dispose()
              try {
                controller.close()
              } catch {
                // the client went away and the stream is already cancelled
              }
            })
        },
        pull() {
          wakeAll()
        },
        cancel() {
          // the client stopped reading: abort the remaining pages
          cancelled = true
          wakeAll()
          work.deadline.cancel()
        },
      })
      return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } })
    },
  })
}
