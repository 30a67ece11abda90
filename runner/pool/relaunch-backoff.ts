import type { Clock } from '../util/clock.ts'

/** Exponential backoff between failed launches of the permanent browser: initial, doubled each failure, capped at max. */
export class RelaunchBackoff {
  private failures = 0
  private retryAtMs = -Infinity

  constructor(
    private readonly clock: Clock,
    private readonly ms: { readonly initial: number; readonly max: number },
  ) {}

  /** how long until the next launch may be tried; ≤ 0 once it may */
  remainingMs(): number {
    return this.retryAtMs - this.clock.now()
  }

  failed(): void {
    this.failures++
    this.retryAtMs = this.clock.now() + Math.min(this.ms.max, this.ms.initial * 2 ** (this.failures - 1))
  }

  succeeded(): void {
    this.failures = 0
    this.retryAtMs = -Infinity
  }
}
