// How many page slots to use now, from what the event loop says. Page slots per core are a
// measured default (CRAWLFLEET_PAGES_PER_CORE); when the runner's own event loop stalls, the
// renderers are starving it (every caller's request, /pressure and the health check wait on that
// loop), so slots come down fast; when the loop is healthy and the slots are all in use, they go
// back up slowly, one at a time. Pure: the loop in slot-adapter.ts feeds it samples and the clock.

export interface LoopSample {
  /** event-loop delay over the last window, ms */
  readonly p99Ms: number
  /** the most slots in use at once during the window */
  readonly peakRunning: number
}

export interface SlotPolicySettings {
  /** p99 loop delay above which slots are too many */
  readonly highDelayMs: number
  /** p99 loop delay below which the loop is healthy */
  readonly lowDelayMs: number
  /** least time between two decreases, so one decrease is seen before the next */
  readonly downEveryMs: number
  /** least time since the last change before an increase */
  readonly upEveryMs: number
  /** never below this share of the planned slots */
  readonly minShare: number
}

export const DEFAULT_SLOT_POLICY: SlotPolicySettings = { highDelayMs: 150, lowDelayMs: 50, downEveryMs: 2000, upEveryMs: 5000, minShare: 0.25 }

export interface SlotState {
  readonly slots: number
  readonly changedAtMs: number
}

export function nextSlots(state: SlotState, planned: number, sample: LoopSample, nowMs: number, s: SlotPolicySettings = DEFAULT_SLOT_POLICY): SlotState {
  const min = Math.max(1, Math.ceil(planned * s.minShare))
  // a smaller plan (memory) applies at once
  if (state.slots > planned) return { slots: planned, changedAtMs: nowMs }
  const since = nowMs - state.changedAtMs
  if (sample.p99Ms > s.highDelayMs && state.slots > min && since >= s.downEveryMs) {
    return { slots: Math.max(min, state.slots - Math.max(1, Math.floor(state.slots / 4))), changedAtMs: nowMs }
  }
  const demand = sample.peakRunning >= state.slots
  if (sample.p99Ms < s.lowDelayMs && demand && state.slots < planned && since >= s.upEveryMs) {
    return { slots: state.slots + 1, changedAtMs: nowMs }
  }
  return state
}
