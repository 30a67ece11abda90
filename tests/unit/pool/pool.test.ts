import { describe, expect, it } from 'vitest'
import { BrowserCrashedError } from '../../../runner/contract/errors.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, requestWith } from '../../helpers/fake-launcher.ts'

const signal = () => new AbortController().signal
const DEFAULT_REQ = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const A = requestWith('--mute-audio')
const B = requestWith('--hide-scrollbars')

describe('BrowserPool: acquire', () => {
  it('launches the permanent browser with the default launch options at start', async () => {
    const { pool, launcher } = fakePool()
    expect(pool.isPermanentUp()).toBe(false)
    await pool.start()
    expect(launcher.launches.map((l) => l.options)).toEqual([DEFAULT_LAUNCH])
    expect(pool.isPermanentUp()).toBe(true)
    expect(pool.snapshot().counts).toMatchObject({ permanent: 1, hot: 0, cold: 0, launching: 0 })
  })

  it('serves default requests from the permanent browser without launching', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    const lease = await pool.acquire(DEFAULT_REQ, signal())
    expect(lease).toMatchObject({ tier: 'permanent', signature: DEFAULT_SIGNATURE, crashed: false })
    expect(lease.browser).toBe(launcher.handles[0]?.browser)
    expect(launcher.launches).toHaveLength(1)
    expect(pool.snapshot().counters).toMatchObject({ hits: 1, misses: 0, launches: 1 })
  })

  it('launches a cold browser for a new signature and promotes it to hot on its 3rd use', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    const tiers: string[] = []
    for (let i = 0; i < 4; i++) {
      const lease = await pool.acquire(A, signal())
      tiers.push(lease.tier)
      lease.release()
    }
    expect(tiers).toEqual(['cold', 'cold', 'hot', 'hot'])
    expect(launcher.launches.map((l) => l.options)).toEqual([DEFAULT_LAUNCH, A.launch])
    expect(pool.snapshot().counts).toMatchObject({ permanent: 1, hot: 1, cold: 0 })
    expect(pool.snapshot().counters).toMatchObject({ hits: 3, misses: 1, launches: 2, promotions: 1 })
  })

  it('honours a configured promotion threshold', async () => {
    const { pool } = fakePool({ promoteAfterUses: 1 })
    expect((await pool.acquire(A, signal())).tier).toBe('hot')
  })

  it('shares one launch between concurrent first requests for a signature (single flight)', async () => {
    const { pool, launcher } = fakePool()
    launcher.mode = 'manual'
    const first = pool.acquire(A, signal())
    const second = pool.acquire(A, signal())
    await launcher.whenLaunched(1)
    await flushPromises()
    expect(launcher.launches).toHaveLength(1)
    launcher.launches[0]?.succeed()
    const [l1, l2] = await Promise.all([first, second])
    expect(l1.browserId).toBe(l2.browserId)
    expect(pool.snapshot().counts.cold).toBe(1)
    expect(pool.snapshot().counters).toMatchObject({ misses: 2, launches: 1 })
  })

  it('does not make another signature wait for a slow launch', async () => {
    const { pool, launcher } = fakePool()
    launcher.script = ['manual']
    const slow = pool.acquire(A, signal())
    await launcher.whenLaunched(1)
    const fast = await pool.acquire(B, signal())
    expect(fast.signature).toBe(B.signature)
    expect(pool.snapshot().counts.launching).toBe(1)
    launcher.launches[0]?.succeed()
    expect((await slow).signature).toBe(A.signature)
  })

  it('leaves nothing behind when a launch fails, and the next acquire launches again', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    launcher.script = ['fail']
    const err = await pool.acquire(A, signal()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrowserCrashedError)
    expect(err).toMatchObject({ status: 503, retryElsewhere: true })
    expect(pool.view().map((b) => b.signature)).toEqual([DEFAULT_SIGNATURE])
    expect(pool.snapshot().counts.launching).toBe(0)
    expect(pool.snapshot().counters.launchFailures).toBe(1)

    const lease = await pool.acquire(A, signal())
    expect(lease.signature).toBe(A.signature)
    expect(launcher.launches).toHaveLength(3)
  })

  it('rejects a waiting acquire as soon as its signal aborts, and leases nothing when the launch lands', async () => {
    const { pool, launcher } = fakePool()
    launcher.mode = 'manual'
    const ac = new AbortController()
    const waiting = pool.acquire(A, ac.signal)
    await launcher.whenLaunched(1)
    ac.abort(new Error('deadline passed'))
    await expect(waiting).rejects.toThrow('deadline passed')
    launcher.launches[0]?.succeed()
    await flushPromises()
    expect(pool.view()).toMatchObject([{ signature: A.signature, leases: 0, uses: 0, state: 'active' }])
    expect(pool.snapshot().counts.leased).toBe(0)
  })

  it('refuses an already aborted acquire without launching', async () => {
    const { pool, launcher } = fakePool()
    await expect(pool.acquire(A, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    expect(launcher.launches).toHaveLength(0)
  })

  it('counts a page per release and ignores a second release of the same lease', async () => {
    const { pool, clock } = fakePool()
    await pool.start()
    const lease = await pool.acquire(DEFAULT_REQ, signal())
    expect(pool.snapshot().counts.leased).toBe(1)
    await clock.advance(1234)
    lease.release()
    lease.release()
    expect(pool.view()[0]).toMatchObject({ leases: 0, pagesServed: 1, uses: 1, lastUsedAtMs: clock.now() })
  })

  it('reports refusals by reason and the plan in its snapshot', () => {
    const { pool, plan } = fakePool()
    pool.recordRefusal('queue_full')
    pool.recordRefusal('queue_full')
    pool.recordRefusal('draining')
    const snap = pool.snapshot()
    expect(snap.counters.refusals).toEqual({ queue_full: 2, memory: 0, draining: 1, queue_timeout: 0 })
    expect(snap.plan).toEqual(plan)
  })

  it('tells its listeners when a refusal shows pressure rising, but not for draining', () => {
    const { pool } = fakePool()
    let nudges = 0
    pool.onPressureRising(() => nudges++)
    pool.recordRefusal('queue_timeout')
    pool.recordRefusal('draining')
    expect(nudges).toBe(1)
  })

  it('tells its listeners when a release samples a higher pressure level, at most once per interval', async () => {
    const { pool, pressure, clock } = fakePool({ releasePressureSampleMs: 1000 })
    await pool.start()
    let nudges = 0
    pool.onPressureRising(() => nudges++)
    const release = async () => {
      ;(await pool.acquire(DEFAULT_REQ, signal())).release()
      await flushPromises()
    }
    await release()
    expect(nudges).toBe(0)
    pressure.percent = 70
    await release() // within the interval: not sampled
    expect(pressure.sampledAtMs).toHaveLength(1)
    await clock.advance(1000)
    await release()
    expect(nudges).toBe(1)
    await clock.advance(1000)
    await release() // same level again: nothing new
    expect(nudges).toBe(1)
  })
})
