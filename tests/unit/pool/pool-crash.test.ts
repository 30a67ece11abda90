import { describe, expect, it } from 'vitest'
import { BrowserCrashedError } from '../../../runner/contract/errors.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, requestWith } from '../../helpers/fake-launcher.ts'

const signal = () => new AbortController().signal
const DEFAULT_REQ = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const A = requestWith('--mute-audio')

describe('BrowserPool: crashes', () => {
  it('drops a crashed browser at once and tells its leases, whose release is then harmless', async () => {
    const { pool, launcher } = fakePool()
    const lease = await pool.acquire(A, signal())
    launcher.handles[0]?.crash()
    expect(lease.crashed).toBe(true)
    expect(lease.signal.aborted).toBe(true)
    expect(lease.signal.reason).toBeInstanceOf(BrowserCrashedError)
    expect(pool.view()).toEqual([])
    expect(pool.snapshot().counters.crashes).toBe(1)
    lease.release()
    expect(pool.snapshot().counts.leased).toBe(0)
    await flushPromises()
    expect(launcher.handles[0]?.killCalls).toBe(1) // leftovers of the dead browser's tree

    const next = await pool.acquire(A, signal())
    expect(next.browserId).not.toBe(lease.browserId)
    expect(launcher.launches).toHaveLength(2)
  })

  it('relaunches a crashed permanent browser on its own', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    launcher.handles[0]?.crash()
    expect(pool.isPermanentUp()).toBe(false)
    await launcher.whenLaunched(2)
    await flushPromises()
    expect(pool.isPermanentUp()).toBe(true)
    expect(launcher.launches[1]?.options).toEqual(DEFAULT_LAUNCH)
    expect((await pool.acquire(DEFAULT_REQ, signal())).browser).toBe(launcher.handles[1]?.browser)
    expect(pool.snapshot().counters).toMatchObject({ crashes: 1, launches: 2 })
  })

  it('backs off when relaunching the permanent keeps failing, and fails default requests fast meanwhile', async () => {
    const { pool, launcher, clock } = fakePool({ relaunchBackoffMs: { initial: 500, max: 800 } })
    await pool.start()
    launcher.script = ['fail', 'fail', 'fail']
    launcher.handles[0]?.crash()
    await launcher.whenLaunched(2)
    await clock.whenSleeping()
    expect(clock.sleeps.at(-1)?.ms).toBe(500)
    await expect(pool.acquire(DEFAULT_REQ, signal())).rejects.toBeInstanceOf(BrowserCrashedError)
    expect(launcher.launches).toHaveLength(2) // the request did not launch one itself

    await clock.advance(500)
    expect(launcher.launches).toHaveLength(3)
    expect(clock.sleeps.at(-1)?.ms).toBe(800) // 1000, capped
    await clock.advance(800)
    expect(launcher.launches).toHaveLength(4)
    await clock.advance(800)
    expect(launcher.launches).toHaveLength(5)
    expect(pool.isPermanentUp()).toBe(true)
    expect(pool.snapshot().counters.launchFailures).toBe(3)
    // the streak is over: a later crash relaunches at once
    launcher.handles.at(-1)?.crash()
    await launcher.whenLaunched(6)
    await flushPromises()
    expect(pool.isPermanentUp()).toBe(true)
  })

  it('does not count its own closes as crashes', async () => {
    const { pool, launcher } = fakePool()
    const lease = await pool.acquire(A, signal())
    lease.release()
    pool.apply({ retire: [{ id: lease.browserId, reason: 'ttl' }], nextIntervalMs: 1, level: 'LOW' })
    await flushPromises()
    expect(launcher.handles[0]?.exited).toBe(true) // the fake fires disconnected on close, like Playwright
    expect(pool.snapshot().counters.crashes).toBe(0)
  })
})
