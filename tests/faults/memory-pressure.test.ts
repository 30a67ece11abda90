import { randomUUID } from 'node:crypto'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRunnerConfig } from '../../runner/config.ts'
import { launchOptionsFrom, signatureOf } from '../../runner/contract/signature.ts'
import { findChromium, isExecutableFile } from '../../runner/browser/find-chromium.ts'
import { browserEnvironment } from '../../runner/browser/browser-env.ts'
import { createPlaywrightLauncher } from '../../runner/browser/launcher-playwright.ts'
import type { Limits, ResourceSample } from '../../runner/resources/types.ts'
import { startRunner, type RunningRunner } from '../../runner/runner.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { createLogger } from '../../runner/util/logger.ts'
import { client, expectCleanError, idle, orphanChromium, untilNoneTagged, type Client, type Pressure } from '../helpers/fault-tools.ts'
import { startFixtureSite, type FixtureSite } from '../helpers/fixture-site.ts'

// Memory pressure injected through the resource reader: a runner in this process with real
// Chromium and a `resources` whose samples the test sets. The memory gate must evict idle cold
// browsers first, then hot ones, then refuse a new launch variant with 503 + Retry-After, while the
// permanent browser keeps serving; once pressure falls, launches work again.

const MB = 1024 * 1024
const LIMIT_BYTES = 4096 * MB
/** what every browser measures: each one evicted frees 100 MB of 4 GB, 2.44 % */
const BROWSER_BYTES = 100 * MB
const GATE_PCT = 85

/** The runner's only view of memory: a percentage this test sets. */
class InjectedPressure {
  percent = 10
  readonly samples: number[] = []
  async limits(): Promise<Limits> {
    return { memoryLimitBytes: LIMIT_BYTES, memorySource: 'cgroup-v2', cpuCores: 2, cpuSource: 'cgroup-v2' }
  }
  async sample(): Promise<ResourceSample> {
    this.samples.push(this.percent)
    const usedBytes = Math.round((this.percent / 100) * LIMIT_BYTES)
    return { memory: { usedBytes, limitBytes: LIMIT_BYTES, percent: this.percent }, cpu: { cores: 2, percent: null }, atMs: Date.now() }
  }
}

const tag = randomUUID()
const pressure = new InjectedPressure()
let site: FixtureSite
let runner: RunningRunner
let c: Client

beforeAll(async () => {
  // every Chromium this process launches inherits the tag, so leftovers can be found
  process.env.CRAWLFLEET_TEST_TAG = tag
  site = await startFixtureSite()
  const config = readRunnerConfig({
    PORT: '0',
    CRAWLFLEET_HOST: '127.0.0.1',
    CRAWLFLEET_RUNNER_ID: 'memory-pressure',
    CRAWLFLEET_ALLOW_CIDRS: '127.0.0.0/8',
    CRAWLFLEET_MEMORY_GATE_PCT: String(GATE_PCT),
    CRAWLFLEET_PROMOTE_AFTER_USES: '2',
    CRAWLFLEET_WARM_SPARES: '0',
    // the janitor's TTLs are far away: whatever is evicted here, the memory gate evicted
    CRAWLFLEET_COLD_TTL_SEC: '3600,3600,3600',
    CRAWLFLEET_HOT_TTL_SEC: '3600,3600,3600',
    CRAWLFLEET_JANITOR_INTERVAL_SEC: '3600,3600,3600',
  })
  const executablePath = findChromium({ configured: process.env.CRAWLFLEET_CHROMIUM_PATH, playwrightPath: () => chromium.executablePath(), isExecutable: isExecutableFile })
  runner = await startRunner(config, {
    clock: systemClock,
    launcher: ({ egressProxyUrl }) => createPlaywrightLauncher({ executablePath, egressProxyUrl, env: browserEnvironment(process.env), runningAsRoot: process.getuid?.() === 0 }),
    resources: pressure,
    measureBrowserBytes: async () => BROWSER_BYTES,
    log: createLogger({ name: 'runner', level: 'warn' }),
    nowWallMs: () => Date.now(),
  })
  c = client(runner.url)
})
afterAll(async () => {
  await runner?.stop()
  await site?.close()
  expect(await untilNoneTagged(tag)).toEqual([])
  delete process.env.CRAWLFLEET_TEST_TAG
})

const variant = (extra_args: string[]) => ({ browser_config: { extra_args } })
const A = variant(['--mute-audio'])
const B = variant(['--hide-scrollbars'])
const H = variant(['--disable-breakpad'])
const C = variant(['--disable-extensions'])
const D = variant(['--disable-default-apps'])

async function render(v: object, what: string): Promise<void> {
  const res = await c.post('/html', { ...v, url: `${site.url}/?${what}` })
  expect(res.status, what).toBe(200)
  expect(((await res.json()) as { html: string }).html).toContain('crawlfleet-fixture-home')
  // the page closes after its answer: only then is its browser idle, which eviction needs
  await c.until(idle, { what: `${what}: its page closed` })
}

const tiers = (p: Pressure) => Object.fromEntries(p.pool.browsers.filter((b) => b.state === 'active').map((b) => [b.signature, b.tier]))

describe('memory pressure from the resource reader', () => {
  it('evicts idle cold browsers first, then hot ones, then refuses a new variant with 503 MEMORY_PRESSURE; the permanent browser serves throughout', async () => {
    pressure.percent = 10
    await render(A, 'a')
    await render(H, 'h1')
    await render(H, 'h2') // its 2nd use: promoted to hot
    await render(B, 'b') // A is now the least recently used cold browser
    const start = await c.pressure()
    const [sigA, sigB, sigH] = [A, B, H].map((v) => signatureOf(launchOptionsFrom(v.browser_config)))
    expect(tiers(start)[sigH]).toBe('hot')
    expect([tiers(start)[sigA], tiers(start)[sigB]]).toEqual(['cold', 'cold'])

    // above the gate by less than one browser: evicting the LRU cold one is enough
    pressure.percent = GATE_PCT + 1
    await render(C, 'c')
    const afterC = await c.pressure()
    expect(tiers(afterC)[sigA]).toBeUndefined()
    expect(tiers(afterC)[sigB]).toBe('cold')
    expect(tiers(afterC)[sigH]).toBe('hot')
    expect(afterC.counters.evictions).toBe(start.counters.evictions + 1)

    // far above the gate: every idle browser goes, cold before hot, and it is still not enough
    pressure.percent = 95
    const refused = await c.post('/html', { ...D, url: `${site.url}/?d` })
    expect(refused.status).toBe(503)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await expectCleanError(refused)).error.code).toBe('MEMORY_PRESSURE')
    const underPressure = await c.pressure()
    expect(underPressure.pool.hot + underPressure.pool.cold).toBe(0)
    expect(underPressure.counters.evictions).toBe(afterC.counters.evictions + 3) // B and C (cold), then H (hot)
    expect(underPressure.counters.refusals.memory).toBe(start.counters.refusals.memory! + 1)
    expect(underPressure).toMatchObject({ available: false, reason: 'memory' })

    // the default signature needs no launch: the permanent browser serves under pressure
    await render({}, 'default-under-pressure')
    expect((await c.pressure()).pool.permanent).toBe(1)

    // pressure falls: the refused variant launches
    pressure.percent = 20
    await render(D, 'd-after')
    const relieved = await c.until(idle)
    expect(relieved.pool.cold).toBe(1)
    expect(relieved).toMatchObject({ available: true, reason: '' })
    expect(await orphanChromium(tag, c.pressure)).toEqual([])
  })
})
