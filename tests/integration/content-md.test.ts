import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LARGE_PAGE_END_MARKER, largePageHtml } from '../fixtures/site/content/large-page.ts'
import { client, idle } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// POST /md on a real runner process with real Chromium, against the fixture site's content pages.
// This runner has no LLM configured, so f=llm (and /llm) must answer 501.

let site: FixtureSite
let runner: RunnerProcess
// serves the large-page generator's HTML: /large?chars=N
let largeServer: Server
let largeUrl: string

beforeAll(async () => {
  site = await startFixtureSite()
  largeServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://large')
    // the page's images and links point elsewhere on this host: answer them small and fast
    if (url.pathname !== '/large') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such file')
    const chars = Number(url.searchParams.get('chars') ?? 100_000)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(largePageHtml(chars))
  })
  await new Promise<void>((resolve) => largeServer.listen(0, '127.0.0.1', resolve))
  largeUrl = `http://127.0.0.1:${(largeServer.address() as AddressInfo).port}`
  runner = await startRunnerProcess()
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
  await new Promise<void>((resolve) => (largeServer ? largeServer.close(() => resolve()) : resolve()))
})

interface MdBody {
  url: string
  filter: string
  query: string | null
  cache: string | null
  markdown: string
  text: string | null
  success: boolean
}

const post = (path: string, body: unknown) =>
  fetch(`${runner.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function md(body: Record<string, unknown>): Promise<MdBody> {
  const res = await post('/md', body)
  const text = await res.text()
  expect(res.status, text.slice(0, 500)).toBe(200)
  return JSON.parse(text) as MdBody
}

/** the high-water mark of a process's resident memory (Linux) */
function peakRssBytes(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!kb) throw new Error(`no VmHWM for pid ${pid}`)
  return Number(kb[1]) * 1024
}

const article = () => `${site.url}/content/article.html`

// Text that lives only in the article's chrome: cookie banner, navigation, sidebar, ads, footer.
const CHROME = [
  'We use cookies to measure our audience',
  'Accept all cookies',
  'Privacy choices',
  'Archive of every issue',
  'About the editors',
  'Follow us on Mastodon',
  'Related reading',
  'Sidebar pick',
  'MegaHost',
  'Footer imprint',
  'Write to the editors',
]
const ARTICLE_HEADINGS = ['# Keeping Chromium Warm', '## Why warm browsers win', '## Measured costs', '## A lease in code', '### Before you deploy']
const ARTICLE_PARAGRAPHS = [
  'Launching a browser for every request is the simplest way to render pages, and the slowest.',
  'A pool of long-lived browsers turns that launch into a one-off cost.',
  'Callers never touch a browser directly; they take a lease and give it back.',
]

describe('POST /md', () => {
  it('fit keeps the article (headings, paragraphs) and drops every piece of chrome; raw keeps both', async () => {
    const fit = await md({ url: article() })
    expect(fit).toMatchObject({ url: article(), filter: 'fit', query: null, cache: null, success: true })
    for (const heading of ARTICLE_HEADINGS) expect(fit.markdown.split('\n'), heading).toContain(heading)
    for (const paragraph of ARTICLE_PARAGRAPHS) expect(fit.markdown).toContain(paragraph)
    for (const chrome of CHROME) expect(fit.markdown, chrome).not.toContain(chrome)
    // the code block survives as a fenced block with its language
    expect(fit.markdown).toContain('```ts\nconst lease = await pool.acquire(launchOptions, deadline)')
    // the main content's plain text rides along: the same paragraphs and code, no Markdown, no chrome
    for (const paragraph of ARTICLE_PARAGRAPHS) expect(fit.text).toContain(paragraph)
    expect(fit.text).toContain('const lease = await pool.acquire(launchOptions, deadline)')
    expect(fit.text).not.toMatch(/^#|```|\]\(/m)
    for (const chrome of CHROME) expect(fit.text, chrome).not.toContain(chrome)

    const raw = await md({ url: article(), f: 'raw', c: 7 })
    expect(raw).toMatchObject({ filter: 'raw', cache: '7', text: null })
    for (const heading of ARTICLE_HEADINGS) expect(raw.markdown.split('\n'), heading).toContain(heading)
    for (const paragraph of ARTICLE_PARAGRAPHS) expect(raw.markdown).toContain(paragraph)
    // (the banner's button is a control, not text: the converter drops buttons everywhere)
    for (const chrome of CHROME.filter((t) => t !== 'Accept all cookies')) expect(raw.markdown, chrome).toContain(chrome)
    // raw follows the page: the cookie banner comes before the article, the footer after it
    expect(raw.markdown.indexOf('We use cookies')).toBeLessThan(raw.markdown.indexOf('# Keeping Chromium Warm'))
    expect(raw.markdown.indexOf('Footer imprint')).toBeGreaterThan(raw.markdown.indexOf('### Before you deploy'))
  })

  it('a table becomes a GFM table, and relative links and images become absolute', async () => {
    const { markdown } = await md({ url: article() })
    const lines = markdown.split('\n')
    const header = lines.indexOf('| Build | Launch (ms) | Memory (MB) |')
    expect(header, markdown).toBeGreaterThanOrEqual(0)
    expect(lines.slice(header + 1, header + 4)).toEqual(['| --- | --- | --- |', '| Headless shell | 184 | 90 |', '| Full Chromium | 511 | 188 |'])

    // ../docs/pool.html from /content/article.html, and images/… next to it
    expect(markdown).toContain(`[pool documentation](${site.url}/docs/pool.html)`)
    expect(markdown).toContain(`![Diagram of the permanent, hot and cold pools](${site.url}/content/images/pool-diagram.png)`)
    expect(markdown).toContain('[headless mode guide](https://developer.chrome.example/docs/headless "Headless mode")')
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)/g)].map((m) => m[1]!)
    expect(targets.length).toBeGreaterThanOrEqual(3)
    for (const target of targets) expect(target).toMatch(/^(https?|mailto):/)

    const raw = await md({ url: article(), f: 'raw' })
    expect(raw.markdown).toContain(`[Home](${site.url}/)`)
    expect(raw.markdown).toContain(`[Sidebar pick: reading cgroup limits](${site.url}/posts/cgroups)`)
    for (const [, target] of raw.markdown.matchAll(/\]\(([^)\s]+)/g)) expect(target).toMatch(/^(https?|mailto):/)
  })

  it('bm25 puts the section that matches the query first, and leaves out sections that do not match', async () => {
    const url = `${site.url}/content/sections.html`
    // the matching section is the last one on the page, so "first" cannot come from page order
    const crashes = await md({ url, f: 'bm25', q: 'troubleshooting browser crashes kernel log' })
    expect(crashes).toMatchObject({ filter: 'bm25', query: 'troubleshooting browser crashes kernel log' })
    expect(crashes.markdown.trimStart().startsWith('## Troubleshooting crashes'), crashes.markdown).toBe(true)
    expect(crashes.markdown).toContain('A crashed browser fails its open leases with a retryable error')
    for (const other of ['Pricing plans', 'Team history', 'Installing the runner']) expect(crashes.markdown).not.toContain(other)

    const memory = await md({ url, f: 'bm25', q: 'memory limits cgroup' })
    expect(memory.markdown.trimStart().startsWith('## Configuring memory limits'), memory.markdown).toBe(true)
    expect(memory.markdown).toContain('memory.current minus inactive file pages')
    for (const other of ['Pricing plans', 'Team history', 'Troubleshooting crashes']) expect(memory.markdown).not.toContain(other)
  })

  it('bm25 and llm without q answer 400 naming q, before rendering anything', async () => {
    const before = site.requests.length
    for (const body of [
      { url: article(), f: 'bm25' },
      { url: article(), f: 'bm25', q: '   ' },
      { url: article(), f: 'llm' },
    ]) {
      const res = await post('/md', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(await res.json()).toMatchObject({ success: false, error: { code: 'INVALID_FIELD', field: 'q' } })
    }
    expect(site.requests.length).toBe(before)

    const badFilter = await post('/md', { url: article(), f: 'summary' })
    expect(badFilter.status).toBe(400)
    expect(await badFilter.json()).toMatchObject({ error: { code: 'INVALID_FIELD', field: 'f' } })
  })

  it('f=llm without an LLM configured answers 501 LLM_NOT_CONFIGURED, and so does /llm', async () => {
    const before = site.requests.length
    const res = await post('/md', { url: article(), f: 'llm', q: 'the measured costs' })
    expect(res.status).toBe(501)
    expect(await res.json()).toMatchObject({ success: false, error: { code: 'LLM_NOT_CONFIGURED' } })

    const llm = await post('/llm', { url: article(), q: 'How long does a headless shell take to launch?' })
    expect(llm.status).toBe(501)
    expect(await llm.json()).toMatchObject({ success: false, error: { code: 'LLM_NOT_CONFIGURED' } })

    const get = await fetch(`${runner.url}/llm/${encodeURIComponent(article())}?q=${encodeURIComponent('launch time?')}`)
    expect(get.status).toBe(501)
    expect(await get.json()).toMatchObject({ success: false, error: { code: 'LLM_NOT_CONFIGURED' } })
    // crawl4ai's form, the URL unencoded in the path, reaches the same route
    const asIs = await fetch(`${runner.url}/llm/${article()}?q=${encodeURIComponent('launch time?')}`)
    expect(asIs.status).toBe(501)
    expect(await asIs.json()).toMatchObject({ success: false, error: { code: 'LLM_NOT_CONFIGURED' } })
    // refused before any page was rendered
    expect(site.requests.length).toBe(before)
  })

  it('a windows-1252 page comes out as the right characters', async () => {
    const url = `${site.url}/content/windows-1252.htm`
    const raw = await md({ url, f: 'raw' })
    const fit = await md({ url })
    for (const { markdown } of [raw, fit]) {
      expect(markdown).toContain("# Café crème à 2 € : l'été à Zürich")
      expect(markdown).toContain('Le café crème coûte 2 € à la terrasse ; la crème brûlée, 6 €.')
      expect(markdown).toContain('Ñandú, señorita, Ærøskøbing, déjà-vu, naïve — quelques caractères hors ASCII : « » ‘ ’ “ ” … ™ œ Œ Š ž.')
      expect(markdown).not.toContain('\uFFFD')
      expect(markdown).not.toMatch(/Ã|â‚¬/) // UTF-8 read as Latin-1
    }
    expect(raw.markdown).toContain('Pied de page du café')
  })

  it('a very large page answers with bounded output and a trim note, and the runner stays healthy', async () => {
    const peakRssBefore = peakRssBytes(runner.pid)
    // /big writes 8 MB of paragraphs; the converter keeps the first 5 M characters
    const big = await md({ url: `${site.url}/big?mb=8` })
    expect(big.markdown.startsWith('# big-page'), big.markdown.slice(0, 200)).toBe(true)
    expect(big.markdown.length).toBeLessThan(5.5 * 1024 * 1024)
    expect(big.markdown.length).toBeGreaterThan(3 * 1024 * 1024)
    expect(big.markdown.trimEnd()).toMatch(/_\[crawlfleet: the page's HTML has 7\.\d M characters; only the first 5\.0 M were converted\]_$/)
    // four times the page, the same output: the work is capped, not proportional to the page
    const huge = await md({ url: `${site.url}/big?mb=32`, page_timeout: 120_000 })
    expect(huge.markdown.trimEnd()).toMatch(/the page's HTML has 3\d\.\d M characters; only the first 5\.0 M were converted\]_$/)
    expect(Math.abs(huge.markdown.length - big.markdown.length)).toBeLessThan(1024)
    // the runner's own peak memory: parsing 32 M characters whole would take gigabytes
    expect(peakRssBytes(runner.pid) - peakRssBefore).toBeLessThan(768 * 1024 * 1024)

    // the generator's page: structured sections past the limit; its last heading is cut off. Its
    // thousands of images keep Chromium's load event away for long on a shared machine, and the
    // images are not what this test is about: DOMContentLoaded, with room for a slow layout
    const large = await md({ url: `${largeUrl}/large?chars=6000000`, f: 'raw', wait_until: 'domcontentloaded', page_timeout: 120_000 })
    expect(large.markdown.length).toBeLessThan(5.5 * 1024 * 1024)
    expect(large.markdown).toContain('## Section 0: pool behaviour')
    expect(large.markdown).toContain('| metric | value |')
    expect(large.markdown).not.toContain(LARGE_PAGE_END_MARKER)
    expect(large.markdown).toMatch(/only the first 5\.0 M were converted\]_\s*$/)
    // the same generator under the limit: whole, and no note
    const small = await md({ url: `${largeUrl}/large?chars=200000`, f: 'raw' })
    expect(small.markdown).toContain(`## ${LARGE_PAGE_END_MARKER}`)
    expect(small.markdown).not.toContain('crawlfleet: the page')

    // still healthy: the next request is served, and no page is left leased
    const next = await md({ url: `${site.url}/content/short-page.html` })
    expect(next.markdown).toContain('# All systems operational')
    expect((await fetch(`${runner.url}/health`)).status).toBe(200)
    await client(runner.url).until(idle, { what: 'no page left leased, running or queued' })
  }, 240_000)
})
