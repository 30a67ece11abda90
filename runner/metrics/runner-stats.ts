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
  /** monotonically increasing since the runner started */
  readonly counters: Readonly<PoolCounters>
}
