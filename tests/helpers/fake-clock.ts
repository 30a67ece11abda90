import type { Clock } from '../../runner/util/clock.ts'

interface Timer {
  readonly atMs: number
  readonly seq: number
  readonly fire: () => void
}

/** Yields to every pending promise callback (a macrotask boundary), not a stand-in for an event. */
export const flushPromises = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** A Clock that moves only when a test says so. Sleeps resolve in time order as advance() passes them. */
export class FakeClock implements Clock {
  private nowMs: number
  private seq = 0
  private timers: Timer[] = []
  private sleepWaiters: { count: number; resolve: () => void }[] = []
  /** every sleep requested, in order, for assertions */
  readonly sleeps: { atMs: number; ms: number }[] = []

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs
  }

  now(): number {
    return this.nowMs
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    this.sleeps.push({ atMs: this.nowMs, ms })
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        atMs: this.nowMs + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.notifySleepers()
    })
  }

  get pendingSleeps(): number {
    return this.timers.length
  }

  /** resolves once at least `count` sleeps are pending (the code under test is now waiting on time) */
  whenSleeping(count = 1): Promise<void> {
    if (this.timers.length >= count) return Promise.resolve()
    return new Promise((resolve) => this.sleepWaiters.push({ count, resolve }))
  }

  /** Moves time forward by ms, firing due sleeps in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms
    await flushPromises()
    for (let next = this.nextDue(targetMs); next; next = this.nextDue(targetMs)) {
      this.timers = this.timers.filter((t) => t !== next)
      this.nowMs = next.atMs
      next.fire()
      await flushPromises()
    }
    this.nowMs = targetMs
    await flushPromises()
  }

  private nextDue(targetMs: number): Timer | undefined {
    const due = this.timers.filter((t) => t.atMs <= targetMs)
    return due.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0]
  }

  private notifySleepers(): void {
    const ready = this.sleepWaiters.filter((w) => this.timers.length >= w.count)
    this.sleepWaiters = this.sleepWaiters.filter((w) => this.timers.length < w.count)
    for (const w of ready) w.resolve()
  }
}

export interface Deferred<T> {
  readonly promise: Promise<T>
  resolve(value: T): void
  reject(reason: unknown): void
}

/** A promise the test settles by hand: the event the code under test waits for. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
