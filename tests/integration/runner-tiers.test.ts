import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'
import { startRunnerProcess, type RunnerProcess } from '../helpers/start-runner.ts'

// Tiers and the janitor with real Chromium; TTLs are made short through settings, not sleeps.

let site: FixtureSite
let runner: RunnerProcess

interface BrowserInfo { id: string; tier: string; signature: string; state: string; pid: number; leases: number }
interface Pressure {
  pool: { permanent: number; hot: number; cold: number; leased: number; browsers: BrowserInfo[] }
  counters: { launches: number; promotions: number; evictions: number; crashes: number; hits: number }
}

beforeAll(async () => {
  site = await startFixtureSite()
  runner = await startRunnerProcess({
    CRAWLFLEET_JANITOR_INTERVAL_SEC: '0.5,0.5,0.5',
    CRAWLFLEET_COLD_TTL_SEC: '1.5,1.5,1.5',
    CRAWLFLEET_HOT_TTL_SEC: '1.5,1.5,1.5',
    CRAWLFLEET_WARM_SPARES: '0',
  })
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
})

const post = (body: unknown) =>
  fetch(`${runner.url}/html`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const pressure = async () => (await (await fetch(`${runner.url}/pressure`)).json()) as Pressure

/** Polls /pressure until `ok` holds: the janitor works on its own clock, so the test watches its effect. */
async function until(ok: (p: Pressure) => boolean, timeoutMs = 15_000): Promise<Pressure> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const p = await pressure()
    if (ok(p)) return p
    if (Date.now() > end) throw new Error(`condition not reached; last /pressure: ${JSON.stringify(p.pool)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('pool tiers with real Chromium', () => {
  it('a launch variant starts cold, is promoted to hot on its 3rd use, and the janitor closes it after its TTL', async () => {
    const variant = { url: `${site.url}/`, browser_config: { text_mode: true } }
    const before = await pressure()
    expect((await post(variant)).status).toBe(200)
    let p = await pressure()
    expect(p.counters.launches).toBe(before.counters.launches + 1)
    const cold = p.pool.browsers.filter((b) => b.tier === 'cold')
    expect(cold).toHaveLength(1)

    expect((await post(variant)).status).toBe(200)
    expect((await pressure()).pool.browsers.filter((b) => b.tier === 'cold')).toHaveLength(1)
    expect((await post(variant)).status).toBe(200)
    p = await pressure()
    expect(p.pool.browsers.filter((b) => b.tier === 'hot').map((b) => b.signature)).toEqual([cold[0]!.signature])
    expect(p.counters.promotions).toBe(before.counters.promotions + 1)
    expect(p.counters.launches).toBe(before.counters.launches + 1) // one browser served all three

    p = await until((q) => q.pool.hot === 0 && q.pool.cold === 0)
    expect(p.counters.evictions).toBeGreaterThan(before.counters.evictions)
    expect(p.pool.permanent).toBe(1) // the permanent browser never expires
  })

  it('a janitor pass during a long request leaves that browser open', async () => {
    const variant = { browser_config: { light_mode: true } }
    const slow = post({ ...variant, url: `${site.url}/slow?ms=4000`, page_timeout: 20_000 })
    await site.waitForRequest('/slow?ms=4000')
    // the TTL (1.5 s) and several janitor passes (every 0.5 s) go by while the page is leased
    const during = await until((q) => q.pool.browsers.some((b) => b.tier === 'cold' && b.leases === 1))
    const leasedId = during.pool.browsers.find((b) => b.tier === 'cold')!.id
    const res = await slow
    expect(res.status).toBe(200)
    expect(((await res.json()) as { html: string }).html).toContain('slow-4000')
    // served to the end; once its page has closed the idle browser may go at the next pass
    await until((q) => !q.pool.browsers.some((b) => b.id === leasedId))
  })

  it('heals after the permanent browser is killed with SIGKILL', async () => {
    const before = await pressure()
    const permanent = before.pool.browsers.find((b) => b.tier === 'permanent')!
    expect(permanent.pid).toBeGreaterThan(0)
    process.kill(permanent.pid, 'SIGKILL')
    const healed = await until((q) => q.counters.crashes > before.counters.crashes && q.pool.permanent === 1)
    expect(healed.pool.browsers.find((b) => b.tier === 'permanent')!.id).not.toBe(permanent.id)
    const res = await post({ url: `${site.url}/` })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { html: string }).html).toContain('crawlfleet-fixture-home')
  })
})
