// Summaries of one cell of a benchmark. The machine is shared, so medians and high percentiles
// are reported rather than means, and throughput only counts successful answers.

/** The q-quantile (0..1) of the values, nearest-rank on the sorted list; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

export const median = (values: readonly number[]): number => quantile(values, 0.5)
export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length

export interface Sample {
  /** HTTP status, or 0 for a transport failure (refused, reset, client timeout) */
  readonly status: number
  readonly ms: number
  /** the key this answer is counted under among the errors, when not its status */
  readonly label?: string
  /** how many times a client that honours Retry-After sent this request again */
  readonly retries?: number
  /** the last attempt alone, when there were retries (ms counts from the first send) */
  readonly lastAttemptMs?: number
  /** the last attempt as the runner timed it (Server-Timing `total`): without the client's and the network's part */
  readonly runnerMs?: number
}

export interface CellSummary {
  readonly requests: number
  readonly ok: number
  readonly medianMs: number
  readonly p90Ms: number
  readonly p99Ms: number
  /** successful answers per second of wall time */
  readonly throughput: number
  readonly wallMs: number
  /** answers that were not 2xx, by status or label ("0" = transport failure) */
  readonly errors: Record<string, number>
  readonly retries?: number
}

/** Latency percentiles are over successful answers only: a fast 429 would flatter them. */
export function summarize(samples: readonly Sample[], wallMs: number): CellSummary {
  const ok = samples.filter((s) => s.status >= 200 && s.status < 300)
  const errors: Record<string, number> = {}
  for (const s of samples) {
    if (s.status >= 200 && s.status < 300) continue
    const key = s.label ?? String(s.status)
    errors[key] = (errors[key] ?? 0) + 1
  }
  const retries = samples.reduce((n, s) => n + (s.retries ?? 0), 0)
  const lat = ok.map((s) => s.ms)
  return {
    requests: samples.length,
    ok: ok.length,
    medianMs: round(median(lat)),
    p90Ms: round(quantile(lat, 0.9)),
    p99Ms: round(quantile(lat, 0.99)),
    throughput: round(wallMs > 0 ? ok.length / (wallMs / 1000) : 0, 2),
    wallMs: Math.round(wallMs),
    errors,
    ...(retries > 0 ? { retries } : {}),
  }
}

export function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? round(a / b, 3) : null
}

export function round(n: number, digits = 1): number {
  if (!Number.isFinite(n)) return n
  const f = 10 ** digits
  return Math.round(n * f) / f
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number | null {
  const n = points.length
  if (n < 2) return null
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  if (sxx === 0) return null
  return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx
}
