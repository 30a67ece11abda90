import type { PoolCounters } from '../pool/types.ts'

/** A point-in-time read of one runner, for /pressure, /metrics and the CloudWatch publisher. */
export interface RunnerStats {
  readonly memoryPressurePct: number
  readonly memoryUsedBytes: number
  readonly memoryLimitBytes: number
  readonly cpuPct: number | null
  readonly browsers: { readonly permanent: number; readonly hot: number; readonly cold: number }
  readonly leasedPages: number
  readonly queueDepth: number
  /** (running + queued) / page slots × 100; the fleet scales out on its average */
  readonly slotLoadPct?: number
  /** predicted wait of a request admitted now, ms; optional until admission predicts it */
  readonly queueWaitMs?: number
  /** monotonically increasing since the runner started */
  readonly counters: Readonly<PoolCounters>
  /** page request durations since the runner started; optional until the runner records them */
  readonly requestLatency?: LatencyTotals
}

/** Cumulative like a Prometheus histogram: only grows, so readers take deltas between two reads. */
export interface LatencyTotals {
  readonly count: number
  readonly sumMs: number
  /** observations ≤ leMs, cumulative, ascending leMs; lets a reader bound a period's min and max */
  readonly buckets?: readonly { readonly leMs: number; readonly count: number }[]
}
