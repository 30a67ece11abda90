import type { PressureLevel, PressureSource } from '../resources/types.ts'
import type { Clock } from '../util/clock.ts'
import { planSweep, type JanitorSettings, type SweepPlan } from './janitor-policy.ts'
import type { BrowserView } from './types.ts'

export interface JanitorOptions {
  readonly pool: { view(): readonly BrowserView[]; apply(plan: SweepPlan): void }
  readonly pressure: PressureSource
  readonly clock: Clock
  readonly settings: JanitorSettings
  /** after each applied sweep */
  readonly onSweep?: (plan: SweepPlan) => void
  readonly log?: (event: string, fields: object) => void
}

/** The loop around planSweep: sleep, then read pressure (never before: it must be fresh), plan, apply. */
export class Janitor {
  private readonly stopped = new AbortController()
  private wake = new AbortController()
  private nudged = false
  private loop: Promise<void> | undefined
  private lastLevel: PressureLevel = 'LOW'

  constructor(private readonly o: JanitorOptions) {}

  /** the level the last pass saw */
  get level(): PressureLevel {
    return this.lastLevel
  }

  start(): void {
    this.loop ??= this.run()
  }

  stop(): Promise<void> {
    this.stopped.abort()
    return this.loop ?? Promise.resolve()
  }

  /** Runs a pass now instead of at the end of the current sleep. */
  nudge(): void {
    this.nudged = true
    this.wake.abort()
  }

  private async run(): Promise<void> {
    const { clock, settings, pressure, pool } = this.o
    for (let waitMs = settings.intervalMs.LOW; !this.stopped.signal.aborted; ) {
      if (!this.nudged) await clock.sleep(waitMs, AbortSignal.any([this.stopped.signal, this.wake.signal])).catch(() => undefined)
      if (this.stopped.signal.aborted) return
      this.nudged = false
      this.wake = new AbortController()
      try {
        const sample = await pressure.sample()
        const plan = planSweep(pool.view(), sample.memory.percent, clock.now(), settings)
        pool.apply(plan)
        this.o.onSweep?.(plan)
        this.lastLevel = plan.level
        waitMs = plan.nextIntervalMs
        if (plan.retire.length > 0) this.o.log?.('janitor.swept', { level: plan.level, retire: plan.retire })
      } catch (err) {
        this.o.log?.('janitor.failed', { error: String(err) }) // keep the last interval and try again
      }
    }
  }
}
