import { describe, expect, it } from 'vitest'
import { DrainingError } from '../../../runner/contract/errors.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'
import { CLOSE_GRACE_MS } from '../../../runner/pool/pool-settings.ts'
import { flushPromises } from '../../helpers/fake-clock.ts'
import { fakePool, requestWith } from '../../helpers/fake-launcher.ts'

const signal = () => new AbortController().signal
const DEFAULT_REQ = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const A = requestWith('--mute-audio')

/** close() settles only through fake time; this reports whether it has */
function track(p: Promise<void>) {
  const state = { done: false }
  void p.then(() => (state.done = true))
  return state
}

describe('BrowserPool: close', () => {
  it('closes idle browsers at once and refuses new work with DrainingError', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    ;(await pool.acquire(A, signal())).release()
    await pool.close({ graceMs: 30_000 })
    expect(launcher.handles.map((h) => [h.closeCalls, h.killCalls])).toEqual([[1, 0], [1, 0]])
    expect(pool.view()).toEqual([])
    expect(pool.isPermanentUp()).toBe(false)
    await expect(pool.acquire(DEFAULT_REQ, signal())).rejects.toBeInstanceOf(DrainingError)
  })

  it('waits for open leases within the grace period and closes each browser at its last release', async () => {
    const { pool, launcher, clock } = fakePool()
    await pool.start()
    const lease = await pool.acquire(DEFAULT_REQ, signal())
    const closed = track(pool.close({ graceMs: 30_000 }))
    await clock.advance(10_000)
    expect(closed.done).toBe(false)
    expect(launcher.handles[0]?.closeCalls).toBe(0)
    lease.release()
    await flushPromises()
    expect(closed.done).toBe(true)
    expect(launcher.handles[0]).toMatchObject({ closeCalls: 1, killCalls: 0 })
    expect(lease.signal.aborted).toBe(false)
  })

  it('after the grace period closes browsers still leased and aborts their leases with DrainingError', async () => {
    const { pool, launcher, clock } = fakePool()
    const lease = await pool.acquire(A, signal())
    const closed = track(pool.close({ graceMs: 30_000 }))
    await clock.advance(29_999)
    expect(launcher.handles[0]?.closeCalls).toBe(0)
    await clock.advance(1)
    expect(closed.done).toBe(true)
    expect(launcher.handles[0]?.closeCalls).toBe(1)
    expect(lease.signal.reason).toBeInstanceOf(DrainingError)
    expect(lease.crashed).toBe(false)
    lease.release()
  })

  it('kills the process tree of a browser whose close hangs past CLOSE_GRACE_MS', async () => {
    const { pool, launcher, clock, events } = fakePool()
    await pool.start()
    const handle = launcher.handles[0]
    if (!handle) throw new Error('no permanent browser')
    handle.closeMode = 'hang'
    const closed = track(pool.close({ graceMs: 30_000 }))
    await clock.advance(CLOSE_GRACE_MS - 1)
    expect(handle).toMatchObject({ closeCalls: 1, killCalls: 0 })
    expect(closed.done).toBe(false)
    await clock.advance(1)
    expect(handle.killCalls).toBe(1)
    expect(closed.done).toBe(true)
    expect(events.map((e) => e.event)).toContain('browser.kill')
    expect(pool.snapshot().counters.crashes).toBe(0)
  })

  it('kills a browser whose close fails outright', async () => {
    const { pool, launcher } = fakePool()
    await pool.start()
    const handle = launcher.handles[0]
    if (handle) handle.closeMode = 'fail'
    await pool.close({ graceMs: 0 })
    expect(handle?.killCalls).toBe(1)
  })

  it('aborts launches in flight, and the waiting acquire gets DrainingError', async () => {
    const { pool, launcher } = fakePool()
    launcher.mode = 'hang'
    const waiting = pool.acquire(A, signal())
    await launcher.whenLaunched(1)
    await pool.close({ graceMs: 1000 })
    expect(launcher.launches[0]?.signal.aborted).toBe(true)
    await expect(waiting).rejects.toBeInstanceOf(DrainingError)
    expect(pool.snapshot().counters.launchFailures).toBe(0)
  })

  it('closes a browser whose launch completes after shutdown began', async () => {
    const { pool, launcher } = fakePool()
    launcher.mode = 'manual'
    launcher.honourAbort = false
    const waiting = pool.acquire(A, signal()).catch((e: unknown) => e)
    await launcher.whenLaunched(1)
    const closing = pool.close({ graceMs: 1000 })
    const handle = launcher.launches[0]?.succeed()
    if (!handle) throw new Error('no launch')
    await closing
    expect(handle.closeCalls).toBe(1)
    expect(await waiting).toBeInstanceOf(DrainingError)
    expect(pool.view()).toEqual([])
  })

  it('does not relaunch a permanent browser that dies during shutdown', async () => {
    const { pool, launcher, clock } = fakePool()
    await pool.start()
    const lease = await pool.acquire(DEFAULT_REQ, signal())
    const closing = pool.close({ graceMs: 5000 })
    launcher.handles[0]?.crash()
    await closing
    await clock.advance(60_000)
    expect(launcher.launches).toHaveLength(1)
    expect(lease.crashed).toBe(true)
  })
})
