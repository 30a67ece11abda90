import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { client, idle, orphanChromium, startWatchedSite, untilNoneTagged, within, type Client, type WatchedSite } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// Clients that hang up mid-request. The page must be freed at once (the browser drops its
// connection to the target, the lease and the page slot come back), not when page_timeout ends.

const tag = randomUUID()
const PAGE_TIMEOUT_MS = 30_000
/** far below PAGE_TIMEOUT_MS and the 5 s slow page: the work stopped because the client left */
const FREED_WITHIN_MS = 3000
let site: FixtureSite
let target: WatchedSite
let runner: RunnerProcess
let c: Client

beforeAll(async () => {
  ;[site, target] = await Promise.all([startFixtureSite(), startWatchedSite()])
  runner = await startRunnerProcess({ CRAWLFLEET_TEST_TAG: tag })
  c = client(runner.url)
})
afterAll(async () => {
  if (runner) expect(await runner.stop()).toBe(0)
  await Promise.all([site?.close(), target?.close()])
  expect(await untilNoneTagged(tag)).toEqual([])
})

/** Sends the request, waits until its page reached the target, hangs up, and waits for the pool to be at rest. */
async function hangUpWhileLoading(path: string, body: object, reachedTarget: () => Promise<void>): Promise<number> {
  const hangUp = new AbortController()
  const pending = c.post(path, body, { signal: hangUp.signal })
  pending.catch(() => undefined) // rejected with the abort below
  await reachedTarget()
  const abortedAt = Date.now()
  hangUp.abort()
  // a streaming route has already sent its headers: then it is the body that breaks off
  await pending.then((res) => res.body?.cancel().catch(() => undefined), () => undefined)
  await c.until(idle, { timeoutMs: FREED_WITHIN_MS, what: `${path}: the lease back after the client left` })
  return Date.now() - abortedAt
}

describe('clients that disconnect mid-request', () => {
  it('/html on a target that never answers: the browser lets go of the target and the lease comes back', async () => {
    const ms = await hangUpWhileLoading('/html', { url: `${target.url}/hang?html`, page_timeout: PAGE_TIMEOUT_MS }, () => target.arrived('/hang?html'))
    await within(FREED_WITHIN_MS, 'the browser closing its connection to the target', target.released('/hang?html'))
    expect(ms).toBeLessThan(FREED_WITHIN_MS)
  })

  it('/screenshot on a page that takes 5 s: freed long before it would have finished', async () => {
    const ms = await hangUpWhileLoading('/screenshot', { url: `${site.url}/slow?ms=5000&shot`, page_timeout: PAGE_TIMEOUT_MS }, () =>
      site.waitForRequest('/slow?ms=5000&shot'),
    )
    expect(ms).toBeLessThan(FREED_WITHIN_MS)
  })

  it('/execute_js with a script that never settles: freed', async () => {
    const ms = await hangUpWhileLoading(
      '/execute_js',
      { url: `${site.url}/about.html`, scripts: ["await fetch('/script-started'); await new Promise(() => {})"], page_timeout: PAGE_TIMEOUT_MS },
      () => site.waitForRequest('/script-started'),
    )
    expect(ms).toBeLessThan(FREED_WITHIN_MS)
  })

  it('/crawl and /crawl/stream: the crawl stops and every page is freed', async () => {
    for (const path of ['/crawl', '/crawl/stream']) {
      const urls = [1, 2, 3].map((i) => `${target.url}/hang?${path.slice(1)}-${i}`)
      const ms = await hangUpWhileLoading(path, { urls, crawler_config: { page_timeout: PAGE_TIMEOUT_MS } }, () => target.arrived(`/hang?${path.slice(1)}-`))
      expect(ms, path).toBeLessThan(FREED_WITHIN_MS)
    }
    // every URL whose page reached the target was let go (which ones started depends on arrival order,
    // so the test asks for each one that did); the others were never started
    const started = target.paths.filter((p) => p.startsWith('/hang?crawl-') || p.startsWith('/hang?crawl/stream-'))
    expect(started.length).toBeGreaterThanOrEqual(2)
    for (const path of started) await within(FREED_WITHIN_MS, `released ${path}`, target.released(path))
  })

  it('a queued request whose client leaves gives up its place; the running ones are freed when theirs leave', async () => {
    const slots = ((await (await fetch(`${runner.url}/pressure`)).json()) as { plan: { pageSlots: number } }).plan.pageSlots
    const clients = Array.from({ length: slots + 1 }, () => new AbortController())
    const pending = clients.map((hangUp, i) => {
      const p = c.post('/html', { url: `${target.url}/hang?queue-${i}`, page_timeout: PAGE_TIMEOUT_MS }, { signal: hangUp.signal })
      p.catch(() => undefined)
      return p
    })
    await target.arrivedCount('/hang?queue-', slots)
    const queued = await c.pressure()
    expect([queued.pool.running, queued.pool.queued]).toEqual([slots, 1])
    const waiting = clients.findIndex((_, i) => !target.paths.includes(`/hang?queue-${i}`))
    clients[waiting]!.abort()
    await c.until((p) => p.pool.queued === 0 && p.pool.running === slots, { timeoutMs: FREED_WITHIN_MS, what: 'the queue emptied' })
    for (const hangUp of clients) hangUp.abort()
    await Promise.allSettled(pending)
    await c.until(idle, { timeoutMs: FREED_WITHIN_MS, what: 'every slot back' })
    expect(await orphanChromium(tag, c.pressure)).toEqual([])
    const next = await c.post('/html', { url: `${site.url}/` })
    expect(next.status).toBe(200)
  })
})
