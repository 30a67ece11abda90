// Places kept for refused requests. A 429's Retry-After is a promise: the client that comes back
// then is admitted whatever the queue looks like (only the hard caps and its own deadline still
// apply), in line where it was refused, before its caller's requests queued since. Places are keyed by caller: a request of that caller that arrives within a place's
// window takes it. Unclaimed places expire, so clients that never come back cost nothing.

export interface KeptPlaceWindow {
  /** how early before the promised time a retry may claim its place (clocks, rounding) */
  readonly earlyMs: number
  /** how long after the promised time the place is still kept */
  readonly lateMs: number
}

export const DEFAULT_KEPT_PLACE_WINDOW: KeptPlaceWindow = { earlyMs: 1000, lateMs: 10_000 }

export class KeptPlaces {
  /** per caller, promised times in ascending order, with when each was promised */
  private readonly byCaller = new Map<string, { readonly at: number; readonly madeAt: number }[]>()
  private total = 0

  constructor(private readonly window: KeptPlaceWindow = DEFAULT_KEPT_PLACE_WINDOW) {}

  /** places not yet expired at nowMs: each is work promised ahead of a new refusal */
  count(nowMs: number): number {
    this.expire(nowMs)
    return this.total
  }

  /** places due (promised) before atMs: work that will be in the queue ahead of a request starting then */
  dueBefore(atMs: number, nowMs: number): number {
    this.expire(nowMs)
    let n = 0
    for (const times of this.byCaller.values()) for (const t of times) if (t.at < atMs) n++
    return n
  }

  keep(caller: string, atMs: number, nowMs: number): void {
    const times = this.byCaller.get(caller) ?? []
    let i = times.length
    while (i > 0 && times[i - 1].at > atMs) i--
    times.splice(i, 0, { at: atMs, madeAt: nowMs })
    this.byCaller.set(caller, times)
    this.total++
  }

  /** when `caller` had a place open at nowMs, the earliest such place is used up: when it was promised (its refusal) */
  claim(caller: string, nowMs: number): { readonly madeAtMs: number } | undefined {
    this.expire(nowMs)
    const times = this.byCaller.get(caller)
    if (!times || times[0].at - this.window.earlyMs > nowMs) return undefined
    const place = times.shift()!
    this.total--
    if (times.length === 0) this.byCaller.delete(caller)
    return { madeAtMs: place.madeAt }
  }

  private expire(nowMs: number): void {
    for (const [caller, times] of this.byCaller) {
      let gone = 0
      while (gone < times.length && times[gone].at + this.window.lateMs < nowMs) gone++
      if (gone === 0) continue
      times.splice(0, gone)
      this.total -= gone
      if (times.length === 0) this.byCaller.delete(caller)
    }
  }
}
