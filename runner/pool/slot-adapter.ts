import type { Clock } from '../util/clock.ts'
import { nextSlots, type SlotPolicySettings, type SlotState } from './slot-policy.ts'

export interface SlotAdapterOptions {
  readonly clock: Clock
  /** the plan's slots (CPU × pages per core, bounded by memory) */
  readonly planned: () => number
  readonly running: () => number
  readonly loopDelay: { take(): { p99Ms: number; maxMs: number } }
  readonly windowMs: number
  readonly policy?: SlotPolicySettings
  readonly onChange?: (slots: number, why: { p99Ms: number }) => void
}

/** The loop around slot-policy.ts: one window of samples, one decision, repeat. Off: always the plan. */
export class SlotAdapter {
  private state: SlotState
  private peakRunning = 0
  private last = { p99Ms: 0, maxMs: 0 }
  private readonly stopper = new AbortController()

  constructor(private readonly o: SlotAdapterOptions) {
    this.state = { slots: o.planned(), changedAtMs: o.clock.now() }
  }

  slots(): number {
    return Math.min(this.state.slots, this.o.planned())
  }

  /** called on every admission, so the window knows whether the slots were all in use */
  noteRunning(running: number): void {
    if (running > this.peakRunning) this.peakRunning = running
  }

  lastWindow(): { p99Ms: number; maxMs: number } {
    return this.last
  }

  start(): void {
    void this.loop()
  }

  stop(): void {
    this.stopper.abort()
  }

  private async loop(): Promise<void> {
    const signal = this.stopper.signal
    while (!signal.aborted) {
      try {
        await this.o.clock.sleep(this.o.windowMs, signal)
      } catch {
        return
      }
      this.last = this.o.loopDelay.take()
      const sample = { p99Ms: this.last.p99Ms, peakRunning: Math.max(this.peakRunning, this.o.running()) }
      this.peakRunning = this.o.running()
      const next = nextSlots(this.state, this.o.planned(), sample, this.o.clock.now(), this.o.policy)
      if (next.slots !== this.state.slots) this.o.onChange?.(next.slots, { p99Ms: this.last.p99Ms })
      this.state = next
    }
  }
}
