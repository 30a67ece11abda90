import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

/** Event-loop delay of this process, read and reset once per window. */
export interface LoopDelaySampler {
  /** p99 and max delay since the last take, ms; resets the window */
  take(): { readonly p99Ms: number; readonly maxMs: number }
  stop(): void
}

const NS_PER_MS = 1e6

export function loopDelaySampler(resolutionMs = 10): LoopDelaySampler {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs })
  h.enable()
  return {
    take() {
      // an empty window (no sample yet) reads as NaN/huge: report no delay
      const p99Ms = h.count > 0 ? h.percentile(99) / NS_PER_MS : 0
      const maxMs = h.count > 0 ? h.max / NS_PER_MS : 0
      h.reset()
      return { p99Ms, maxMs }
    },
    stop: () => h.disable(),
  }
}
