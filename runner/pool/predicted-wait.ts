// Admission by predicted wait (issue 11). A fixed queue length refuses most of a burst that the
// slots would have served within seconds; a wait predicted from the measured time a page holds a
// slot admits the whole burst while it fits, and tells the rest honestly when to come back.
// Pure: the Admission class feeds it counts, the measured slot time and the clock's now.

export interface WaitInput {
  /** waiters that will be served before this one (round-robin order, see FairQueue.aheadOf) */
  readonly ahead: number
  readonly running: number
  readonly slots: number
  /** moving average of how long one piece of work holds its slot */
  readonly serviceMs: number
}

/**
 * Predicted time until this request gets a slot: none while a slot is free and nobody waits;
 * otherwise the slots must start `ahead + 1` pieces of work, at `slots` per `serviceMs`.
 */
export function predictWaitMs(w: WaitInput): number {
  const slots = Math.max(1, w.slots)
  if (w.ahead === 0 && w.running < slots) return 0
  return ((w.ahead + 1) * w.serviceMs) / slots
}

/**
 * How long this request may wait: the queue budget, cut to what its own deadline leaves after the
 * work itself (a request that would time out in the queue is better refused now, while the edge
 * can still try another runner).
 */
export function waitBudgetMs(queueWaitMs: number, deadlineLeftMs: number | undefined, serviceMs: number): number {
  if (deadlineLeftMs === undefined) return queueWaitMs
  return Math.min(queueWaitMs, deadlineLeftMs - serviceMs)
}

export const MAX_RETRY_AFTER_SEC = 120

/**
 * Retry-After for a refused request: when everything already promised (the queue and the places
 * kept for earlier refusals) will have started, so a client that honours it finds its place kept
 * and is served on the first retry. Whole seconds, at least 1.
 */
export function retryAfterSec(o: { readonly promisedAhead: number; readonly slots: number; readonly serviceMs: number }): number {
  const drainMs = ((o.promisedAhead + 1) * o.serviceMs) / Math.max(1, o.slots)
  return Math.min(MAX_RETRY_AFTER_SEC, Math.max(1, Math.ceil(drainMs / 1000)))
}
