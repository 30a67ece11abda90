import { describe, expect, it } from 'vitest'
import { abortable, DeadlineExceededError, withDeadline } from '../../../runner/util/with-deadline.ts'
import { deferred, FakeClock } from '../../helpers/fake-clock.ts'

describe('withDeadline', () => {
  it('settles with the work when it finishes in time, and cancels its timer', async () => {
    const clock = new FakeClock()
    const work = deferred<string>()
    const result = withDeadline(work.promise, 1000, clock)
    await clock.whenSleeping()
    work.resolve('done')
    await expect(result).resolves.toBe('done')
    expect(clock.pendingSleeps).toBe(0)
  })

  it('passes the work’s own failure through', async () => {
    const clock = new FakeClock()
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, clock)).rejects.toThrow('boom')
  })

  it('rejects with DeadlineExceededError once the deadline passes', async () => {
    const clock = new FakeClock()
    const result = withDeadline(deferred().promise, 1000, clock)
    const outcome = result.then(() => 'resolved', (err: unknown) => err)
    await clock.advance(999)
    expect(clock.pendingSleeps).toBe(1)
    await clock.advance(1)
    expect(await outcome).toBeInstanceOf(DeadlineExceededError)
  })
})

describe('abortable', () => {
  it('rejects with the signal’s reason as soon as it aborts, even though the work goes on', async () => {
    const ac = new AbortController()
    const work = deferred<number>()
    const result = abortable(work.promise, ac.signal)
    ac.abort(new Error('client left'))
    await expect(result).rejects.toThrow('client left')
    work.resolve(1)
  })

  it('rejects at once for a signal already aborted, and resolves with the work otherwise', async () => {
    await expect(abortable(Promise.resolve(1), AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    await expect(abortable(Promise.resolve(2), new AbortController().signal)).resolves.toBe(2)
  })
})
