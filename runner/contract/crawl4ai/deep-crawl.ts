import { z } from '@hono/zod-openapi'
import { c4aClass, c4aList, c4aOneOf } from './serialization.ts'

// crawl4ai's deep crawl strategies, filters and scorers (crawl4ai/deep_crawling/). The edge runs
// the crawl (edge/deep-crawl/); the shapes and the pure URL logic (url-filters.ts) live here so
// that the edge needs nothing but runner/contract/.

/** pages one deep crawl may render, and how deep it may go (crawl4ai's server clamps to the same) */
export const MAX_DEEP_CRAWL_PAGES = 100
export const MAX_DEEP_CRAWL_DEPTH = 5

const stringOrList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), c4aList(z.string().min(1).max(2000), 200))

export const UrlPatternFilter = c4aClass('URLPatternFilter', {
  patterns: stringOrList,
  use_glob: z.boolean().optional(),
  reverse: z.boolean().optional(),
})
export const DomainFilter = c4aClass('DomainFilter', {
  allowed_domains: stringOrList.optional(),
  blocked_domains: stringOrList.optional(),
})
export const ContentTypeFilter = c4aClass('ContentTypeFilter', {
  allowed_types: stringOrList,
  check_extension: z.boolean().optional(),
})

export const UrlFilter = c4aOneOf('filter', { URLPatternFilter: UrlPatternFilter, DomainFilter, ContentTypeFilter })
export type UrlFilter = z.output<typeof UrlFilter>

export const FilterChain = c4aClass('FilterChain', { filters: c4aList(UrlFilter, 50).optional() })
export type FilterChain = z.output<typeof FilterChain>

export interface ScorerSpec {
  type: string
  params: { weight?: number; keywords?: string[]; case_sensitive?: boolean; optimal_depth?: number; scorers?: ScorerSpec[]; normalize?: boolean }
}

const weight = z.number().min(-1000).max(1000).optional()
export const KeywordRelevanceScorer = c4aClass('KeywordRelevanceScorer', {
  keywords: stringOrList,
  weight,
  case_sensitive: z.boolean().optional(),
})
export const PathDepthScorer = c4aClass('PathDepthScorer', { optimal_depth: z.number().int().min(0).max(50).optional(), weight })
const SimpleScorer = c4aOneOf('scorer', { KeywordRelevanceScorer, PathDepthScorer })
/** crawl4ai's CompositeScorer, one level deep: its scorers are keyword or path-depth scorers */
export const CompositeScorer = c4aClass('CompositeScorer', { scorers: c4aList(SimpleScorer, 20), normalize: z.boolean().optional() })
export const UrlScorer = c4aOneOf('url_scorer', { KeywordRelevanceScorer, PathDepthScorer, CompositeScorer }) as unknown as z.ZodType<ScorerSpec>

const strategyShape = {
  max_depth: z.number().int().min(0).openapi({ description: `clamped to ${MAX_DEEP_CRAWL_DEPTH}` }),
  filter_chain: FilterChain.optional(),
  url_scorer: UrlScorer.optional(),
  include_external: z.boolean().optional(),
  score_threshold: z.number().optional(),
  max_pages: z.number().int().min(1).optional().openapi({ description: `clamped to ${MAX_DEEP_CRAWL_PAGES}` }),
}

export const DeepCrawlStrategy = c4aOneOf('deep_crawl_strategy', {
  BFSDeepCrawlStrategy: c4aClass('BFSDeepCrawlStrategy', strategyShape),
  DFSDeepCrawlStrategy: c4aClass('DFSDeepCrawlStrategy', strategyShape),
  BestFirstCrawlingStrategy: c4aClass('BestFirstCrawlingStrategy', strategyShape),
}).openapi({ description: 'BFSDeepCrawlStrategy, DFSDeepCrawlStrategy or BestFirstCrawlingStrategy; the edge spreads its pages over the fleet' })
export type DeepCrawlStrategy = z.output<typeof DeepCrawlStrategy>

export interface DeepCrawlPlan {
  readonly kind: 'bfs' | 'dfs' | 'best-first'
  readonly maxDepth: number
  readonly maxPages: number
  readonly includeExternal: boolean
  readonly scoreThreshold: number
  readonly filters: readonly UrlFilter[]
  readonly scorer: ScorerSpec | undefined
}

/** The strategy with crawl4ai's defaults filled in and the server's limits applied. */
export function deepCrawlPlan(s: DeepCrawlStrategy): DeepCrawlPlan {
  const p = s.params as z.output<ReturnType<typeof c4aClass<typeof strategyShape>>>
  return {
    kind: s.type === 'DFSDeepCrawlStrategy' ? 'dfs' : s.type === 'BestFirstCrawlingStrategy' ? 'best-first' : 'bfs',
    maxDepth: Math.min(p.max_depth, MAX_DEEP_CRAWL_DEPTH),
    maxPages: Math.min(p.max_pages ?? MAX_DEEP_CRAWL_PAGES, MAX_DEEP_CRAWL_PAGES),
    includeExternal: p.include_external ?? false,
    scoreThreshold: p.score_threshold ?? Number.NEGATIVE_INFINITY,
    filters: p.filter_chain?.filters ?? [],
    scorer: p.url_scorer,
  }
}
