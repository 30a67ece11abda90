import { describe, expect, it } from 'vitest'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import type { SweepPlan } from '../../../runner/pool/janitor-policy.ts'
import type { RetireReason } from '../../../runner/pool/types.ts'
import { flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, requestWith } from '../../helpers/fake-launcher.ts'

const signal = () => new AbortController().signal
const DEFAULT_REQ = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const A = requestWith('--mute-audio')
const sweep = (id: string, reason: RetireReason): SweepPlan => ({ retire: [{ id, reason }], nextIntervalMs: 10_000, level: 'HIGH' })

describe('BrowserPool: retiring', () => {
  it.each<RetireReason>(['max-pages', 'max-age'])('keeps a leased browser recycled by the janitor (%s) open until its last release', async (reason) => {
    const { pool, launcher } = fakePool()
    const first = await pool.acquire(A, signal())
    const second = await pool.acquire(A, signal())
    pool.apply(sweep(first.browserId, reason))
    expect(pool.view()).toMatchObject([{ id: first.browserId, state: 'retired', leases: 2 }])
    expect(launcher.handles[0]?.closeCalls).toBe(0)

    const fresh = await pool.acquire(A, signal()) // no new leases on a retired browser
    expect(fresh.browserId).not.toBe(first.browserId)
    first.release()
    await flushPromises()
    expect(launcher.handles[0]?.closeCalls).toBe(0)
    second.release()
    await flushPromises()
    expect(launcher.handles[0]?.closeCalls).toBe(1)
    expect(pool.snapshot().counters).toMatchObject({ retirements: 1, evictions: 0 })
  })

  it('closes an idle browser whose TTL ran out and counts an eviction; skips it while leased', async () => {
    const { pool, launcher } = fakePool()
    const lease = await pool.acquire(A, signal())
    pool.apply(sweep(lease.browserId, 'ttl'))
    expect(pool.view()).toMatchObject([{ state: 'active' }])
    lease.release()
    pool.apply(sweep(lease.browserId, 'ttl'))
    await flushPromises()
    expect(pool.view()).toEqual([])
    expect(launcher.handles[0]?.closeCalls).toBe(1)
    expect(pool.snapshot().counters).toMatchObject({ evictions: 1, retirements: 1 })
  })

  it('never evicts the permanent browser, whatever the sweep says', async () => {
    const { pool } = fakePool()
    await pool.start()
    const id = pool.view()[0]?.id ?? ''
    pool.apply(sweep(id, 'ttl'))
    pool.apply(sweep(id, 'memory'))
    expect(pool.isPermanentUp()).toBe(true)
    expect(pool.view()).toMatchObject([{ id, state: 'active' }])
  })

  it('recycles a browser past its page count when the last page is released', async () => {
    const { pool, launcher } = fakePool({ maxPagesPerBrowser: 2 })
    for (let i = 0; i < 2; i++) (await pool.acquire(A, signal())).release()
    await flushPromises()
    expect(launcher.handles[0]?.closeCalls).toBe(1)
    expect(pool.view()).toEqual([])
    await pool.acquire(A, signal())
    expect(launcher.launches).toHaveLength(2)
  })

  it('recycles a browser past its age on the next acquire', async () => {
    const { pool, launcher, clock } = fakePool({ maxBrowserAgeMs: 60_000 })
    const first = await pool.acquire(A, signal())
    first.release()
    await clock.advance(60_000)
    const second = await pool.acquire(A, signal())
    expect(second.browserId).not.toBe(first.browserId)
    expect(launcher.launches).toHaveLength(2)
  })

  it('recycles the permanent browser by launching its replacement first', async () => {
    const { pool, launcher } = fakePool({ maxPagesPerBrowser: 2 })
    await pool.start()
    const oldId = pool.view()[0]?.id
    launcher.mode = 'manual'
    ;(await pool.acquire(DEFAULT_REQ, signal())).release()
    const held = await pool.acquire(DEFAULT_REQ, signal())
    const last = await pool.acquire(DEFAULT_REQ, signal())
    last.release() // the 2nd page: the replacement starts launching
    await launcher.whenLaunched(2)
    expect(launcher.launches[1]?.options).toEqual(DEFAULT_LAUNCH)

    // still serving from the old one until the replacement is up
    const during = await pool.acquire(DEFAULT_REQ, signal())
    expect(during.browserId).toBe(oldId)
    expect(pool.isPermanentUp()).toBe(true)
    expect(launcher.launches).toHaveLength(2) // a single replacement, however many triggers

    launcher.launches[1]?.succeed()
    await flushPromises()
    const after = await pool.acquire(DEFAULT_REQ, signal())
    expect(after.browserId).not.toBe(oldId)
    expect(pool.view().find((b) => b.id === oldId)).toMatchObject({ state: 'retired', leases: 2 })
    expect(launcher.handles[0]?.closeCalls).toBe(0)
    held.release()
    during.release()
    await flushPromises()
    expect(launcher.handles[0]?.closeCalls).toBe(1)
    expect(pool.snapshot().counts).toMatchObject({ permanent: 1, retired: 0 })
  })

  it('keeps the old permanent serving when its replacement fails to launch', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    const id = pool.view()[0]?.id ?? ''
    launcher.script = ['fail']
    pool.apply(sweep(id, 'max-age'))
    await launcher.whenLaunched(2)
    await flushPromises()
    expect(pool.isPermanentUp()).toBe(true)
    expect((await pool.acquire(DEFAULT_REQ, signal())).browserId).toBe(id)
    expect(pool.snapshot().counters.launchFailures).toBe(1)
  })
})
