import { describe, expect, it } from 'vitest'
import { MemoryPressureError } from '../../../runner/contract/errors.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { BrowserCostModel } from '../../../runner/pool/cost-model.ts'
import { BrowserPool } from '../../../runner/pool/pool.ts'
import { DEFAULT_POOL_SETTINGS } from '../../../runner/pool/pool-settings.ts'
import type { BrowserHandle } from '../../../runner/pool/types.ts'
import { deferred, FakeClock, flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, FakeLauncher, FakePressure, requestWith, type FakeBrowser } from '../../helpers/fake-launcher.ts'

const MB = 1024 * 1024
const signal = () => new AbortController().signal
const [A, B, C, D] = ['--mute-audio', '--hide-scrollbars', '--disable-breakpad', '--disable-extensions'].map((f) => requestWith(f))

/** hot A (promoted), then cold B, then cold C, each used at a later time; 1000 MB limit, 100 MB a browser */
async function poolWithThreeIdle() {
  const world = fakePool({ memoryGatePct: 85 })
  world.pressure.limitBytes = 1000 * MB
  world.pool.costModel.record(100 * MB)
  await world.pool.start()
  for (const req of [A, A, A, B, C]) {
    ;(await world.pool.acquire(req, signal())).release()
    await world.clock.advance(1000)
  }
  const idOf = (sig: string) => world.pool.view().find((b) => b.signature === sig)?.id
  return { ...world, ids: { A: idOf(A.signature), B: idOf(B.signature), C: idOf(C.signature) } }
}

describe('BrowserPool: memory gate', () => {
  it('launches without evicting while pressure is under the gate', async () => {
    const { pool, pressure } = await poolWithThreeIdle()
    pressure.percent = 84
    await pool.acquire(D, signal())
    expect(pool.snapshot().counts).toMatchObject({ hot: 1, cold: 3 })
    expect(pool.snapshot().counters.evictions).toBe(0)
  })

  it('evicts idle cold before idle hot, least recently used first, just enough to get under', async () => {
    const { pool, pressure, ids, launcher } = await poolWithThreeIdle()
    pressure.percent = 96 // 96 → 86 (B) → 76 (C): under 85, hot A stays
    const lease = await pool.acquire(D, signal())
    expect(lease.signature).toBe(D.signature)
    expect(pool.view().map((b) => b.id)).not.toContain(ids.B)
    expect(pool.view().map((b) => b.id)).not.toContain(ids.C)
    expect(pool.view().map((b) => b.id)).toContain(ids.A)
    expect(pool.snapshot().counters.evictions).toBe(2)
    await flushPromises()
    expect(launcher.handles.filter((h) => h.closeCalls > 0).map((h) => h.browser.options)).toEqual([B.launch, C.launch])
  })

  it('evicts hot ones too when the cold are not enough, then refuses with 503 and Retry-After if still above', async () => {
    const { pool, pressure, launcher } = await poolWithThreeIdle()
    let nudges = 0
    pool.onPressureRising(() => nudges++)
    pressure.percent = 120 // 120 → 90 after all three idle browsers: still above 85
    const err = await pool.acquire(D, signal()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MemoryPressureError)
    expect(err).toMatchObject({ status: 503, retryElsewhere: true })
    expect((err as MemoryPressureError).headers()).toEqual({ 'retry-after': '5' })
    expect(pool.snapshot().counts).toMatchObject({ permanent: 1, hot: 0, cold: 0 })
    expect(pool.snapshot().counters).toMatchObject({ evictions: 3, refusals: { memory: 1 } })
    expect(launcher.launches.map((l) => l.options)).not.toContain(D.launch)
    expect(nudges).toBeGreaterThan(0)
  })

  it('never evicts a leased browser to make room', async () => {
    const { pool, pressure, ids } = await poolWithThreeIdle()
    const leases = [await pool.acquire(A, signal()), await pool.acquire(B, signal()), await pool.acquire(C, signal())]
    pressure.percent = 90
    await expect(pool.acquire(D, signal())).rejects.toBeInstanceOf(MemoryPressureError)
    expect(pool.view().map((b) => b.id)).toEqual(expect.arrayContaining([ids.A, ids.B, ids.C]))
    for (const l of leases) l.release()
  })

  it('makes room when the plan has no browser left, even with memory to spare', async () => {
    const { pool, plan, ids } = await poolWithThreeIdle()
    plan.maxBrowsers = 3
    await pool.acquire(D, signal())
    expect(pool.view().map((b) => b.id)).not.toContain(ids.B)
    expect(pool.snapshot().counts).toMatchObject({ hot: 1, cold: 2 })
  })

  it('counts launches still in flight, so concurrent launches cannot overshoot the plan', async () => {
    const { pool, launcher } = fakePool({}, { maxBrowsers: 1 })
    launcher.mode = 'manual'
    const first = pool.acquire(A, signal())
    await launcher.whenLaunched(1)
    await expect(pool.acquire(B, signal())).rejects.toBeInstanceOf(MemoryPressureError)
    launcher.launches[0]?.succeed()
    await first
  })

  it('lets the permanent browser launch whatever the pressure (its share is reserved)', async () => {
    const { pool, pressure } = fakePool({}, { maxBrowsers: 0 })
    pressure.percent = 99
    await pool.start()
    expect(pool.isPermanentUp()).toBe(true)
    expect((await pool.acquire({ launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }, signal())).tier).toBe('permanent')
  })

  it('measures each new browser off the request path and feeds the cost model the plan uses', async () => {
    const clock = new FakeClock()
    const launcher = new FakeLauncher()
    const measured = deferred<number>()
    const measuredPids: (number | undefined)[] = []
    const costModel = new BrowserCostModel(90 * MB)
    const costChanges: number[] = []
    const pool = new BrowserPool<FakeBrowser>({
      launcher, clock, pressure: new FakePressure(clock), settings: DEFAULT_POOL_SETTINGS, costModel,
      plan: () => ({ maxBrowsers: 4, concurrentLaunches: 4, pageSlots: 1, maxQueued: 1, maxQueuedPerCaller: 1, queueWaitMs: 1, memoryBudgetBytes: 1, perBrowserBytes: costModel.estimateBytes(), perPageBytes: 1 }),
      onCostChange: (bytes) => costChanges.push(bytes),
      measureBrowserBytes: (h: BrowserHandle<FakeBrowser>) => {
        measuredPids.push(h.pid)
        return measured.promise
      },
    })
    await pool.start() // does not wait for the measurement
    expect(measuredPids).toEqual([launcher.handles[0]?.pid])
    expect(pool.snapshot().plan?.perBrowserBytes).toBe(90 * MB)
    measured.resolve(150 * MB)
    await flushPromises()
    expect(pool.snapshot().plan?.perBrowserBytes).toBe(150 * MB)
    expect(costChanges).toEqual([150 * MB])
  })

  it('opens the gate on memory (not on count) when pressure cannot be read', async () => {
    const { pool, pressure, events } = fakePool({}, { maxBrowsers: 1 })
    pressure.failNext = true
    const heldA = await pool.acquire(A, signal())
    expect(heldA.signature).toBe(A.signature)
    expect(events.map((e) => e.event)).toContain('pressure.failed')
    pressure.failNext = true
    await expect(pool.acquire(B, signal())).rejects.toBeInstanceOf(MemoryPressureError)
  })
})
