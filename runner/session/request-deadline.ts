import { ClientGoneError, PageTimeoutError } from '../contract/errors.ts'
import type { Clock } from '../util/clock.ts'

/** The time a request has: its own page_timeout, cut short by the deadline the edge sent along. */
export interface RequestDeadline {
  readonly signal: AbortSignal
  readonly deadlineAtMs: number
  remainingMs(): number
  /** the client stopped listening: stop the work */
  cancel(): void
  dispose(): void
}

export function requestDeadline(o: {
  clock: Clock
  timeoutMs: number
  deadlineHeader: string | undefined
  clientSignal: AbortSignal | undefined
}): RequestDeadline {
  const fromEdge = Number(o.deadlineHeader)
  const budgetMs = Number.isFinite(fromEdge) && fromEdge > 0 ? Math.min(o.timeoutMs, fromEdge) : o.timeoutMs
  const deadlineAtMs = o.clock.now() + budgetMs
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new PageTimeoutError(`the request did not finish within ${Math.round(budgetMs)} ms`)), budgetMs)
  const onClientGone = () => controller.abort(new ClientGoneError())
  if (o.clientSignal?.aborted) onClientGone()
  else o.clientSignal?.addEventListener('abort', onClientGone, { once: true })
  return {
    signal: controller.signal,
    deadlineAtMs,
    remainingMs: () => Math.max(1, deadlineAtMs - o.clock.now()),
    cancel: onClientGone,
    dispose: () => {
      clearTimeout(timer)
      o.clientSignal?.removeEventListener('abort', onClientGone)
    },
  }
}
