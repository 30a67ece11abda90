import { describe, expect, it } from 'vitest'
import { SlotAdapter } from '../../../runner/pool/slot-adapter.ts'
import { DEFAULT_SLOT_POLICY, nextSlots } from '../../../runner/pool/slot-policy.ts'
import { FakeClock } from '../../helpers/fake-clock.ts'

const busy = (p99Ms: number) => ({ p99Ms, peakRunning: 8 })

describe('nextSlots', () => {
  it('comes down by a quarter when the loop is delayed, no faster than every 2 s, never below a quarter of the plan', () => {
    let s = { slots: 8, changedAtMs: 0 }
    s = nextSlots(s, 8, busy(400), 2000)
    expect(s).toEqual({ slots: 6, changedAtMs: 2000 })
    expect(nextSlots(s, 8, busy(400), 3000)).toBe(s)
    for (let t = 4000; t < 20_000; t += 2000) s = nextSlots(s, 8, busy(400), t)
    expect(s.slots).toBe(2)
  })

  it('goes back up one at a time while the loop is healthy and every slot is in use', () => {
    const s = { slots: 4, changedAtMs: 0 }
    expect(nextSlots(s, 8, busy(10), 4999)).toBe(s)
    expect(nextSlots(s, 8, busy(10), 5000)).toEqual({ slots: 5, changedAtMs: 5000 })
    // idle slots: no reason to add more
    expect(nextSlots(s, 8, { p99Ms: 10, peakRunning: 2 }, 9000)).toBe(s)
    // between the thresholds: hold
    expect(nextSlots(s, 8, busy(100), 9000)).toBe(s)
    expect(nextSlots({ slots: 8, changedAtMs: 0 }, 8, busy(10), 9000).slots).toBe(8)
  })

  it('follows a smaller plan at once', () => {
    expect(nextSlots({ slots: 8, changedAtMs: 0 }, 3, busy(10), 1)).toEqual({ slots: 3, changedAtMs: 1 })
    expect(DEFAULT_SLOT_POLICY.highDelayMs).toBeGreaterThan(DEFAULT_SLOT_POLICY.lowDelayMs)
  })
})

describe('SlotAdapter', () => {
  it('samples the loop once a window and applies the policy', async () => {
    const clock = new FakeClock()
    const delays = [400, 400, 10]
    const changes: number[] = []
    const adapter = new SlotAdapter({
      clock,
      planned: () => 8,
      running: () => 8,
      loopDelay: { take: () => ({ p99Ms: delays.shift() ?? 10, maxMs: 500 }) },
      windowMs: 1000,
      onChange: (n) => changes.push(n),
    })
    expect(adapter.slots()).toBe(8)
    adapter.start()
    await clock.whenSleeping()
    await clock.advance(1000) // p99 400 ms, but within 2 s of the start: hold
    expect(adapter.slots()).toBe(8)
    await clock.advance(1000)
    expect(adapter.slots()).toBe(6)
    expect(adapter.lastWindow()).toEqual({ p99Ms: 400, maxMs: 500 })
    await clock.advance(5000)
    expect(changes).toEqual([6, 7])
    adapter.stop()
  })
})
