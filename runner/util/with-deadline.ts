import type { Clock } from './clock.ts'

export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`did not finish within ${deadlineMs} ms`)
    this.name = 'DeadlineExceededError'
  }
}

/** Settles like `work`, or rejects with DeadlineExceededError after `ms`. `work` itself keeps running. */
export function withDeadline<T>(work: Promise<T>, ms: number, clock: Clock): Promise<T> {
  const timer = new AbortController()
  const expired = clock.sleep(ms, timer.signal).then(() => Promise.reject(new DeadlineExceededError(ms)))
  return Promise.race([work, expired]).finally(() => timer.abort())
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
