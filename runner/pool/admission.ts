import { DrainingError, QueueFullError, QueueTimeoutError } from '../contract/errors.ts'
import type { RefusalReason } from '../contract/metric-names.ts'
import type { Clock } from '../util/clock.ts'
import type { CapacityPlan } from './capacity-plan.ts'

export type AdmitDecision = 'run' | 'queue' | 'queue-full'

export function admit(state: { readonly running: number; readonly queued: number }, plan: Pick<CapacityPlan, 'pageSlots' | 'queueLength'>): AdmitDecision {
  if (state.running < plan.pageSlots) return 'run'
  return state.queued < plan.queueLength ? 'queue' : 'queue-full'
}

export interface AdmissionOptions {
  /** read on every decision, so a recomputed plan applies at once */
  readonly plan: () => Pick<CapacityPlan, 'pageSlots' | 'queueLength' | 'queueWaitMs'>
  readonly clock: Clock
  readonly onRefusal?: (reason: RefusalReason) => void
  /** a fixed Retry-After; @default - estimated from the queue and the measured time a page holds a slot */
  readonly retryAfterSec?: number
}

export interface AdmissionStats {
  readonly running: number
  readonly queued: number
  readonly pageSlots: number
  readonly queueLength: number
}

interface Waiter {
  /** hands the waiter a slot, counted in `running` here */
  grant(): void
}

/** Page slots bound the work in flight; a bounded FIFO queue with a wait limit holds the rest. */
/** the first estimate of a page's slot time, before any was measured (a warm small page is ~0.1–0.3 s) */
const DEFAULT_SERVICE_MS = 500
const SERVICE_EWMA_WEIGHT = 0.2
const MAX_RETRY_AFTER_SEC = 30

export class Admission {
  private running = 0
  private readonly queue: Waiter[] = []
  private draining = false
  private idle: (() => void) | undefined
  /** moving average of how long one admitted piece of work holds its slot */
  private serviceMs: number | undefined

  constructor(private readonly o: AdmissionOptions) {}

  /**
   * When a refused client should come back: about when the queue ahead of it will have drained,
   * so clients that honour Retry-After are not starved by ones that retry at once.
   */
  retryAfterSec(): number {
    if (this.o.retryAfterSec !== undefined) return this.o.retryAfterSec
    const { pageSlots } = this.o.plan()
    const drainMs = ((this.queue.length + 1) * (this.serviceMs ?? DEFAULT_SERVICE_MS)) / Math.max(1, pageSlots)
    return Math.min(MAX_RETRY_AFTER_SEC, Math.max(1, Math.ceil(drainMs / 1000)))
  }

  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    signal.throwIfAborted()
    if (this.draining) throw this.refuse('draining', new DrainingError())
    this.grantWaiting() // slots freed by a larger plan go to the queue before a newcomer
    const plan = this.o.plan()
    const decision = admit({ running: this.running, queued: this.queue.length }, plan)
    if (decision === 'queue-full') throw this.refuse('queue_full', new QueueFullError(this.retryAfterSec()))
    if (decision === 'queue') await this.waitForSlot(signal, plan.queueWaitMs)
    else this.running++
    const startedMs = this.o.clock.now()
    try {
      return await fn()
    } finally {
      const heldMs = this.o.clock.now() - startedMs
      this.serviceMs = this.serviceMs === undefined ? heldMs : this.serviceMs + SERVICE_EWMA_WEIGHT * (heldMs - this.serviceMs)
      this.running--
      this.grantWaiting()
    }
  }

  /** New work is refused with DrainingError; resolves when running and already queued work is done. */
  drain(): Promise<void> {
    this.draining = true
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => (this.idle = resolve))
  }

  stats(): AdmissionStats {
    const { pageSlots, queueLength } = this.o.plan()
    return { running: this.running, queued: this.queue.length, pageSlots, queueLength }
  }

  private waitForSlot(signal: AbortSignal, waitMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = new AbortController()
      let done = false
      const settle = () => {
        done = true
        timer.abort()
        signal.removeEventListener('abort', onAbort)
      }
      const leave = (err: unknown) => {
        if (done) return
        settle()
        this.queue.splice(this.queue.indexOf(waiter), 1)
        reject(err)
        this.grantWaiting() // the last one leaving may be what drain() waits for
      }
      const onAbort = () => leave(signal.reason)
      const waiter: Waiter = {
        grant: () => {
          if (done) return
          settle()
          this.running++
          resolve()
        },
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.o.clock.sleep(waitMs, timer.signal).then(
        () => !done && leave(this.refuse('queue_timeout', new QueueTimeoutError(waitMs, this.retryAfterSec()))),
        () => undefined, // granted or left before the wait ran out
      )
      this.queue.push(waiter)
    })
  }

  private grantWaiting(): void {
    while (this.queue.length > 0 && this.running < this.o.plan().pageSlots) this.queue.shift()?.grant()
    if (this.draining && this.running === 0 && this.queue.length === 0) this.idle?.()
  }

  private refuse<E extends Error>(reason: RefusalReason, err: E): E {
    this.o.onRefusal?.(reason)
    return err
  }
}
