import { describe, expect, it } from 'vitest'
import { DrainingError, QueueFullError, QueueTimeoutError } from '../../../runner/contract/errors.ts'
import type { RefusalReason } from '../../../runner/contract/metric-names.ts'
import { admit, Admission } from '../../../runner/pool/admission.ts'
import { deferred, FakeClock, flushPromises, type Deferred } from '../../helpers/fake-clock.ts'

describe('admit', () => {
  const plan = { pageSlots: 2, queueLength: 1 }
  it('runs while a slot is free, queues while the queue has room, and is full after that', () => {
    expect(admit({ running: 1, queued: 0 }, plan)).toBe('run')
    expect(admit({ running: 2, queued: 0 }, plan)).toBe('queue')
    expect(admit({ running: 2, queued: 1 }, plan)).toBe('queue-full')
    expect(admit({ running: 0, queued: 0 }, { pageSlots: 0, queueLength: 0 })).toBe('queue-full')
  })
})

function setup(plan = { pageSlots: 1, queueLength: 2, queueWaitMs: 5000 }) {
  const clock = new FakeClock()
  const refusals: RefusalReason[] = []
  const admission = new Admission({ plan: () => plan, clock, onRefusal: (r) => refusals.push(r) })
  const order: string[] = []
  /** starts a job that records when it runs and holds its slot until finished */
  const job = (name: string, signal = new AbortController().signal) => {
    const done: Deferred<string> = deferred()
    const result = admission.run(signal, async () => {
      order.push(name)
      return done.promise
    })
    return { result, finish: () => done.resolve(name), fail: (e: Error) => done.reject(e) }
  }
  return { clock, admission, refusals, order, job, plan }
}

describe('Admission', () => {
  it('runs queued work in arrival order as slots free up', async () => {
    const { admission, order, job } = setup({ pageSlots: 1, queueLength: 3, queueWaitMs: 5000 })
    const a = job('a')
    const b = job('b')
    const c = job('c')
    await flushPromises()
    expect(order).toEqual(['a'])
    expect(admission.stats()).toEqual({ running: 1, queued: 2, pageSlots: 1, queueLength: 3 })
    a.finish()
    await expect(a.result).resolves.toBe('a')
    await flushPromises()
    expect(order).toEqual(['a', 'b'])
    b.finish()
    c.finish()
    await Promise.all([b.result, c.result])
    expect(order).toEqual(['a', 'b', 'c'])
    expect(admission.stats()).toMatchObject({ running: 0, queued: 0 })
  })

  it('refuses with 429 and a Retry-After covering the queue ahead, from the measured slot time', async () => {
    const { clock, admission, refusals, job } = setup({ pageSlots: 1, queueLength: 1, queueWaitMs: 60_000 })
    const first = job('first')
    await flushPromises()
    await clock.advance(4000) // a page that held its slot for 4 s
    first.finish()
    await first.result
    job('a')
    job('b')
    const err = await admission.run(new AbortController().signal, async () => 'c').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect((err as QueueFullError).status).toBe(429)
    // one queued ahead plus this one, 4 s each, through one slot
    expect((err as QueueFullError).headers()).toEqual({ 'retry-after': '8' })
    expect(refusals).toEqual(['queue_full'])
  })

  it('takes a fixed Retry-After when one is configured', async () => {
    const admission = new Admission({ plan: () => ({ pageSlots: 0, queueLength: 0, queueWaitMs: 1 }), clock: new FakeClock(), retryAfterSec: 7 })
    const err = await admission.run(new AbortController().signal, async () => 'x').catch((e: unknown) => e)
    expect((err as QueueFullError).headers()).toEqual({ 'retry-after': '7' })
  })

  it('answers 503 QUEUE_TIMEOUT with Retry-After when no slot frees up within queueWaitMs', async () => {
    const { clock, admission, refusals, order, job } = setup({ pageSlots: 1, queueLength: 1, queueWaitMs: 5000 })
    const a = job('a')
    const b = job('b')
    const bOutcome = b.result.catch((e: unknown) => e)
    await clock.whenSleeping()
    await clock.advance(4999)
    expect(admission.stats().queued).toBe(1)
    await clock.advance(1)
    const err = await bOutcome
    expect(err).toBeInstanceOf(QueueTimeoutError)
    // nothing measured yet: itself plus the one queued, at the 0.5 s first estimate, rounded up to 1 s
    expect(err).toMatchObject({ status: 503, code: 'QUEUE_TIMEOUT', retryElsewhere: true, retryAfterSec: 1 })
    expect(refusals).toEqual(['queue_timeout'])
    expect(admission.stats().queued).toBe(0)
    a.finish()
    await a.result
    expect(order).toEqual(['a'])
  })

  it('cancels the wait timer once a queued call gets its slot', async () => {
    const { clock, admission, job, refusals } = setup()
    const a = job('a')
    const b = job('b')
    await clock.whenSleeping()
    a.finish()
    await a.result
    await flushPromises()
    expect(clock.pendingSleeps).toBe(0)
    await clock.advance(10_000)
    b.finish()
    await expect(b.result).resolves.toBe('b')
    expect(refusals).toEqual([])
    expect(admission.stats().running).toBe(0)
  })

  it('lets a queued call whose signal aborts leave the queue with the signal’s reason', async () => {
    const { admission, order, job } = setup()
    const a = job('a')
    const ac = new AbortController()
    const b = job('b', ac.signal)
    const c = job('c')
    await flushPromises()
    ac.abort(new Error('client went away'))
    await expect(b.result).rejects.toThrow('client went away')
    expect(admission.stats().queued).toBe(1)
    a.finish()
    await a.result
    await flushPromises()
    expect(order).toEqual(['a', 'c'])
    c.finish()
    await c.result
  })

  it('releases the slot when the work throws', async () => {
    const { admission, job } = setup()
    const a = job('a')
    const b = job('b')
    a.fail(new Error('page crashed'))
    await expect(a.result).rejects.toThrow('page crashed')
    await flushPromises()
    expect(admission.stats()).toMatchObject({ running: 1, queued: 0 })
    b.finish()
    await b.result
    expect(admission.stats().running).toBe(0)
  })

  it('refuses a call whose signal has already aborted without taking a slot', async () => {
    const { admission } = setup()
    await expect(admission.run(AbortSignal.abort(new Error('late')), async () => 1)).rejects.toThrow('late')
    expect(admission.stats().running).toBe(0)
  })

  it('gives slots added by a larger plan to queued work before newcomers', async () => {
    const plan = { pageSlots: 1, queueLength: 5, queueWaitMs: 5000 }
    const { admission, order, job } = setup(plan)
    job('a')
    job('b')
    await flushPromises()
    plan.pageSlots = 2
    job('c')
    await flushPromises()
    expect(order).toEqual(['a', 'b'])
    expect(admission.stats()).toMatchObject({ running: 2, queued: 1 })
  })

  it('drains: new calls get DrainingError, queued work still runs, and drain resolves when all is done', async () => {
    const { admission, refusals, order, job } = setup()
    const a = job('a')
    const b = job('b')
    await flushPromises()
    let drained = false
    const draining = admission.drain().then(() => (drained = true))
    await expect(admission.run(new AbortController().signal, async () => 'late')).rejects.toBeInstanceOf(DrainingError)
    expect(refusals).toEqual(['draining'])
    a.finish()
    await a.result
    await flushPromises()
    expect(order).toEqual(['a', 'b'])
    expect(drained).toBe(false)
    b.finish()
    await draining
    expect(drained).toBe(true)
  })

  it('drains at once when idle', async () => {
    const { admission } = setup()
    await expect(admission.drain()).resolves.toBeUndefined()
  })
})
