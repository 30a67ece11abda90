// Waiters grouped by caller and served round-robin: the next slot goes to the caller after the one
// served last, so one caller's burst of 500 waits behind itself, not in front of everyone else.
// Within a caller, in the order their places were given: first come first served, except that a
// refused request's kept place, claimed on its retry, goes before those who queued after the refusal.

export class FairQueue<T> {
  /** insertion order of the Map is the rotation order; a caller leaves it when its queue empties */
  private readonly byCaller = new Map<string, { readonly item: T; readonly since: number }[]>()
  private size = 0
  /** the caller served last: the rotation continues after it */
  private lastServed: string | undefined

  get length(): number {
    return this.size
  }

  queuedBy(caller: string): number {
    return this.byCaller.get(caller)?.length ?? 0
  }

  /** `sinceMs`: when the item's place in line was given (a kept place: at its refusal); omitted: now, last in line */
  push(caller: string, item: T, sinceMs = Number.POSITIVE_INFINITY): void {
    const entry = { item, since: sinceMs }
    const q = this.byCaller.get(caller)
    if (!q) this.byCaller.set(caller, [entry])
    else {
      let i = q.length
      while (i > 0 && q[i - 1].since > sinceMs) i--
      q.splice(i, 0, entry)
    }
    this.size++
  }

  /** a caller got a slot without queueing: the rotation continues after it */
  noteServed(caller: string): void {
    this.lastServed = caller
    this.removedAfter = undefined
  }

  /** the next waiter in round-robin order, or undefined when empty */
  shift(): T | undefined {
    if (this.size === 0) return undefined
    const callers = [...this.byCaller.keys()]
    return this.takeFrom(callers[this.nextCallerIndex(callers)]!)
  }

  /** where the rotation goes on: after the caller served last, or, when that one has left (its queue emptied), at its successor */
  private nextCallerIndex(callers: readonly string[]): number {
    if (this.lastServed === undefined) return 0
    const after = callers.indexOf(this.lastServed)
    if (after !== -1) return (after + 1) % callers.length
    const successor = this.removedAfter !== undefined ? callers.indexOf(this.removedAfter) : -1
    return successor === -1 ? 0 : successor
  }

  remove(caller: string, item: T): boolean {
    const q = this.byCaller.get(caller)
    const i = q ? q.findIndex((e) => e.item === item) : -1
    if (!q || i === -1) return false
    q.splice(i, 1)
    this.size--
    if (q.length === 0) this.forget(caller)
    return true
  }

  /** Every waiter with its caller, in the order shift() would serve them if nobody else came. */
  *inServiceOrder(): Generator<readonly [caller: string, item: T]> {
    const callers = [...this.byCaller.keys()]
    if (callers.length === 0) return
    const start = this.nextCallerIndex(callers)
    const rotation = [...callers.slice(start), ...callers.slice(0, start)]
    const queues = rotation.map((c) => this.byCaller.get(c)!)
    const longest = Math.max(...queues.map((q) => q.length))
    for (let round = 0; round < longest; round++) {
      for (let i = 0; i < rotation.length; i++) if (round < queues[i]!.length) yield [rotation[i]!, queues[i]![round]!.item]
    }
  }

  /**
   * How many waiters would be served before a new one from `caller`: the caller's own queue, and from
   * every other caller as many as the rounds it waits (its place in its own queue, plus one).
   */
  aheadOf(caller: string): number {
    const own = this.queuedBy(caller)
    let ahead = own
    for (const [c, q] of this.byCaller) if (c !== caller) ahead += Math.min(q.length, own + 1)
    return ahead
  }

  private removedAfter: string | undefined

  private takeFrom(caller: string): T {
    const q = this.byCaller.get(caller)!
    const { item } = q.shift()!
    this.size--
    this.lastServed = caller
    if (q.length === 0) this.forget(caller)
    return item
  }

  private forget(caller: string): void {
    // remember the caller that followed, so the rotation resumes there rather than at the start
    const callers = [...this.byCaller.keys()]
    const i = callers.indexOf(caller)
    this.byCaller.delete(caller)
    if (caller === this.lastServed) this.removedAfter = callers[i + 1]
  }
}
