import type { Clock } from './clock.ts'

// The runner's one set of timeout helpers. Each takes its clock, so tests run them on fake time.

export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`did not finish within ${deadlineMs} ms`)
    this.name = 'DeadlineExceededError'
  }
}

/**
 * Runs `work` with a signal that aborts after `ms`; settles like the work, or rejects with
 * `onTimeout()` (DeadlineExceededError by default) as soon as the time is up, whether or not the
 * work heeds its signal.
 */
export function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, clock: Clock, onTimeout: () => Error = () => new DeadlineExceededError(ms)): Promise<T> {
  const ac = new AbortController()
  const running = work(ac.signal)
  running.catch(() => undefined) // it may reject after the timeout won
  const expired = clock.sleep(ms, ac.signal).then(() => Promise.reject(onTimeout()))
  expired.catch(() => undefined)
  return Promise.race([running, expired]).finally(() => ac.abort())
}

/** Settles like `work`, or rejects with DeadlineExceededError after `ms`. `work` itself keeps running. */
export function withDeadline<T>(work: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return withTimeout(() => work, ms, clock)
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
