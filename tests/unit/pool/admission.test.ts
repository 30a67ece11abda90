import { describe, expect, it } from 'vitest'
import { DrainingError, QueueFullError, QueueTimeoutError } from '../../../runner/contract/errors.ts'
import type { RefusalReason } from '../../../runner/contract/metric-names.ts'
import { admit, Admission, type AdmissionPlan } from '../../../runner/pool/admission.ts'
import { deferred, FakeClock, flushPromises, type Deferred } from '../../helpers/fake-clock.ts'

describe('admit', () => {
  const caps = { maxQueued: 3, maxQueuedPerCaller: 2 }
  const s = { running: 2, slots: 2, queued: 0, queuedByCaller: 0, waitMs: 0, budgetMs: 10_000, plan: caps }
  it('runs while a slot is free and nobody waits, queues while the predicted wait fits, refuses past it or the caps', () => {
    expect(admit({ ...s, running: 1 })).toBe('run')
    expect(admit({ ...s, waitMs: 10_000 })).toBe('queue')
    expect(admit({ ...s, waitMs: 10_001 })).toBe('wait-too-long')
    expect(admit({ ...s, queued: 3 })).toBe('queue-full')
    expect(admit({ ...s, queued: 2, queuedByCaller: 2 })).toBe('queue-full')
    // a free slot with others waiting: the newcomer queues behind them
    expect(admit({ ...s, running: 1, queued: 1 })).toBe('queue')
  })
})

type Plan = { -readonly [K in keyof AdmissionPlan]: AdmissionPlan[K] }

function setup(over: Partial<Plan> = {}) {
  const plan: Plan = { pageSlots: 1, maxQueued: 100, maxQueuedPerCaller: 100, queueWaitMs: 5000, ...over }
  const clock = new FakeClock()
  const refusals: RefusalReason[] = []
  const admission = new Admission({ plan: () => plan, clock, onRefusal: (r) => refusals.push(r) })
  const order: string[] = []
  /** starts a job that records when it runs and holds its slot until finished */
  const job = (name: string, o: { signal?: AbortSignal; caller?: string; deadlineAtMs?: number } = {}) => {
    const done: Deferred<string> = deferred()
    const result = admission.run({ signal: o.signal ?? new AbortController().signal, caller: o.caller, deadlineAtMs: o.deadlineAtMs }, async () => {
      order.push(name)
      return done.promise
    })
    return { result, finish: () => done.resolve(name), fail: (e: Error) => done.reject(e) }
  }
  /** runs one job that holds its slot for ms, so the slot time is measured */
  const measure = async (ms: number) => {
    const j = job('measure')
    await flushPromises()
    await clock.advance(ms)
    j.finish()
    await j.result
    order.length = 0
  }
  return { clock, admission, refusals, order, job, plan, measure }
}

describe('Admission', () => {
  it('tells the work how long it waited for its slot', async () => {
    const { clock, admission } = setup({ pageSlots: 1 })
    const first = deferred<void>()
    const waited: number[] = []
    const a = admission.run({ signal: new AbortController().signal }, async (ms) => (waited.push(ms), first.promise))
    const b = admission.run({ signal: new AbortController().signal }, async (ms) => void waited.push(ms))
    await flushPromises()
    await clock.advance(700)
    first.resolve()
    await Promise.all([a, b])
    expect(waited).toEqual([0, 700])
  })

  it('runs queued work in arrival order as slots free up', async () => {
    const { admission, order, job } = setup()
    const a = job('a')
    const b = job('b')
    const c = job('c')
    await flushPromises()
    expect(order).toEqual(['a'])
    expect(admission.stats()).toMatchObject({ running: 1, queued: 2, pageSlots: 1, maxQueued: 100 })
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

  it('queues a burst far larger than the slots while its predicted wait fits the budget', async () => {
    const { admission, refusals, job, measure } = setup({ pageSlots: 4, queueWaitMs: 10_000 })
    await measure(400)
    // 4 slots at 0.4 s a page start 10 pages a second: the 100th queued waits 10 s
    const jobs = Array.from({ length: 104 }, (_, i) => job(`j${i}`))
    await flushPromises()
    expect(refusals).toEqual([])
    expect(admission.stats()).toMatchObject({ running: 4, queued: 100 })
    const extra = await job('one too many').result.catch((e: unknown) => e)
    expect(extra).toBeInstanceOf(QueueFullError)
    for (const j of jobs) j.finish()
    await Promise.all(jobs.map((j) => j.result))
  })

  it('refuses past the budget with 429 and a Retry-After for when the queue and earlier refusals have started', async () => {
    const { admission, refusals, job, measure } = setup({ pageSlots: 1, queueWaitMs: 7000 })
    await measure(4000)
    const running = job('running')
    const queued = job('queued') // waits 4 s
    await flushPromises()
    const err = await job('refused').result.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(QueueFullError)
    expect((err as QueueFullError).status).toBe(429)
    // the one queued ahead plus this one, 4 s each, through one slot
    expect((err as QueueFullError).headers()).toEqual({ 'retry-after': '8' })
    // the next refusal comes after the place kept for the first
    const err2 = await job('refused too', { caller: 'b' }).result.catch((e: unknown) => e)
    expect((err2 as QueueFullError).headers()).toEqual({ 'retry-after': '12' })
    expect(refusals).toEqual(['queue_full', 'queue_full'])
    running.finish()
    queued.finish()
    await Promise.all([running.result, queued.result])
  })

  it('refuses a queued request once the slot time measured since says it will not start within its budget: 429, Retry-After, its place kept', async () => {
    const { clock, admission, refusals, job, measure } = setup({ pageSlots: 1, queueWaitMs: 5000 })
    await measure(500)
    const running = job('running')
    // 0.5 s a page: the ninth in line is predicted to start in 4.5 s, within the 5 s budget
    const queued = Array.from({ length: 9 }, (_, i) => job(`q${i}`))
    await flushPromises()
    expect(refusals).toEqual([])
    const outcomes = queued.map((j) => j.result.then(() => 'served', (e: unknown) => e))
    // the page running holds its slot 3 s: the slot time becomes 0.5 + 0.2 × 2.5 = 1 s
    await clock.advance(3000)
    running.finish()
    await running.result
    await flushPromises()
    // q0 starts; q1 and q2 start within the 5 s since they queued, the rest would not
    expect(admission.stats()).toMatchObject({ running: 1, queued: 2, slotTimeMs: 1000, keptPlaces: 6 })
    expect(refusals).toEqual(Array(6).fill('queue_full'))
    const refused = (await Promise.all(outcomes.slice(3))) as QueueFullError[]
    for (const e of refused) expect(e).toBeInstanceOf(QueueFullError)
    // each comes back when the two still in line and the places kept before its own have started, 1 s each
    expect(refused.map((e) => e.headers()['retry-after'])).toEqual(['3', '4', '5', '6', '7', '8'])
    for (const j of queued.slice(0, 3)) j.finish()
    expect(await Promise.all(outcomes.slice(0, 3))).toEqual(['served', 'served', 'served'])
  })

  it('keeps the place of a refused caller: its retry after Retry-After is admitted though newcomers filled the queue', async () => {
    const { clock, admission, job, measure } = setup({ pageSlots: 1, queueWaitMs: 3000 })
    await measure(2000)
    const first = [job('r'), job('q')]
    await flushPromises()
    const refused = (await job('x', { caller: 'a' }).result.catch((e: unknown) => e)) as QueueFullError
    const afterSec = refused.retryAfterSec
    await clock.advance(afterSec * 1000)
    for (const j of first) j.finish()
    await Promise.all(first.map((j) => j.result))
    // a newcomer takes the free slot; the next one would wait behind the place kept for 'a' too: refused
    const filler = [job('f1', { caller: 'b' })]
    await flushPromises()
    const newcomer = await job('late', { caller: 'c' }).result.catch((e: unknown) => e)
    expect(newcomer).toBeInstanceOf(QueueFullError)
    const retry = job('retry', { caller: 'a' })
    await flushPromises()
    expect(admission.stats()).toMatchObject({ running: 1, queued: 1 })
    for (const j of [...filler, retry]) j.finish()
    await expect(retry.result).resolves.toBe('retry')
    await Promise.all(filler.map((j) => j.result))
  })

  it('serves a claimed place where it was refused: before the caller’s requests that queued after the refusal', async () => {
    const { clock, order, job, measure, plan } = setup({ pageSlots: 1, queueWaitMs: 2500 })
    await measure(1000)
    const early = [job('a1', { caller: 'a' }), job('a2', { caller: 'a' }), job('a3', { caller: 'a' })]
    await flushPromises()
    const refused = (await job('a4', { caller: 'a' }).result.catch((e: unknown) => e)) as QueueFullError
    expect(refused).toBeInstanceOf(QueueFullError)
    // from here on nobody's wait is refused for its length: what is tested is the order
    plan.queueWaitMs = 60_000
    await clock.advance(1000)
    early[0].finish()
    await early[0].result
    const later = job('a5', { caller: 'a' }) // queued after the refusal: its wait fits the budget
    await flushPromises()
    await clock.advance(refused.retryAfterSec * 1000 - 1000)
    const retry = job('retry', { caller: 'a' })
    await flushPromises()
    // every job may end at once: the slot then goes down the line in its order
    for (const j of [early[1], early[2], retry, later]) j.finish()
    await Promise.all([early[1], early[2], retry, later].map((j) => j.result))
    expect(order).toEqual(['a1', 'a2', 'a3', 'retry', 'a5'])
  })

  it('serves callers round-robin: one caller’s burst does not delay another’s single request', async () => {
    const { admission, order, job } = setup({ pageSlots: 1 })
    const blocker = job('blocker', { caller: 'flood' })
    const flood = Array.from({ length: 5 }, (_, i) => job(`flood${i}`, { caller: 'flood' }))
    const single = job('single', { caller: 'quiet' })
    await flushPromises()
    expect(admission.stats().queued).toBe(6)
    blocker.finish()
    await blocker.result
    await flushPromises()
    expect(order).toEqual(['blocker', 'single'])
    single.finish()
    for (const j of flood) j.finish()
    await Promise.all([single.result, ...flood.map((j) => j.result)])
  })

  it('predicts a newcomer’s wait from its place in the round-robin, not from the whole queue', async () => {
    const { admission, job, measure, refusals } = setup({ pageSlots: 1, queueWaitMs: 3000 })
    await measure(1000)
    const flood = Array.from({ length: 4 }, (_, i) => job(`flood${i}`, { caller: 'flood' }))
    await flushPromises()
    // the flood's own next request would wait 4 s: refused
    await expect(job('flood more', { caller: 'flood' }).result).rejects.toBeInstanceOf(QueueFullError)
    // another caller's first request waits for one of the flood's, then its own turn: 2 s
    const quiet = job('quiet', { caller: 'quiet' })
    await flushPromises()
    expect(refusals).toEqual(['queue_full'])
    for (const j of [...flood, quiet]) j.finish()
    await Promise.all([quiet.result, ...flood.map((j) => j.result)])
  })

  it('refuses at once a request whose own deadline would pass in the queue', async () => {
    const { clock, job, measure } = setup({ pageSlots: 1, queueWaitMs: 60_000 })
    await measure(1000)
    const a = job('a')
    const b = job('b')
    await flushPromises()
    // waits 2 s and then needs about 1 s of work: a 2.5 s deadline cannot be met
    await expect(job('c', { deadlineAtMs: clock.now() + 2500 }).result).rejects.toBeInstanceOf(QueueFullError)
    const d = job('d', { deadlineAtMs: clock.now() + 4000 })
    await flushPromises()
    for (const j of [a, b, d]) j.finish()
    await Promise.all([a.result, b.result, d.result])
  })

  it('bounds the queue by the hard caps whatever the wait, and each caller by its own', async () => {
    const { job, measure } = setup({ pageSlots: 1, maxQueued: 3, maxQueuedPerCaller: 2, queueWaitMs: 60_000 })
    await measure(10)
    const held = [job('a'), job('b', { caller: 'x' }), job('c', { caller: 'x' })]
    await expect(job('d', { caller: 'x' }).result).rejects.toBeInstanceOf(QueueFullError)
    held.push(job('e', { caller: 'y' }))
    await expect(job('f', { caller: 'z' }).result).rejects.toBeInstanceOf(QueueFullError)
    for (const j of held) j.finish()
    await Promise.all(held.map((j) => j.result))
  })

  it('follows adapted slots', async () => {
    let slots = 1
    const clock = new FakeClock()
    const admission = new Admission({ plan: () => ({ pageSlots: 8, maxQueued: 10, maxQueuedPerCaller: 10, queueWaitMs: 5000 }), slots: () => slots, clock })
    const hold = deferred<void>()
    const a = admission.run({ signal: new AbortController().signal }, () => hold.promise)
    const b = admission.run({ signal: new AbortController().signal }, () => hold.promise)
    await flushPromises()
    expect(admission.stats()).toMatchObject({ running: 1, queued: 1, pageSlots: 1 })
    slots = 2
    hold.resolve()
    await Promise.all([a, b])
  })

  it('answers 503 QUEUE_TIMEOUT with Retry-After when the prediction was wrong and no slot freed up within 3 budgets', async () => {
    const { clock, admission, refusals, order, job } = setup({ pageSlots: 1, queueWaitMs: 5000 })
    const a = job('a')
    const b = job('b')
    const bOutcome = b.result.catch((e: unknown) => e)
    await clock.whenSleeping()
    await clock.advance(14_999)
    expect(admission.stats().queued).toBe(1)
    await clock.advance(1)
    const err = await bOutcome
    expect(err).toBeInstanceOf(QueueTimeoutError)
    // nothing measured yet: the 0.5 s first estimate, rounded up to 1 s
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
    const b = job('b', { signal: ac.signal })
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
    await expect(admission.run({ signal: AbortSignal.abort(new Error('late')) }, async () => 1)).rejects.toThrow('late')
    expect(admission.stats().running).toBe(0)
  })

  it('gives slots added by a larger plan to queued work before newcomers', async () => {
    const { admission, order, job, plan } = setup()
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
    await expect(admission.run({ signal: new AbortController().signal }, async () => 'late')).rejects.toBeInstanceOf(DrainingError)
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
