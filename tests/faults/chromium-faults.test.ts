import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childProcesses, client, expectAnsweredWith, idle, orphanChromium, sigkill, untilNoneTagged, type Client, type Pressure } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// Chromium's processes die under load: the browser itself (permanent and cold), one renderer, the
// network service. Every request is answered (a success, or a retryable 503 / a 502 naming the
// failure), the pool heals, and no Chromium process is left without a browser that owns it.

const tag = randomUUID()
let site: FixtureSite
let runner: RunnerProcess
let c: Client

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag })
  c = client(runner.url)
})
afterAll(async () => {
  if (runner) expect(await runner.stop()).toBe(0)
  await site?.close()
  expect(await untilNoneTagged(tag)).toEqual([])
})

const CRASHED = { 503: ['BROWSER_CRASHED'] } as const
const browserOf = (p: Pressure, tier: string) => p.pool.browsers.find((b) => b.tier === tier && b.state === 'active')

/** The pool is at rest and every tagged process belongs to a live browser of this runner. */
async function expectHealthy(): Promise<Pressure> {
  const p = await c.until(idle, { what: 'leases back to 0' })
  expect(await orphanChromium(tag, c.pressure)).toEqual([])
  const next = await c.post('/html', { url: `${site.url}/` })
  expect(next.status).toBe(200)
  expect(((await next.json()) as { html: string }).html).toContain('crawlfleet-fixture-home')
  return p
}

describe('killing Chromium processes under load', () => {
  it('SIGKILL of the permanent browser: in-flight requests get 503 BROWSER_CRASHED with Retry-After or succeed, later ones succeed', async () => {
    const before = await c.pressure()
    const permanent = browserOf(before, 'permanent')!
    // odd ones have a viewport of their own: no warm spare, so they are opening a context when the kill lands
    const requests = Array.from({ length: 8 }, (_, i) =>
      c.post('/html', { url: `${site.url}/slow?ms=1500&perm=${i}`, ...(i % 2 ? { viewport: { width: 800 + i, height: 600 } } : {}) }),
    )
    await site.waitForRequest('/slow?ms=1500&perm=') // at least one page is mid-load and cannot finish
    sigkill([permanent.pid])

    const answers = await Promise.all(requests)
    const statuses: number[] = []
    for (const res of answers) {
      statuses.push(res.status)
      const body = await expectAnsweredWith(res, CRASHED, 'in flight during the kill')
      if (res.status === 200) expect((body as { html: string }).html).toContain('slow-1500')
    }
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0)

    const healed = await c.until((p) => p.counters.crashes > before.counters.crashes && p.pool.permanent === 1, { what: 'a new permanent browser' })
    expect(browserOf(healed, 'permanent')!.pid).not.toBe(permanent.pid)
    await expectHealthy()
  })

  it('SIGKILL of a cold launch variant: its requests fail retryably, the permanent browser is untouched, the variant relaunches', async () => {
    const variant = { browser_config: { text_mode: true } }
    expect((await c.post('/html', { ...variant, url: `${site.url}/` })).status).toBe(200)
    const before = await c.pressure()
    const cold = browserOf(before, 'cold')!
    const permanent = browserOf(before, 'permanent')!

    const requests = Array.from({ length: 3 }, (_, i) => c.post('/html', { ...variant, url: `${site.url}/slow?ms=1500&cold=${i}` }))
    await site.waitForRequest('/slow?ms=1500&cold=')
    sigkill([cold.pid])
    const statuses = await Promise.all(
      requests.map(async (r) => {
        const res = await r
        await expectAnsweredWith(res, CRASHED, 'cold variant during the kill')
        return res.status
      }),
    )
    expect(statuses).toContain(503)

    await c.until((p) => p.counters.crashes > before.counters.crashes && idle(p), { what: 'the crash noticed' })
    const again = await c.post('/html', { ...variant, url: `${site.url}/` })
    expect(again.status).toBe(200)
    const after = await expectHealthy()
    expect(browserOf(after, 'permanent')!.pid).toBe(permanent.pid)
    expect(after.pool.browsers.map((b) => b.pid)).not.toContain(cold.pid)
  })

  it('SIGKILL of the renderer under a loaded page: 503 BROWSER_CRASHED at once, the browser lives on and serves the next requests', async () => {
    const before = await c.pressure()
    const permanent = browserOf(before, 'permanent')!
    const started = Date.now()
    // the page loads, then its wait_for predicate calls home once and keeps waiting
    const pending = c.post('/html', { url: `${site.url}/about.html`, wait_for: "js:(window.__ping ||= fetch('/renderer-ready'), false)", page_timeout: 20_000 })
    await site.waitForRequest('/renderer-ready')
    const renderers = await childProcesses(permanent.pid, '--type=renderer')
    expect(renderers.length).toBeGreaterThan(0)
    sigkill(renderers)

    const res = await pending
    const body = await expectAnsweredWith(res, CRASHED, 'renderer killed')
    expect(res.status).toBe(503)
    expect((body as { error: { message: string } }).error.message).toMatch(/renderer/)
    expect(Date.now() - started).toBeLessThan(10_000) // not the 20 s page_timeout

    // a warm spare on the dead renderer must not be handed out: three requests in a row succeed
    for (let i = 0; i < 3; i++) await expectHealthy()
    const after = await c.pressure()
    expect(browserOf(after, 'permanent')!.pid).toBe(permanent.pid)
    expect(after.counters.crashes).toBe(before.counters.crashes)
  })

  it("SIGKILL of the browser's network service: in-flight requests get a clear error, Chromium restarts it and later requests succeed", async () => {
    const permanent = browserOf(await c.pressure(), 'permanent')!
    const requests = Array.from({ length: 3 }, (_, i) => c.post('/html', { url: `${site.url}/slow?ms=1500&net=${i}` }))
    await site.waitForRequest('/slow?ms=1500&net=')
    const network = await childProcesses(permanent.pid, 'network.mojom.NetworkService')
    expect(network).toHaveLength(1)
    sigkill(network)
    for (const res of await Promise.all(requests)) {
      // the browser is alive but its navigations were cut: reported as the target failing, or a crash
      await expectAnsweredWith(res, { 502: ['TARGET_FAILED'], ...CRASHED }, 'network service killed')
    }
    await expectHealthy()
  })
})
