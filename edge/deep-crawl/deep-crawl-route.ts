import type { Context, MiddlewareHandler } from 'hono'
import { browserRequestOf } from '../../runner/contract/browser-request.ts'
import { InvalidFieldError } from '../../runner/contract/errors.ts'
import { CrawlRequest, type CrawlResult } from '../../runner/contract/request-schemas.ts'
import { parseOrThrow } from '../../runner/contract/validate.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { EdgeLogger } from '../core/logger.ts'
import { runDeepCrawl, type DeepCrawlDeps } from './run-deep-crawl.ts'

// POST /crawl and /crawl/stream with crawler_config.deep_crawl_strategy: answered by the edge,
// which runs the crawl page by page over the fleet. Any other body goes on to the runner as before.

const MARKER = new TextEncoder().encode('deep_crawl_strategy')

/** a cheap look before parsing: most crawl bodies carry no deep crawl */
function mentionsDeepCrawl(bytes: Uint8Array): boolean {
  outer: for (let i = 0; i + MARKER.length <= bytes.length; i++) {
    for (let j = 0; j < MARKER.length; j++) if (bytes[i + j] !== MARKER[j]) continue outer
    return true
  }
  return false
}

function parseBody(bytes: Uint8Array): CrawlRequest {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new InvalidFieldError('body', 'is not valid JSON')
  }
  return parseOrThrow(CrawlRequest, json)
}

export function deepCrawlRoute(deps: DeepCrawlDeps & { readonly logger: EdgeLogger }): MiddlewareHandler<EdgeEnv> {
  return async function deepCrawl(c, next) {
    const path = new URL(c.req.url).pathname
    if ((path !== '/crawl' && path !== '/crawl/stream') || !mentionsDeepCrawl(c.get('body'))) return next()
    const input = parseBody(c.get('body'))
    if (!input.crawler_config?.deep_crawl_strategy) return next()
    const abort = new AbortController()
    c.req.raw.signal.addEventListener('abort', () => abort.abort(), { once: true })
    const results = runDeepCrawl(deps, {
      input,
      signature: browserRequestOf(input).signature,
      requestId: c.get('requestId'),
      deadlineAtMs: c.get('deadlineAtMs'),
      signal: abort.signal,
    })
    return path === '/crawl/stream' ? ndjson(results, abort, deps.logger) : collected(c, results)
  }
}

async function collected(c: Context<EdgeEnv>, results: AsyncGenerator<CrawlResult>): Promise<Response> {
  const all: CrawlResult[] = []
  for await (const r of results) all.push(r)
  return c.json({ success: all.some((r) => r.success), results: all })
}

/** One line per page as it finishes, then {"status":"completed"}; the crawl advances as the client reads. */
function ndjson(results: AsyncGenerator<CrawlResult>, abort: AbortController, logger: EdgeLogger): Response {
  const encoder = new TextEncoder()
  let ended = false
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) return
      try {
        const next = await results.next()
        if (!next.done) return controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
        controller.enqueue(encoder.encode(`${JSON.stringify({ status: 'completed' })}\n`))
      } catch (err) {
        if (abort.signal.aborted) return controller.close()
        logger.warn({ err: (err as Error).message }, 'deep crawl failed')
        controller.enqueue(encoder.encode(`${JSON.stringify({ status: 'failed', error_message: String(err) })}\n`))
      }
      ended = true
      controller.close()
    },
    cancel() {
      ended = true
      abort.abort()
      void results.return(undefined)
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' } })
}
