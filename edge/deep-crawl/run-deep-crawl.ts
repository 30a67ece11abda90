import { deepCrawlPlan } from '../../runner/contract/crawl4ai/deep-crawl.ts'
import { ClientGoneError } from '../../runner/contract/errors.ts'
import { failedCrawlResult } from '../../runner/contract/crawl4ai/crawl-result.ts'
import type { CrawlRequest, CrawlResult } from '../../runner/contract/request-schemas.ts'
import type { UrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import type { EdgeClock } from '../core/clock.ts'
import type { Forward } from '../forward.ts'
import { Frontier, type FrontierItem } from './frontier.ts'

// A deep crawl run by the edge: the frontier picks the pages, each page is one single-URL /crawl
// sent through the forwarder (so it goes to a runner by the usual placement, and the next page may
// go to another), every URL passes the URL policy first, and results come out as pages finish.

/** pages of one deep crawl in flight at once */
export const DEEP_CRAWL_CONCURRENCY = 4

export interface DeepCrawlDeps {
  readonly forward: Forward
  readonly urlPolicy: UrlPolicy
  readonly clock: EdgeClock
}

export interface DeepCrawlCall {
  readonly input: CrawlRequest
  readonly signature: string
  readonly requestId: string
  readonly deadlineAtMs: number
  readonly signal: AbortSignal
}

const encoder = new TextEncoder()

/** the runner's error body, or the start of whatever it sent */
async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '')
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error
    if (e?.code) return `${e.code}: ${e.message ?? ''}`
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}: ${text.slice(0, 200)}`
}

/** The crawl's results, in the order pages finish, each with depth, parent_url and score in its metadata. */
export async function* runDeepCrawl(deps: DeepCrawlDeps, call: DeepCrawlCall): AsyncGenerator<CrawlResult> {
  const config = call.input.crawler_config!
  const plan = deepCrawlPlan(config.deep_crawl_strategy!)
  const { deep_crawl_strategy: _deep, stream: _stream, ...pageConfig } = config
  const frontier = new Frontier(plan, call.input.urls)
  let pageNumber = 0

  const renderOne = async (item: FrontierItem): Promise<CrawlResult> => {
    try {
      await deps.urlPolicy.check(item.url, item.depth === 0 ? `urls.${call.input.urls.indexOf(item.url)}` : 'url')
      const body = encoder.encode(JSON.stringify({ urls: [item.url], browser_config: call.input.browser_config, crawler_config: pageConfig })) as Uint8Array<ArrayBuffer>
      const res = await deps.forward({
        method: 'POST',
        pathWithQuery: '/crawl',
        body,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        signature: call.signature,
        // a key per page: default-signature pages are placed (two choices) independently of each other
        requestId: `${call.requestId}.${++pageNumber}`,
        deadlineAtMs: call.deadlineAtMs,
        clientSignal: call.signal,
      })
      if (res.status !== 200) return failedCrawlResult(item.url, await errorText(res))
      const page = ((await res.json()) as { results: CrawlResult[] }).results[0]
      return page ?? failedCrawlResult(item.url, 'INTERNAL: the runner sent no result')
    } catch (err) {
      if (err instanceof ClientGoneError || call.signal.aborted) throw new ClientGoneError()
      return failedCrawlResult(item.url, err)
    }
  }

  const running = new Map<FrontierItem, Promise<{ item: FrontierItem; result: CrawlResult }>>()
  for (;;) {
    if (call.signal.aborted) throw new ClientGoneError()
    if (deps.clock.now() < call.deadlineAtMs) {
      for (const item of frontier.take(DEEP_CRAWL_CONCURRENCY - running.size)) {
        running.set(item, renderOne(item).then((result) => ({ item, result })))
      }
    }
    if (running.size === 0) break
    const { item, result } = await Promise.race(running.values())
    running.delete(item)
    // a URL the policy refused after being discovered is left out, as a filter would leave it out
    const refusedDiscovery = item.depth > 0 && result.error_message?.startsWith('URL_REFUSED')
    frontier.done(item, { success: result.success, links: result.links })
    if (refusedDiscovery) continue
    yield { ...result, metadata: { ...result.metadata, depth: item.depth, parent_url: item.parent, ...(plan.scorer ? { score: item.score } : {}) } }
    if (frontier.finished && running.size === 0) break
  }
}
