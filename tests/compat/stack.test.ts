import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signRequest } from '../../runner/contract/request-hmac.ts'
import { API_KEY, HMAC_SECRET, startCluster, type Cluster } from '../cluster/cluster.ts'
import { pythonBrowserConfig, pythonCrawlerConfig, typed } from './bodies.ts'

// crawl4ai through the whole local stack (an edge and two runner processes): deep crawls, which the
// edge runs page by page over the fleet, and the request bodies of crawl4ai's own Docker test suite
// (deploy/docker/tests/test_*.py) replayed, each judged by that suite's criterion. Its bodies name
// https://httpbin.org/html; here the fixture site stands in for it. Where crawlfleet differs on
// purpose, the test says so and checks the difference (docs/crawl4ai-compat.md lists them).

let cluster: Cluster
let site: string

beforeAll(async () => {
  cluster = await startCluster({ runners: 2 })
  site = cluster.site.url
}, 240_000) // two Chromium launches, one after the other, on a busy machine
afterAll(async () => {
  await cluster?.stop()
})

type Json = Record<string, any>

/** pages each runner has served so far (its pool's hits and misses), read with a signed request */
async function pagesServed(): Promise<number[]> {
  return Promise.all(
    cluster.runners.map(async (r) => {
      const res = await fetch(`${r.url}/pressure`, { headers: signRequest(HMAC_SECRET, 'GET', '/pressure', Date.now(), '') })
      const p = (await res.json()) as { counters: { hits: number; misses: number } }
      return p.counters.hits + p.counters.misses
    }),
  )
}

async function ndjson(res: Response): Promise<Json[]> {
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Json)
}

const deepBody = (strategy: unknown, extra: Json = {}) => ({
  urls: [`${site}/deep/index.html`],
  browser_config: pythonBrowserConfig(),
  crawler_config: pythonCrawlerConfig({ deep_crawl_strategy: strategy, ...extra }),
})

describe('deep crawl, run by the edge over the fleet', () => {
  let before: number[]
  beforeAll(async () => {
    before = await pagesServed()
  })

  it('BFSDeepCrawlStrategy on /crawl: every page to max_depth, with depth and parent_url', async () => {
    const res = await cluster.post('/crawl', deepBody(typed('BFSDeepCrawlStrategy', { max_depth: 2, include_external: false })))
    expect(res.status).toBe(200)
    const body = (await res.json()) as { success: boolean; results: Json[] }
    expect(body.success).toBe(true)
    const byPath = new Map(body.results.map((r) => [new URL(r.url).pathname, r]))
    expect([...byPath.keys()].sort()).toEqual(['/deep/a.html', '/deep/a1.html', '/deep/a2.html', '/deep/b.html', '/deep/b1.html', '/deep/docs/api.html', '/deep/docs/guide.html', '/deep/index.html'])
    expect(byPath.get('/deep/a1.html')!.metadata).toMatchObject({ depth: 2, parent_url: `${site}/deep/a.html` })
    expect(byPath.get('/deep/index.html')!.metadata).toMatchObject({ depth: 0, parent_url: null })
    expect(byPath.get('/deep/b.html')!.markdown.raw_markdown).toContain('# Section B')
    // depth 3 was not crawled; nothing outside the site was
    expect(cluster.site.requests).not.toContain('/deep/a1x.html')
  })

  it('include_external follows other sites only past the URL policy, and a DomainFilter keeps a site out', async () => {
    const res = await cluster.post(
      '/crawl',
      deepBody(typed('BFSDeepCrawlStrategy', { max_depth: 1, include_external: true, filter_chain: typed('FilterChain', { filters: [typed('DomainFilter', { blocked_domains: ['outside.example'] })] }) })),
    )
    const urls = ((await res.json()) as { results: Json[] }).results.map((r) => r.url)
    expect(urls).not.toContain('https://outside.example/page')
    // the metadata address is refused by the URL policy before any runner is asked
    expect(urls).not.toContain('http://169.254.169.254/latest/meta-data/')
    expect(urls).toContain(`${site}/deep/a.html`)
  })

  it('BestFirstCrawlingStrategy with a KeywordRelevanceScorer and max_pages, streamed as NDJSON on /crawl/stream', async () => {
    const res = await cluster.post(
      '/crawl/stream',
      deepBody(typed('BestFirstCrawlingStrategy', { max_depth: 2, max_pages: 2, url_scorer: typed('KeywordRelevanceScorer', { keywords: ['docs', 'api'], weight: 1 }) }), { stream: true }),
    )
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/)
    const lines = await ndjson(res)
    expect(lines.at(-1)).toEqual({ status: 'completed' })
    const pages = lines.slice(0, -1)
    // of the root's links, the guide scores highest (one keyword of two), so it is the second page
    expect(pages.map((p) => new URL(p.url).pathname)).toEqual(['/deep/index.html', '/deep/docs/guide.html'])
    expect(pages[1]!.metadata).toMatchObject({ depth: 1, score: 0.5, parent_url: `${site}/deep/index.html` })
  })

  it('a URLPatternFilter and DFSDeepCrawlStrategy: one branch at a time, only the matching URLs', async () => {
    const res = await cluster.post('/crawl', deepBody(typed('DFSDeepCrawlStrategy', { max_depth: 3, filter_chain: typed('FilterChain', { filters: [typed('URLPatternFilter', { patterns: ['*/deep/a*'] })] }) })))
    const paths = ((await res.json()) as { results: Json[] }).results.map((r) => new URL(r.url).pathname)
    expect(paths).toEqual(['/deep/index.html', '/deep/a.html', '/deep/a1.html', '/deep/a1x.html', '/deep/a2.html'])
  })

  it('the edge spread the pages of these crawls over both runners (each page placed on its own)', async () => {
    // about 20 pages, each placed by the two-choice rule with a key of its own: one runner taking
    // them all would be a 1-in-500,000 chance
    const served = (await pagesServed()).map((n, i) => n - before[i]!)
    expect(served.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(18)
    expect(served.every((n) => n > 0), `pages per runner: ${served.join(', ')}`).toBe(true)
  })
})

describe("crawl4ai's Docker test suite, replayed (deploy/docker/tests)", () => {
  const unauthenticated = (path: string, init: RequestInit = {}) => fetch(`${cluster.edge.url}${path}`, init)

  it('test_1/test_2: GET /health answers 200, open', async () => {
    for (let i = 0; i < 10; i++) expect((await unauthenticated('/health')).status).toBe(200)
  })

  it('test_3 and test_6: /html, /screenshot, /pdf with {"url"}; /crawl with empty configs', async () => {
    const url = `${site}/compat/products.html`
    for (const path of ['/html', '/screenshot', '/pdf']) {
      const res = await cluster.post(path, { url })
      expect(res.status, path).toBe(200)
      const body = (await res.json()) as Json
      expect(body.success, path).toBe(true)
    }
    const res = await cluster.post('/crawl', { urls: [url], browser_config: {}, crawler_config: {} })
    expect(res.status).toBe(200)
    expect(((await res.json()) as Json).results[0].markdown.raw_markdown).toContain('Spare parts for browser fleets')
  })

  it("test_4: /html at its light level (10 concurrent, 20 requests): all 200; crawlfleet sheds heavier load with 429 + Retry-After, which a client honouring it turns into 200", async () => {
    let next = 0
    const statuses: number[] = []
    const worker = async () => {
      while (next < 20) {
        const i = next++
        for (;;) {
          const res = await cluster.post('/html', { url: `${site}/about.html?i=${i}` })
          await res.body?.cancel()
          if (res.status !== 429 && res.status !== 503) {
            statuses.push(res.status)
            break
          }
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000))
        }
      }
    }
    await Promise.all(Array.from({ length: 10 }, worker))
    expect(statuses).toEqual(Array(20).fill(200))
  })

  it('test_5 and test_7: the typed BrowserConfig with a viewport dict; --disable-web-security is refused by name, the flags crawlfleet already applies are not', async () => {
    const extra_args = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-software-rasterizer', '--disable-web-security', '--allow-insecure-localhost', '--ignore-certificate-errors']
    const body = (args: string[]) => ({
      urls: [`${site}/viewport.html`],
      browser_config: { type: 'BrowserConfig', params: { viewport: { type: 'dict', value: { width: 1024, height: 768 } }, headless: true, text_mode: true, extra_args: args } },
      crawler_config: {},
    })
    const refusedRes = await cluster.post('/crawl', body(extra_args))
    expect(refusedRes.status).toBe(400)
    expect(((await refusedRes.json()) as Json).error).toMatchObject({ code: 'INVALID_FIELD', field: 'browser_config.extra_args.4', message: expect.stringContaining('same-origin policy') })
    const res = await cluster.post('/crawl', body(extra_args.filter((a) => a !== '--disable-web-security')))
    expect(res.status).toBe(200)
    const result = ((await res.json()) as Json).results[0]
    expect(result.success).toBe(true)
    // the viewport dict reached the page
    expect(result.html).toContain('1024')
    const plain = await cluster.post('/crawl', { urls: [`${site}/about.html`], browser_config: {}, crawler_config: {} })
    expect(plain.status).toBe(200)
  })

  it('trust boundary: js_code that fetches the metadata address is served (crawl4ai refuses js_code) but the fetch is refused by the egress proxy', async () => {
    const res = await cluster.post('/crawl', { urls: [`${site}/about.html`], crawler_config: { js_code: "return fetch('http://169.254.169.254/latest/meta-data/').then(r => r.status)" } })
    expect(res.status).toBe(200)
    const result = ((await res.json()) as Json).results[0]
    expect(result.success).toBe(true)
    expect(result.js_execution_result.success).toBe(false)
    expect(JSON.stringify(result.js_execution_result.results[0])).toMatch(/error/i)
  })

  it('trust boundary: LLMConfig.api_token "env:SECRET_KEY" (the credential-exfil proof of concept) is a 400', async () => {
    const res = await cluster.post('/crawl', {
      urls: [`${site}/about.html`],
      crawler_config: typed('CrawlerRunConfig', { extraction_strategy: typed('LLMExtractionStrategy', { llm_config: typed('LLMConfig', { api_token: 'env:SECRET_KEY' }) }) }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as Json).error.field).toBe('crawler_config.extraction_strategy.llm_config.api_token')
  })

  it('trust boundary: deep_crawl_strategy with max_depth 9 is served, clamped to depth 5 and 100 pages (crawl4ai refuses it)', async () => {
    const res = await cluster.post('/crawl', { urls: [`${site}/deep/b1.html`], crawler_config: { deep_crawl_strategy: { type: 'BFSDeepCrawlStrategy', params: { max_depth: 9 } } } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as Json).results.map((r: Json) => r.url)).toEqual([`${site}/deep/b1.html`])
  })

  it('SSRF: an internal seed URL on /crawl, /crawl with stream true, and /crawl/stream is refused before any work (403 URL_REFUSED; crawl4ai: 400)', async () => {
    const internal = 'http://169.254.169.254/latest/meta-data/'
    for (const [path, body] of [
      ['/crawl', { urls: [internal] }],
      ['/crawl', { urls: [internal], crawler_config: { type: 'CrawlerRunConfig', params: { stream: true } } }],
      ['/crawl/stream', { urls: [internal] }],
    ] as const) {
      const res = await cluster.post(path, body)
      expect(res.status, path).toBe(403)
      expect(((await res.json()) as Json).error).toMatchObject({ code: 'URL_REFUSED', field: 'urls.0' })
    }
  })

  it('resource caps: a declared 50 MiB body is 413; an empty body is not 413 but a 400 naming urls', async () => {
    const big = await unauthenticated('/crawl', { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) }, body: '{}' }).catch(() => null)
    if (big) expect(big.status).toBe(413)
    const empty = await cluster.post('/crawl', {})
    expect(empty.status).toBe(400)
    expect(((await empty.json()) as Json).error.field).toBe('urls')
  })

  it('default posture: every page endpoint needs a key (401); /health is open', async () => {
    for (const path of ['/crawl', '/crawl/stream', '/md', '/html', '/screenshot', '/pdf', '/execute_js', '/llm']) {
      const res = await unauthenticated(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      expect(res.status, path).toBe(401)
    }
    expect((await unauthenticated('/llm/example.com')).status).toBe(401)
  })

  it('LLM broker: /md with an outside provider and base_url is a 400 naming the field (the deployment picks the LLM)', async () => {
    const res = await cluster.post('/md', { url: `${site}/about.html`, f: 'llm', provider: 'attacker/model', base_url: 'http://169.254.169.254' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as Json).error.field).toMatch(/^(provider|base_url)$/)
  })

  it('security headers on /health; no CORS allow-origin', async () => {
    const res = await unauthenticated('/health', { headers: { origin: 'https://evil.example' } })
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toMatch(/^(DENY|SAMEORIGIN)$/)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })
})
