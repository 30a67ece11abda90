import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HEADER } from '../../runner/contract/http-names.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { freePort, startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// POST /crawl and /crawl/stream on a real runner process with real Chromium, against the fixture site.

let site: FixtureSite
let runner: RunnerProcess

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess()
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
})

interface CrawlResult {
  url: string
  success: boolean
  status_code: number | null
  html: string
  markdown: { raw: string; fit: string; fit_html: string }
  links: { internal: { href: string; text: string }[]; external: { href: string; text: string }[] }
  media: { images: { src: string; alt: string }[] }
  metadata: Record<string, string | null>
  screenshot?: string
  pdf?: string
  error_message?: string
}

interface Pressure {
  pool: { leased: number; running: number; queued: number }
  plan: { pageSlots: number }
}

const post = (path: string, body: unknown, init: RequestInit = {}) =>
  fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init })

const pressure = async () => (await (await fetch(`${runner.url}/pressure`)).json()) as Pressure

async function crawl(body: unknown): Promise<{ success: boolean; results: CrawlResult[] }> {
  const res = await post('/crawl', body)
  const text = await res.text()
  expect(res.status, text.slice(0, 500)).toBe(200)
  return JSON.parse(text) as { success: boolean; results: CrawlResult[] }
}

/** Polls /pressure until no page is leased, running or queued; there is no event to wait for. */
async function untilIdle(withinMs: number): Promise<Pressure> {
  const deadline = Date.now() + withinMs
  for (;;) {
    const p = await pressure()
    if (p.pool.leased === 0 && p.pool.running === 0 && p.pool.queued === 0) return p
    if (Date.now() > deadline) throw new Error(`the pool is still busy after ${withinMs} ms: ${JSON.stringify(p.pool)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Reads an NDJSON body line by line, stamping each line with the time it arrived. */
async function* ndjsonLines(res: Response): AsyncGenerator<{ at: number; value: Record<string, unknown> }> {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffered = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    buffered += decoder.decode(value, { stream: true })
    let nl: number
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (line.trim()) yield { at: Date.now(), value: JSON.parse(line) as Record<string, unknown> }
    }
  }
  expect(buffered.trim(), 'a partial line at the end of the stream').toBe('')
}

function expectPng(base64: string | undefined): void {
  expect(typeof base64).toBe('string')
  const png = Buffer.from(base64!, 'base64')
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  expect(png.readUInt32BE(16)).toBeGreaterThan(0) // width
}

describe('POST /crawl', () => {
  it('5 URLs with a 404 and an unreachable host: 5 results in request order, each with its own outcome', async () => {
    const closedPort = await freePort()
    const urls = [
      `${site.url}/content/article.html`,
      `${site.url}/status/404`,
      `http://127.0.0.1:${closedPort}/`,
      `${site.url}/content/windows-1252.htm`,
      `${site.url}/content/sections.html`,
    ]
    const body = await crawl({ urls })
    // crawl4ai's meaning: the crawl ran (some page succeeded); each result carries its own outcome
    expect(body.success).toBe(true)
    expect(body.results.map((r) => r.url)).toEqual(urls)
    // success means the page was rendered (crawl4ai's rule, and /html's): a 404 page is rendered; status_code says 404
    expect(body.results.map((r) => r.success)).toEqual([true, true, false, true, true])
    expect(body.results.map((r) => r.status_code)).toEqual([200, 404, null, 200, 200])
    const [article, notFound, unreachable, latin, sections] = body.results as [CrawlResult, CrawlResult, CrawlResult, CrawlResult, CrawlResult]

    expect(article.error_message).toBeUndefined()
    expect(article.html).toContain('<h1>Keeping Chromium Warm</h1>')
    expect(article.metadata).toMatchObject({
      title: 'Keeping Chromium Warm: Notes on Browser Pools | Fleet Notes',
      description: 'Why long-lived browsers beat a launch per request, and what they cost.',
    })
    // raw holds the chrome, fit only the article
    expect(article.markdown.raw).toContain('Footer imprint')
    expect(article.markdown.raw).toContain('## Measured costs')
    expect(article.markdown.fit).toContain('## Measured costs')
    expect(article.markdown.fit).not.toContain('Footer imprint')
    expect(article.markdown.fit).not.toContain('We use cookies')
    // fit_html is the article's own markup without the chrome; html is the page as served, with no trace of the signal pass
    expect(article.markdown.fit_html).toContain('<h2>Measured costs</h2>')
    expect(article.markdown.fit_html).not.toContain('Footer imprint')
    expect(article.html).not.toMatch(/data-cf-/)
    expect(article.markdown.fit_html).not.toMatch(/data-cf-/)
    expect(article.links.internal).toContainEqual(expect.objectContaining({ href: `${site.url}/docs/pool.html`, text: 'pool documentation' }))
    expect(article.links.internal).toContainEqual(expect.objectContaining({ href: `${site.url}/archive`, text: 'Archive of every issue' }))
    expect(article.links.external).toContainEqual(expect.objectContaining({ href: 'https://developer.chrome.example/docs/headless', text: 'headless mode guide' }))
    expect(article.links.external.map((l) => l.href)).toContain('https://social.example/@fleetnotes')
    for (const l of article.links.internal) expect(l.href.startsWith(site.url), l.href).toBe(true)
    for (const l of article.links.external) expect(l.href.startsWith(site.url), l.href).toBe(false)
    expect(article.media.images).toContainEqual(expect.objectContaining({ src: `${site.url}/content/images/pool-diagram.png`, alt: 'Diagram of the permanent, hot and cold pools' }))

    expect(notFound.error_message).toBeUndefined()
    expect(notFound.html).toContain('status-404') // the page the target sent is still there

    expect(unreachable.error_message).toMatch(/^TARGET_FAILED: .*refused/)
    expect(unreachable.html).toBe('')
    expect(unreachable.markdown).toMatchObject({ raw: '', fit: '', raw_markdown: '' })

    expect(latin.metadata.title).toBe("Café crème à 2 € : l'été à Zürich")
    expect(latin.markdown.fit).toContain('Le café crème coûte 2 € à la terrasse')
    expect(sections.metadata.title).toBe('Runner operations handbook')
    expect(sections.markdown.fit).toContain('## Troubleshooting crashes')
    for (const r of body.results) expect(r.screenshot).toBeUndefined()

    expect((await untilIdle(10_000)).pool.leased).toBe(0)
  })

  it("crawler_config {type: 'CrawlerRunConfig', params: {screenshot: true}} gives a PNG per result", async () => {
    const urls = [`${site.url}/content/article.html`, `${site.url}/content/short-page.html`, `${site.url}/`]
    const body = await crawl({ urls, crawler_config: { type: 'CrawlerRunConfig', params: { screenshot: true } } })
    expect(body.success).toBe(true)
    expect(body.results.map((r) => r.url)).toEqual(urls)
    for (const r of body.results) expectPng(r.screenshot)
    // three different pages, three different pictures
    expect(new Set(body.results.map((r) => r.screenshot)).size).toBe(3)
    for (const r of body.results) expect(r.pdf).toBeUndefined()

    const pdf = await crawl({ urls: [urls[0]], crawler_config: { pdf: true } })
    expect(Buffer.from(pdf.results[0]!.pdf!, 'base64').subarray(0, 5).toString()).toBe('%PDF-')
    expect(pdf.results[0]!.screenshot).toBeUndefined()
  })

  it('a URL the URL policy refuses fails only its own result', async () => {
    const before = site.requests.length
    const urls = ['file:///etc/passwd', `${site.url}/content/short-page.html`, 'http://169.254.169.254/latest/meta-data/', `${site.url}/about.html`]
    const body = await crawl({ urls })
    expect(body.success).toBe(true)
    expect(body.results.map((r) => r.url)).toEqual(urls)
    expect(body.results.map((r) => r.success)).toEqual([false, true, false, true])
    expect(body.results[0]!.error_message).toMatch(/^URL_REFUSED: .*file/)
    expect(body.results[2]!.error_message).toMatch(/^URL_REFUSED: .*169\.254\.169\.254/)
    for (const refused of [body.results[0]!, body.results[2]!]) expect(refused).toMatchObject({ status_code: null, html: '', markdown: { raw: '', fit: '' } })
    expect(body.results[1]!.markdown.fit).toContain('# All systems operational')
    expect(body.results[3]!.status_code).toBe(200)
    // only the two allowed pages reached the site
    expect(site.requests.slice(before).filter((p) => p.endsWith('.html')).sort()).toEqual(['/about.html', '/content/short-page.html'])
  })

  it('a page that outlives page_timeout fails only its own result; a URL given twice gets two results', async () => {
    const short = `${site.url}/content/short-page.html`
    const urls = [short, `${site.url}/hang?t=crawl-timeout`, `${site.url}/about.html`, short]
    const started = Date.now()
    const body = await crawl({ urls, crawler_config: { page_timeout: 1500 } })
    expect(body.results.map((r) => r.url)).toEqual(urls)
    expect(body.results.map((r) => r.success)).toEqual([true, false, true, true])
    expect(body.results[1]!.error_message).toMatch(/^PAGE_TIMEOUT: /)
    expect(body.results[1]!.status_code).toBeNull()
    expect(body.results[0]!.markdown.fit).toContain('# All systems operational')
    expect(body.results[3]!.markdown.fit).toContain('# All systems operational')
    // the hanging page was given up on after its own timeout, not the crawl's
    expect(Date.now() - started).toBeLessThan(20_000)
    expect((await untilIdle(10_000)).pool.leased).toBe(0)
  })

  it("when the request's deadline (from the edge) runs out, every URL still gets a result: the unfinished ones fail", async () => {
    const { plan } = await untilIdle(10_000)
    // more hanging pages than slots, so some never start before the deadline
    const hanging = Array.from({ length: plan.pageSlots + 2 }, (_, i) => `${site.url}/hang?t=deadline-${i}`)
    const urls = [`${site.url}/content/short-page.html`, ...hanging]
    const started = Date.now()
    const res = await post('/crawl', { urls, crawler_config: { page_timeout: 60_000 } }, { headers: { 'content-type': 'application/json', [HEADER.deadlineMs]: '2500' } })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { success: boolean; results: CrawlResult[] }
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(body.success).toBe(true)
    expect(body.results.map((r) => r.url)).toEqual(urls)
    expect(body.results[0]!.success).toBe(true)
    for (const r of body.results.slice(1)) expect(r).toMatchObject({ success: false, status_code: null, error_message: expect.stringMatching(/^PAGE_TIMEOUT: /) })
    expect((await untilIdle(10_000)).pool.leased).toBe(0)
  })

  it('a client that goes away stops the crawl and frees its pages', async () => {
    const { plan } = await untilIdle(10_000)
    const slowPaths = Array.from({ length: plan.pageSlots + 2 }, (_, i) => `/slow?ms=20000&t=crawl-gone-${i}`)
    const client = new AbortController()
    const firstSlowArrived = site.waitForRequest('/slow?ms=20000&t=crawl-gone-')
    const answer = post('/crawl', { urls: slowPaths.map((p) => `${site.url}${p}`) }, { signal: client.signal })
    answer.catch(() => undefined)
    await firstSlowArrived
    client.abort()
    await expect(answer).rejects.toThrow()
    await untilIdle(12_000)
    const crawled = slowPaths.filter((p) => site.requests.includes(p))
    expect(crawled.length).toBeGreaterThan(0)
    expect(crawled.length).toBeLessThanOrEqual(plan.pageSlots)
  })

  it('rejects a bad request with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ urls: [] }, 'urls'],
      [{ urls: Array.from({ length: 101 }, (_, i) => `${site.url}/?${i}`) }, 'urls'],
      [{ urls: [`${site.url}/`], crawler_config: { type: 'CrawlerRunConfig', params: { screenshot: 'yes' } } }, 'crawler_config.screenshot'],
    ]
    for (const [body, field] of cases) {
      const res = await post('/crawl', body)
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400)
      const err = ((await res.json()) as { error: { code: string; field: string } }).error
      expect(err.code).toBe('INVALID_FIELD')
      expect(err.field).toBe(field)
    }
  })
})

describe('POST /crawl/stream', () => {
  it('streams one NDJSON line per page as it finishes, the first before the slow page is done, then {"status":"completed"}', async () => {
    expect((await pressure()).plan.pageSlots, 'a slow page and a fast one need two slots').toBeGreaterThanOrEqual(2)
    const SLOW_MS = 6000 // wide enough that the fast pages finish first on a busy machine too
    const slowPath = `/slow?ms=${SLOW_MS}&t=stream-first`
    const slowArrived = site.waitForRequest(slowPath).then(() => Date.now())
    const urls = [`${site.url}${slowPath}`, `${site.url}/content/short-page.html`, `${site.url}/content/article.html`, `${site.url}/status/404`]
    const res = await post('/crawl/stream', { urls })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)

    const lines: { at: number; value: Record<string, unknown> }[] = []
    for await (const line of ndjsonLines(res)) lines.push(line)
    expect(lines.length).toBe(urls.length + 1)
    expect(lines.at(-1)!.value).toEqual({ status: 'completed' })
    const results = lines.slice(0, -1).map((l) => l.value as unknown as CrawlResult)
    expect(results.map((r) => r.url).sort()).toEqual([...urls].sort())

    // the slow page's answer leaves the fixture site SLOW_MS after its request arrived; the first
    // line came before that, and it was not the slow page's
    const slowAt = await slowArrived
    expect(lines[0]!.at).toBeLessThan(slowAt + SLOW_MS)
    expect(results[0]!.url).not.toBe(urls[0])
    expect(results.at(-1)!.url).toBe(urls[0])
    expect(lines.at(-2)!.at).toBeGreaterThanOrEqual(slowAt + SLOW_MS)

    const byUrl = new Map(results.map((r) => [r.url, r]))
    expect(byUrl.get(urls[0]!)).toMatchObject({ success: true, status_code: 200 })
    expect(byUrl.get(urls[0]!)!.markdown.raw).toContain(`slow-${SLOW_MS}`)
    expect(byUrl.get(urls[1]!)!.metadata.title).toBe('Status')
    expect(byUrl.get(urls[2]!)!.markdown.fit).toContain('# Keeping Chromium Warm')
    expect(byUrl.get(urls[3]!)).toMatchObject({ success: true, status_code: 404 })
  })

  it('a client that disconnects mid-stream stops the crawl: no page stays leased and the remaining URLs are not crawled', async () => {
    const { plan } = await untilIdle(10_000)
    const slots = plan.pageSlots
    // one fast page, then more slow ones than there are slots; each would take 20 s
    const slowPaths = Array.from({ length: slots + 3 }, (_, i) => `/slow?ms=20000&t=gone-${i}`)
    const urls = [`${site.url}/content/short-page.html`, ...slowPaths.map((p) => `${site.url}${p}`)]
    const firstSlowArrived = site.waitForRequest('/slow?ms=20000&t=gone-')
    const client = new AbortController()
    const res = await post('/crawl/stream', { urls }, { signal: client.signal })
    expect(res.status).toBe(200)
    const lines = ndjsonLines(res)
    const first = await lines.next()
    expect(first.done).toBe(false)
    expect(first.value!.value).toMatchObject({ url: urls[0], success: true })

    // slow pages are being rendered right now: they hold leases
    await firstSlowArrived
    const busy = await pressure()
    expect(busy.pool.leased + busy.pool.running).toBeGreaterThan(0)

    const abortedAt = Date.now()
    client.abort()
    await expect(lines.next()).rejects.toThrow()

    // every lease comes back long before the 20 s pages could have finished
    await untilIdle(12_000)
    expect(Date.now() - abortedAt).toBeLessThan(12_000)
    const crawled = slowPaths.filter((p) => site.requests.includes(p))
    expect(crawled.length).toBeGreaterThan(0)
    expect(crawled.length).toBeLessThanOrEqual(slots)
    expect(crawled.length).toBeLessThan(slowPaths.length)

    // and the runner goes on serving
    const after = await crawl({ urls: [`${site.url}/content/short-page.html`] })
    expect(after.results[0]!.success).toBe(true)
    expect(site.requests.filter((p) => p.startsWith('/slow?ms=20000&t=gone-')).length).toBe(crawled.length)
  })
})
