import { describe, expect, it } from 'vitest'
import { deepCrawlPlan, DeepCrawlStrategy } from '../../../runner/contract/crawl4ai/deep-crawl.ts'
import { compilePattern, compileScorer, compileFilterChain, normalizeDiscoveredUrl } from '../../../runner/contract/crawl4ai/url-filters.ts'
import { Frontier, type FrontierItem } from '../../../edge/deep-crawl/frontier.ts'

// The deep-crawl frontier and its URL logic, without a network: a fake site is a map of links.

const SITE = 'https://site.example'
const GRAPH: Record<string, string[]> = {
  '/': ['/a', '/b', '/docs/guide', 'https://other.example/x', '/a#top', '/a?utm_source=mail'],
  '/a': ['/a/1', '/a/2', '/'],
  '/b': ['/b/1', '/blog/post.pdf'],
  '/a/1': ['/a/1/deep'],
  '/a/2': [],
  '/b/1': [],
  '/docs/guide': ['/docs/guide/api'],
}
const linksOf = (url: string) => {
  const path = new URL(url).pathname
  const all = (GRAPH[path] ?? []).map((h) => new URL(h, url).href)
  return { internal: all.filter((h) => h.startsWith(SITE)).map((href) => ({ href })), external: all.filter((h) => !h.startsWith(SITE)).map((href) => ({ href })) }
}

const plan = (type: string, params: Record<string, unknown>) => deepCrawlPlan(DeepCrawlStrategy.parse({ type, params }))

/** Runs a frontier to the end, `room` pages at a time, finishing pages in the order they were started. */
function crawl(type: string, params: Record<string, unknown>, room = 4, fail: (url: string) => boolean = () => false) {
  const f = new Frontier(plan(type, params), [`${SITE}/`])
  const order: FrontierItem[] = []
  const batches: string[][] = []
  while (!f.finished) {
    const batch = f.take(room)
    if (batch.length === 0) throw new Error('stalled')
    batches.push(batch.map((i) => new URL(i.url).pathname))
    for (const item of batch) {
      order.push(item)
      f.done(item, { success: !fail(item.url), links: linksOf(item.url) })
    }
  }
  return { paths: order.map((i) => new URL(i.url).pathname), order, batches }
}

describe('deep crawl frontier', () => {
  it('BFS: level by level, links deduplicated (fragment, tracking parameters), depth bounded', () => {
    const { paths, order } = crawl('BFSDeepCrawlStrategy', { max_depth: 2 })
    expect(paths).toEqual(['/', '/a', '/b', '/docs/guide', '/a/1', '/a/2', '/b/1', '/blog/post.pdf', '/docs/guide/api'])
    expect(order.find((i) => i.url.endsWith('/a/1'))).toMatchObject({ depth: 2, parent: `${SITE}/a` })
  })

  it('DFS: one branch to the bottom before the next', () => {
    const { paths, batches } = crawl('DFSDeepCrawlStrategy', { max_depth: 3 })
    expect(paths).toEqual(['/', '/a', '/a/1', '/a/1/deep', '/a/2', '/b', '/b/1', '/blog/post.pdf', '/docs/guide', '/docs/guide/api'])
    expect(batches.every((b) => b.length === 1)).toBe(true)
  })

  it('best-first: the highest-scored URL first', () => {
    const { paths } = crawl('BestFirstCrawlingStrategy', { max_depth: 2, url_scorer: { type: 'KeywordRelevanceScorer', params: { keywords: ['guide', 'api'] } } }, 1)
    expect(paths.slice(0, 3)).toEqual(['/', '/docs/guide', '/docs/guide/api'])
  })

  it('max_pages counts pages that succeeded; include_external adds other sites', () => {
    expect(crawl('BFSDeepCrawlStrategy', { max_depth: 5, max_pages: 3 }).paths).toHaveLength(3)
    // the root keeps as many links as pages are left (2: /a, /b); /a fails, so it does not use up
    // the budget and its links are not followed: /b's first link fills the third page
    const withFailure = crawl('BFSDeepCrawlStrategy', { max_depth: 5, max_pages: 3 }, 4, (u) => u.endsWith('/a'))
    expect(withFailure.paths).toEqual(['/', '/a', '/b', '/b/1'])
    expect(crawl('BFSDeepCrawlStrategy', { max_depth: 1, include_external: true }).paths).toContain('/x')
  })

  it('filter chains: URL patterns and domains, applied to discovered URLs only', () => {
    const { paths } = crawl('BFSDeepCrawlStrategy', {
      max_depth: 3,
      filter_chain: { type: 'FilterChain', params: { filters: [{ type: 'URLPatternFilter', params: { patterns: ['*/a*'] } }] } },
    })
    expect(paths).toEqual(['/', '/a', '/a/1', '/a/2', '/a/1/deep'])
    const blocked = crawl('BFSDeepCrawlStrategy', { max_depth: 1, include_external: true, filter_chain: { type: 'FilterChain', params: { filters: [{ type: 'DomainFilter', params: { blocked_domains: ['other.example'] } }] } } })
    expect(blocked.paths).not.toContain('/x')
  })

  it("clamps max_depth and max_pages to the server's limits", () => {
    expect(plan('BFSDeepCrawlStrategy', { max_depth: 50, max_pages: 10_000 })).toMatchObject({ maxDepth: 5, maxPages: 100 })
  })
})

describe("crawl4ai's URL filters and scorers", () => {
  it.each([
    ['*.pdf', 'https://s.example/blog/post.pdf', true],
    ['*.pdf', 'https://s.example/blog/post.html', false],
    ['/docs/*', 'https://s.example/docs/guide', true],
    ['/docs/*', 'https://s.example/documents', false],
    ['*/blog/*', 'https://s.example/blog/2024/x', true],
    ['^https://s\\.example/\\d+$', 'https://s.example/42', true],
    ['*{guide,api}*', 'https://s.example/api/v1', true],
  ])('URLPatternFilter %s on %s → %s', (pattern, url, expected) => {
    expect(compilePattern(pattern).test(url)).toBe(expected)
  })

  it('ContentTypeFilter passes URLs without an extension and those of the allowed types', () => {
    const f = compileFilterChain([{ type: 'ContentTypeFilter', params: { allowed_types: ['text/html'] } }])
    expect([f('https://s.example/a'), f('https://s.example/a.html'), f('https://s.example/a.pdf')]).toEqual([true, true, false])
  })

  it('scorers: keyword share, path depth, composite', () => {
    expect(compileScorer({ type: 'KeywordRelevanceScorer', params: { keywords: ['api', 'guide'], weight: 2 } })!('https://s.example/api')).toBe(1)
    expect(compileScorer({ type: 'PathDepthScorer', params: { optimal_depth: 1 } })!('https://s.example/a/b')).toBe(0.5)
    const composite = compileScorer({ type: 'CompositeScorer', params: { scorers: [{ type: 'KeywordRelevanceScorer', params: { keywords: ['a'] } }, { type: 'PathDepthScorer', params: { optimal_depth: 1 } }] } })!
    expect(composite('https://s.example/a')).toBe(1)
  })

  it('normalises discovered URLs as crawl4ai does', () => {
    expect(normalizeDiscoveredUrl('/a?utm_source=x&b=2&a=1#frag', 'https://S.example/x')).toBe('https://s.example/a?a=1&b=2')
  })
})
