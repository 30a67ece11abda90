import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rankRunners } from '../../edge/routing/rendezvous.ts'
import { launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import { API_KEY, CLUSTER_STARTUP_TIMEOUT_MS, edgeIdOf, startCluster, type Cluster } from './cluster.ts'
import { launchTestChromium } from '../helpers/test-chromium.ts'

// The dashboard and the API docs as a person sees them: pages served by the edge, in a real browser,
// drawing the live pool and the OpenAPI document with nothing loaded from any other host. Each test
// takes a screenshot; `UPDATE_SCREENSHOTS=1` writes them to docs/ for the README (a plain run leaves
// the working tree as it was).

const DOCS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url))
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1'

async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  const png = await page.screenshot({ fullPage, ...(UPDATE_SCREENSHOTS ? { path: `${DOCS_DIR}${name}` } : {}) })
  expect(png.subarray(1, 4).toString()).toBe('PNG')
}
let cluster: Cluster
let browser: Browser

beforeAll(async () => {
  cluster = await startCluster({ runners: 2 })
  browser = await launchTestChromium()
  if (UPDATE_SCREENSHOTS) mkdirSync(DOCS_DIR, { recursive: true })
}, CLUSTER_STARTUP_TIMEOUT_MS)
afterAll(async () => {
  await browser?.close()
  await cluster?.stop()
})

/** A page that records the origin of every request it makes. */
async function recordingPage(): Promise<{ page: Page; origins: Set<string> }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const origins = new Set<string>()
  page.on('request', (r) => void origins.add(new URL(r.url()).origin))
  return { page, origins }
}

const withKey = (path: string) => fetch(`${cluster.edge.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } })

describe('cluster: /dashboard', () => {
  it('lets in a key or a signed link, nothing else', async () => {
    expect((await fetch(`${cluster.edge.url}/dashboard`)).status).toBe(401)
    expect((await fetch(`${cluster.edge.url}/dashboard?token=${'a'.repeat(9)}.${'b'.repeat(43)}`)).status).toBe(401)
    const { url, expires_at } = (await (await withKey('/dashboard/link')).json()) as { url: string; expires_at: string }
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now())
    const token = new URL(url).searchParams.get('token')!
    expect((await fetch(url)).status).toBe(200)
    expect((await fetch(`${cluster.edge.url}/pressure?token=${token}`)).status).toBe(200)
    // the link reads the pool and nothing else
    expect((await fetch(`${cluster.edge.url}/metrics?token=${token}`)).status).toBe(401)
  })

  it('renders each runner’s tiers and slots as /pressure has them, updates after a request, and asks no other host', async () => {
    const { url } = (await (await withKey('/dashboard/link')).json()) as { url: string }
    const { page, origins } = await recordingPage()
    await page.goto(url)
    await page.waitForFunction(() => Number(document.body.dataset.polls ?? 0) >= 1)

    const pressure = (await (await withKey('/pressure')).json()) as { runners: { id: string; ok: boolean; pressure: any }[] }
    expect(pressure.runners.map((r) => r.ok)).toEqual([true, true])
    for (const r of pressure.runners) {
      const card = page.locator(`[data-runner="${r.id}"]`)
      for (const tier of ['permanent', 'hot', 'cold']) expect(await card.locator(`[data-tier="${tier}"]`).textContent()).toBe(String(r.pressure.pool[tier]))
      expect(await card.locator('[data-field="page-slots"]').textContent()).toBe(String(r.pressure.plan.pageSlots))
      expect(await card.locator('[data-browser]').count()).toBe(r.pressure.pool.browsers.length)
      expect(r.pressure.pool.cold).toBe(0)
    }

    // a launch option makes a cold browser on the runner rendezvous picks for it; the page shows it
    const textMode = { text_mode: true }
    const owner = rankRunners(signatureOf(launchOptionsFrom(textMode)), cluster.runners.map(edgeIdOf))[0]!
    const res = await cluster.post('/html', { url: `${cluster.site.url}/`, browser_config: textMode })
    expect(res.status).toBe(200)
    await page.locator(`[data-runner="${owner}"] [data-tier="cold"]`).filter({ hasText: '1' }).waitFor({ timeout: 20_000 })
    expect(await page.locator(`[data-runner="${owner}"] [data-browser]`).count()).toBe(2)

    // some traffic and a few more polls for the charts, then the picture for the README
    for (let i = 0; i < 6; i++) await (await cluster.post('/md', { url: `${cluster.site.url}/about.html?i=${i}` })).body?.cancel()
    const polls = await page.evaluate(() => Number(document.body.dataset.polls))
    await page.waitForFunction((n) => Number(document.body.dataset.polls ?? 0) >= n + 3, polls, { timeout: 30_000 })
    await screenshot(page, 'dashboard.png', true)
    expect([...origins]).toEqual([cluster.edge.url])
    await page.close()
  })
})

describe('cluster: /docs', () => {
  it('renders the OpenAPI document from crawlfleet’s own assets, and its playground runs a request', async () => {
    const { page, origins } = await recordingPage()
    await page.goto(`${cluster.edge.url}/docs`)
    await page.locator('.opblock-summary-path', { hasText: /^\/html$/ }).first().waitFor()
    const paths = await page.locator('.opblock-summary-path').allTextContents()
    expect(paths).toEqual(expect.arrayContaining(['/html', '/md', '/crawl', '/crawl/job', '/crawl/job/{task_id}']))

    // the playground: authorize with the key, then try POST /html against the fixture site
    await page.getByRole('button', { name: /authorize/i }).first().click()
    await page.locator('.modal-ux input[type="text"], .modal-ux input[type="password"]').first().fill(API_KEY)
    await page.locator('.modal-ux button.authorize').click()
    await page.locator('.modal-ux button.btn-done').click()
    const op = page.locator('#operations-default-post_html')
    await op.locator('.opblock-summary').click()
    await op.getByRole('button', { name: /try it out/i }).click()
    await op.locator('textarea.body-param__text').fill(JSON.stringify({ url: `${cluster.site.url}/` }))
    await op.getByRole('button', { name: /execute/i }).click()
    const status = op.locator('.live-responses-table tr.response .response-col_status').first()
    await status.waitFor({ timeout: 30_000 })
    expect((await status.textContent())?.trim()).toBe('200')
    expect(await op.locator('.live-responses-table .highlight-code').first().textContent()).toContain('crawlfleet-fixture-home')

    await page.evaluate(() => window.scrollTo(0, 0))
    await screenshot(page, 'docs.png')
    expect([...origins]).toEqual([cluster.edge.url])
    await page.close()
  })
})
