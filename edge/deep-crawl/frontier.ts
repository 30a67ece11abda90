import type { DeepCrawlPlan } from '../../runner/contract/crawl4ai/deep-crawl.ts'
import { compileFilterChain, compileScorer, isCrawlableUrl, normalizeDiscoveredUrl, type UrlPredicate, type UrlScore } from '../../runner/contract/crawl4ai/url-filters.ts'

// Which page a deep crawl renders next, as crawl4ai's strategies decide it (deep_crawling/):
//   bfs         one depth level at a time; a level starts when the previous one has finished
//   dfs         a stack, one page at a time, first link first
//   best-first  highest URL score first, in batches of up to 10, each batch's links read in queue order
// Pure: no network, no clock. The orchestrator asks for work, reports each page, and stops when done.

export interface FrontierItem {
  readonly url: string
  readonly depth: number
  readonly parent: string | null
  readonly score: number
}

export interface PageOutcome {
  readonly success: boolean
  readonly links: { readonly internal: readonly { href: string }[]; readonly external: readonly { href: string }[] }
}

const BEST_FIRST_BATCH = 10

export class Frontier {
  private readonly filter: UrlPredicate
  private readonly score: UrlScore | undefined
  private readonly seen = new Set<string>()
  /** bfs: the level being crawled and the next one; dfs: a stack; best-first: the queue */
  private queue: FrontierItem[] = []
  private nextLevel: FrontierItem[] = []
  private inFlight = 0
  /** best-first: results of the current batch, read in queue order once the batch is complete */
  private batch: { item: FrontierItem; outcome?: PageOutcome }[] = []
  /** pages that succeeded: max_pages counts these, as crawl4ai does */
  succeeded = 0

  constructor(
    private readonly plan: DeepCrawlPlan,
    roots: readonly string[],
  ) {
    this.filter = compileFilterChain(plan.filters)
    this.score = compileScorer(plan.scorer)
    for (const url of roots) {
      const key = normalizeDiscoveredUrl(url, url) ?? url
      if (this.seen.has(key)) continue
      this.seen.add(key)
      this.queue.push({ url, depth: 0, parent: null, score: this.score?.(url) ?? 0 })
    }
    if (plan.kind === 'dfs') this.queue.reverse()
  }

  /** The pages to start now, at most `room`; none while a level or a batch must finish first. */
  take(room: number): FrontierItem[] {
    const budget = this.plan.maxPages - this.succeeded - this.inFlight
    const n = Math.max(0, Math.min(room, budget))
    if (n === 0) return []
    let out: FrontierItem[]
    switch (this.plan.kind) {
      case 'bfs':
        if (this.queue.length === 0 && this.inFlight === 0) [this.queue, this.nextLevel] = [this.nextLevel, []]
        out = this.queue.splice(0, n)
        break
      case 'dfs':
        out = this.inFlight === 0 && this.queue.length ? [this.queue.pop()!] : []
        break
      case 'best-first':
        if (this.inFlight > 0 || this.batch.length > 0) return []
        this.queue.sort((a, b) => b.score - a.score || a.depth - b.depth)
        out = this.queue.splice(0, Math.min(n, BEST_FIRST_BATCH))
        this.batch = out.map((item) => ({ item }))
        break
    }
    this.inFlight += out.length
    return out
  }

  /** A page finished; its links are discovered (for best-first, once its whole batch is in). */
  done(item: FrontierItem, outcome: PageOutcome): void {
    this.inFlight--
    if (outcome.success) this.succeeded++
    if (this.plan.kind !== 'best-first') {
      if (outcome.success) this.discover(item, outcome)
      return
    }
    const slot = this.batch.find((b) => b.item === item)
    if (slot) slot.outcome = outcome
    if (this.batch.some((b) => b.outcome === undefined)) return
    for (const b of this.batch) if (b.outcome!.success) this.discover(b.item, b.outcome!)
    this.batch = []
  }

  /** Nothing left to start and nothing running. */
  get finished(): boolean {
    if (this.inFlight > 0) return false
    if (this.succeeded >= this.plan.maxPages) return true
    return this.queue.length === 0 && this.nextLevel.length === 0
  }

  private discover(item: FrontierItem, outcome: PageOutcome): void {
    const depth = item.depth + 1
    if (depth > this.plan.maxDepth) return
    const room = this.plan.maxPages - this.succeeded
    if (room <= 0) return
    const links = [...outcome.links.internal, ...(this.plan.includeExternal ? outcome.links.external : [])]
    const found: FrontierItem[] = []
    for (const link of links) {
      const url = normalizeDiscoveredUrl(link.href, item.url)
      if (!url || this.seen.has(url)) continue
      if (!isCrawlableUrl(url) || !this.filter(url)) continue
      const score = this.score?.(url) ?? 0
      if (score < this.plan.scoreThreshold) continue
      this.seen.add(url)
      found.push({ url, depth, parent: item.url, score })
    }
    // more links than pages left: the best-scored ones, as crawl4ai keeps them
    if (this.plan.kind !== 'best-first' && found.length > room) {
      if (this.score) found.sort((a, b) => b.score - a.score)
      found.length = room
    }
    if (this.plan.kind === 'bfs') this.nextLevel.push(...found)
    else if (this.plan.kind === 'dfs') this.queue.push(...found.reverse())
    else this.queue.push(...found)
  }
}
