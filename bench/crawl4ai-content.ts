// `npm run bench -- crawl4ai-content [--pages=N] [--rounds=N]`: what crawl4ai's result shape costs on
// the runner's CPU, in this process, on real pages from the shared corpus. For each page: the
// content crawlfleet's /crawl made before (analysePage: facts, raw and fit Markdown), and
// pageContent (crawl4ai's scraping, Markdown with citations, fit, tables) with crawl4ai's defaults,
// with a PruningContentFilter, and with a JsonCss extraction schema. Medians over pages of the
// per-page median over rounds; ratios against analysePage measured in the same run.
import { readdirSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { performance } from 'node:perf_hooks'
import { CrawlerRunConfig } from '../runner/contract/crawl4ai/crawler-run-config.ts'
import { analysePage } from '../runner/content/index.ts'
import { pageContent } from '../runner/content/strategies/index.ts'

export const DEFAULTS = { pages: 30, rounds: 5 }
const CORPUS = new URL('../../shared/corpus/article-extraction-benchmark/html/', import.meta.url)

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : Number.NaN
}
const round = (n: number) => Math.round(n * 100) / 100

const CONFIGS = {
  defaults: CrawlerRunConfig.parse({}),
  pruning: CrawlerRunConfig.parse({ markdown_generator: { content_filter: { type: 'PruningContentFilter', params: {} } } }),
  json_css: CrawlerRunConfig.parse({ extraction_strategy: { type: 'JsonCssExtractionStrategy', params: { schema: { baseSelector: 'p', fields: [{ name: 't', type: 'text' }] } } } }),
}

export async function crawl4aiContent(argv: readonly string[]): Promise<object> {
  const flags = { ...DEFAULTS }
  for (const a of argv) {
    const m = /^--(pages|rounds)=(\d+)$/.exec(a)
    if (!m) throw new Error(`unknown argument "${a}"; flags: --pages= --rounds=`)
    flags[m[1] as keyof typeof DEFAULTS] = Number(m[2])
  }
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.html.gz')).sort().slice(0, flags.pages)
  const time = (fn: () => unknown) => {
    const ms: number[] = []
    for (let i = 0; i < flags.rounds; i++) {
      const t = performance.now()
      fn()
      ms.push(performance.now() - t)
    }
    return median(ms)
  }
  const perPage: Record<string, number[]> = { analysePage: [], ...Object.fromEntries(Object.keys(CONFIGS).map((k) => [k, []])) }
  for (const f of files) {
    const html = gunzipSync(readFileSync(new URL(f, CORPUS))).toString('utf8')
    const url = `https://corpus.example/${f}`
    perPage.analysePage!.push(time(() => analysePage(html, url)))
    for (const [name, c] of Object.entries(CONFIGS)) perPage[name]!.push(time(() => pageContent(html, url, url, c)))
  }
  const base = median(perPage.analysePage!)
  return {
    pages: files.length,
    rounds: flags.rounds,
    median_ms: Object.fromEntries(Object.entries(perPage).map(([k, v]) => [k, round(median(v))])),
    ratio_to_analysePage: Object.fromEntries(Object.entries(perPage).map(([k, v]) => [k, round(median(v) / base)])),
  }
}
