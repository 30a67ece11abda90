export interface BackoffSettings {
  readonly baseMs: number
  readonly maxMs: number
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 250, maxMs: 10_000 }

/**
 * Runners to skip for a while: one that refused (429/503) or could not be reached is skipped
 * for base·2^(n−1) ms after its n-th failure in a row (at least its Retry-After, at most maxMs).
 * One success forgets its failures.
 */
export class RunnerBackoff {
  private readonly state = new Map<string, { failures: number; untilMs: number }>()

  constructor(private readonly s: BackoffSettings = DEFAULT_BACKOFF) {
    if (s.baseMs <= 0 || s.maxMs < s.baseMs) throw new Error(`backoff needs 0 < baseMs ≤ maxMs, got ${s.baseMs}/${s.maxMs}`)
  }

  failed(runnerId: string, nowMs: number, retryAfterMs = 0): void {
    const failures = (this.state.get(runnerId)?.failures ?? 0) + 1
    const waitMs = Math.min(this.s.maxMs, Math.max(this.s.baseMs * 2 ** Math.min(failures - 1, 30), retryAfterMs))
    this.state.set(runnerId, { failures, untilMs: nowMs + waitMs })
  }

  succeeded(runnerId: string): void {
    this.state.delete(runnerId)
  }

  isSkipped(runnerId: string, nowMs: number): boolean {
    const s = this.state.get(runnerId)
    return s !== undefined && s.untilMs > nowMs
  }

  /** ms until the first of these runners may be tried again (0 when one may be tried now) */
  retryInMs(runnerIds: readonly string[], nowMs: number): number {
    let soonest = Infinity
    for (const id of runnerIds) soonest = Math.min(soonest, Math.max(0, (this.state.get(id)?.untilMs ?? 0) - nowMs))
    return soonest === Infinity ? 0 : soonest
  }
}
