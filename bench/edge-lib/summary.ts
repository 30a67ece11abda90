import { quantile, round } from '../lib/stats.ts'
import { Rng } from './prng.ts'

// Summaries for the edge benchmarks: the shared machine is noisy, so medians, high percentiles and
// bootstrap intervals rather than means.

export interface Dist {
  readonly n: number
  readonly min: number
  readonly median: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

export function dist(values: readonly number[], digits = 3): Dist {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN, digits),
    median: round(quantile(sorted, 0.5), digits),
    p90: round(quantile(sorted, 0.9), digits),
    p99: round(quantile(sorted, 0.99), digits),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, digits),
  }
}

/**
 * A 95 % bootstrap interval for quantile(b) − quantile(a) of two independent samples: how well
 * one run pins down a difference. A wide interval means the run cannot tell, not that the edge is slow.
 */
export function bootstrapDiff(a: readonly number[], b: readonly number[], q: number, resamples = 2000, seed = 7, digits = 3): { low: number; high: number } {
  const rng = new Rng(seed)
  const diffs: number[] = []
  const ra = new Array<number>(a.length)
  const rb = new Array<number>(b.length)
  for (let i = 0; i < resamples; i++) {
    for (let j = 0; j < a.length; j++) ra[j] = a[rng.int(a.length)]
    for (let j = 0; j < b.length; j++) rb[j] = b[rng.int(b.length)]
    diffs.push(quantile(rb, q) - quantile(ra, q))
  }
  return { low: round(quantile(diffs, 0.025), digits), high: round(quantile(diffs, 0.975), digits) }
}
