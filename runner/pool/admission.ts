import { DrainingError, QueueFullError, QueueTimeoutError } from '../contract/errors.ts'
import type { RefusalReason } from '../contract/metric-names.ts'
import type { Clock } from '../util/clock.ts'
import type { CapacityPlan } from './capacity-plan.ts'
import { FairQueue } from './fair-queue.ts'
import { KeptPlaces, type KeptPlaceWindow } from './kept-places.ts'
import { predictWaitMs, retryAfterSec, waitBudgetMs } from './predicted-wait.ts'

export type AdmissionPlan = Pick<CapacityPlan, 'pageSlots' | 'maxQueued' | 'maxQueuedPerCaller' | 'queueWaitMs'>

export interface AdmitInput {
  readonly running: number
  readonly slots: number
  readonly queued: number
  readonly queuedByCaller: number
  /** predicted wait of this request, ms (predictWaitMs, kept places due before it included) */
  readonly waitMs: number
  /** the most this request may wait (waitBudgetMs); for a kept place, what its deadline leaves */
  readonly budgetMs: number
  readonly plan: Pick<AdmissionPlan, 'maxQueued' | 'maxQueuedPerCaller'>
}

export type AdmitDecision = 'run' | 'queue' | 'queue-full' | 'wait-too-long'

/** Pure: run while a slot is free and nobody waits; queue while the predicted wait fits; the hard caps bound the queue. */
export function admit(s: AdmitInput): AdmitDecision {
  if (s.running < s.slots && s.queued === 0) return 'run'
  if (s.queued >= s.plan.maxQueued || s.queuedByCaller >= s.plan.maxQueuedPerCaller) return 'queue-full'
  return s.waitMs <= s.budgetMs ? 'queue' : 'wait-too-long'
}

export interface AdmissionOptions {
  /** read on every decision, so a recomputed plan applies at once */
  readonly plan: () => AdmissionPlan
  /** page slots in use now (adapted to the event loop); @default the plan's pageSlots */
  readonly slots?: () => number
  readonly clock: Clock
  readonly onRefusal?: (reason: RefusalReason) => void
  /** told the number running each time work starts (the slot adapter's demand signal) */
  readonly onStart?: (running: number) => void
  readonly keptPlaceWindow?: KeptPlaceWindow
}

/** Who is asking and by when: the caller id the edge derived from the API key, and the request's deadline. */
export interface Ticket {
  readonly signal: AbortSignal
  readonly caller?: string
  /** monotonic ms (the admission clock) */
  readonly deadlineAtMs?: number
  /** no refusal past the queue budget: wait while the deadline allows (a crawl's own pages); the hard caps still apply */
  readonly waitUntilDeadline?: boolean
}

export interface AdmissionStats {
  readonly running: number
  readonly queued: number
  readonly pageSlots: number
  readonly maxQueued: number
  /** the wait a request from a new caller would be predicted now, ms */
  readonly predictedWaitMs: number
  /** the measured time a page holds a slot (moving average), ms */
  readonly slotTimeMs: number
  readonly keptPlaces: number
}

interface Waiter {
  /** hands the waiter a slot, counted in `running` here */
  grant(): void
  /** monotonic ms by which it must have started: when it queued plus its wait budget */
  readonly startByMs: number
  /** takes it out of the queue with `err` */
  refuse(err: Error): void
}

/** the first estimate of a page's slot time, before any was measured (a warm small page is ~0.1–0.3 s) */
const DEFAULT_SERVICE_MS = 500
const SERVICE_EWMA_WEIGHT = 0.2
/** requests without a caller id (no edge in front, jobs) share one queue of their own */
export const ANONYMOUS_CALLER = '-'
/** a prediction can be wrong (pages slow down); a waiter gives up after this many queue budgets */
const QUEUE_TIMEOUT_BUDGETS = 3

/**
 * Page slots bound the work in flight. Waiting is bounded by predicted time, not by a count; the
 * queue serves callers round-robin; a refused request gets an honest Retry-After and a kept place.
 */
export class Admission {
  private running = 0
  private readonly queue = new FairQueue<Waiter>()
  private readonly kept: KeptPlaces
  private draining = false
  private idle: (() => void) | undefined
  /** moving average of how long one admitted piece of work holds its slot */
  private serviceMs: number | undefined

  constructor(private readonly o: AdmissionOptions) {
    this.kept = new KeptPlaces(o.keptPlaceWindow)
  }

  /** `fn` is told how long this request waited in the queue, ms (0 when it ran at once) */
  async run<T>(ticket: Ticket, fn: (queuedMs: number) => Promise<T>): Promise<T> {
    ticket.signal.throwIfAborted()
    if (this.draining) throw this.refuse('draining', new DrainingError())
    this.grantWaiting() // slots freed by a larger plan go to the queue before a newcomer
    const caller = ticket.caller ?? ANONYMOUS_CALLER
    const plan = this.o.plan()
    const slots = this.slots()
    const nowMs = this.o.clock.now()
    const serviceMs = this.slotTimeMs()
    const deadlineLeftMs = ticket.deadlineAtMs === undefined ? undefined : ticket.deadlineAtMs - nowMs
    const keptPlace = this.kept.claim(caller, nowMs)
    const waitMs = this.predictFor(caller, nowMs, keptPlace !== undefined)
    const budgetMs = ticket.waitUntilDeadline
      ? Infinity // its deadline ends the wait
      : keptPlace
        ? (deadlineLeftMs ?? Infinity) - serviceMs
        : waitBudgetMs(plan.queueWaitMs, deadlineLeftMs, serviceMs)
    const decision = admit({ running: this.running, slots, queued: this.queue.length, queuedByCaller: this.queue.queuedBy(caller), waitMs, budgetMs, plan })
    if (decision === 'queue-full' || decision === 'wait-too-long') throw this.refuseWithPlace(caller, nowMs)
    if (decision === 'queue') await this.waitForSlot(caller, ticket.signal, plan.queueWaitMs * QUEUE_TIMEOUT_BUDGETS, keptPlace?.madeAtMs ?? nowMs, nowMs + budgetMs)
    else {
      this.running++
      this.queue.noteServed(caller)
    }
    this.o.onStart?.(this.running)
    const startedMs = this.o.clock.now()
    try {
      return await fn(decision === 'queue' ? startedMs - nowMs : 0)
    } finally {
      const heldMs = this.o.clock.now() - startedMs
      this.serviceMs = this.serviceMs === undefined ? heldMs : this.serviceMs + SERVICE_EWMA_WEIGHT * (heldMs - this.serviceMs)
      this.running--
      this.grantWaiting()
      this.refuseLateWaiters()
    }
  }

  /** New work is refused with DrainingError; resolves when running and already queued work is done. */
  drain(): Promise<void> {
    this.draining = true
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve()
    return new Promise((resolve) => (this.idle = resolve))
  }

  stats(): AdmissionStats {
    const { maxQueued } = this.o.plan()
    const nowMs = this.o.clock.now()
    return {
      running: this.running,
      queued: this.queue.length,
      pageSlots: this.slots(),
      maxQueued,
      predictedWaitMs: Math.round(this.predictFor(`${ANONYMOUS_CALLER}new`, nowMs, false)),
      slotTimeMs: Math.round(this.slotTimeMs()),
      keptPlaces: this.kept.count(nowMs),
    }
  }

  private slots(): number {
    return Math.max(1, this.o.slots?.() ?? this.o.plan().pageSlots)
  }

  private slotTimeMs(): number {
    return this.serviceMs ?? DEFAULT_SERVICE_MS
  }

  /** The wait of a request from `caller` arriving now; places kept for others that fall due before it starts are ahead of it. */
  private predictFor(caller: string, nowMs: number, keptPlace: boolean): number {
    const w = { ahead: this.queue.aheadOf(caller), running: this.running, slots: this.slots(), serviceMs: this.slotTimeMs() }
    const waitMs = predictWaitMs(w)
    if (keptPlace) return waitMs
    const dueAhead = this.kept.dueBefore(nowMs + waitMs, nowMs)
    return dueAhead === 0 ? waitMs : predictWaitMs({ ...w, ahead: w.ahead + dueAhead })
  }

  /** 429 with Retry-After = when all promised work has started; the caller's place is kept for then. */
  private refuseWithPlace(caller: string, nowMs: number): QueueFullError {
    const sec = retryAfterSec({ promisedAhead: this.queue.length + this.kept.count(nowMs), slots: this.slots(), serviceMs: this.slotTimeMs() })
    this.kept.keep(caller, nowMs + sec * 1000, nowMs)
    return this.refuse('queue_full', new QueueFullError(sec))
  }

  /**
   * A waiter admitted on a prediction that no longer holds (the slot time measured since has grown:
   * a burst that slows every page down) is refused now, with a Retry-After and a kept place, rather
   * than kept past its budget: each is predicted again from its place in the round-robin.
   */
  private refuseLateWaiters(): void {
    if (this.queue.length === 0) return
    const nowMs = this.o.clock.now()
    const perStartMs = this.slotTimeMs() / this.slots()
    const late: (readonly [string, Waiter])[] = []
    let place = 0
    for (const [caller, waiter] of this.queue.inServiceOrder()) if (nowMs + ++place * perStartMs > waiter.startByMs) late.push([caller, waiter])
    // all out of the line first: each one's Retry-After then counts the line that stays and the places kept before its own
    for (const [caller, waiter] of late) this.queue.remove(caller, waiter)
    for (const [caller, waiter] of late) waiter.refuse(this.refuseWithPlace(caller, nowMs))
  }

  /**
   * `sinceMs`: when this request's place in line was given (now, or a claimed place's refusal);
   * `startByMs`: when its budget runs out (refuseLateWaiters); `waitMs`: the wait after which it gives up whatever the prediction
   */
  private waitForSlot(caller: string, signal: AbortSignal, waitMs: number, sinceMs: number, startByMs: number): Promise<void> {
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
        this.queue.remove(caller, waiter)
        reject(err)
        this.grantWaiting() // the last one leaving may be what drain() waits for
      }
      const onAbort = () => leave(signal.reason)
      const waiter: Waiter = {
        startByMs,
        refuse: leave,
        grant: () => {
          if (done) return
          settle()
          this.running++
          resolve()
        },
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.o.clock.sleep(waitMs, timer.signal).then(
        () => !done && leave(this.refuseTimedOut(waitMs)),
        () => undefined, // granted or left before the wait ran out
      )
      this.queue.push(caller, waiter, sinceMs)
    })
  }

  private refuseTimedOut(waitedMs: number): QueueTimeoutError {
    const sec = retryAfterSec({ promisedAhead: this.queue.length, slots: this.slots(), serviceMs: this.slotTimeMs() })
    return this.refuse('queue_timeout', new QueueTimeoutError(waitedMs, sec))
  }

  private grantWaiting(): void {
    while (this.queue.length > 0 && this.running < this.slots()) this.queue.shift()?.grant()
    if (this.draining && this.running === 0 && this.queue.length === 0) this.idle?.()
  }

  private refuse<E extends Error>(reason: RefusalReason, err: E): E {
    this.o.onRefusal?.(reason)
    return err
  }
}
