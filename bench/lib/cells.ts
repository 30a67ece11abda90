import type { Target } from './baselines.ts'
import { runClosedLoop } from './load.ts'
import { progress } from './report.ts'
import { summarize, type CellSummary, type Sample } from './stats.ts'

export interface CellSpec {
  readonly target: Target
  readonly concurrency: number
  readonly requests: number
  /** resend refusals after their Retry-After (up to 5 times) */
  readonly retry?: boolean
  readonly thinkMs?: number
}

export interface CellResult extends CellSummary {
  readonly variant: string
  readonly concurrency: number
  readonly client: 'no-retry' | 'retry-after'
  readonly thinkMs?: number
  readonly rounds: number
}

/**
 * Runs the cells in `rounds` alternating slices (A B C A B C …), so that a burst of outside load
 * on the shared machine lands on every variant rather than on whichever happened to run then.
 */
export async function runInterleaved(specs: readonly CellSpec[], o: { rounds: number; maxCellMs: number }): Promise<CellResult[]> {
  const rounds = Math.max(1, Math.floor(o.rounds))
  const acc = specs.map(() => ({ samples: [] as Sample[], wallMs: 0 }))
  for (let r = 0; r < rounds; r++) {
    for (const [i, spec] of specs.entries()) {
      const share = Math.floor(spec.requests / rounds) + (r < spec.requests % rounds ? 1 : 0)
      if (share === 0) continue
      const res = await runClosedLoop({
        concurrency: spec.concurrency,
        requests: share,
        maxDurationMs: o.maxCellMs / rounds,
        thinkMs: spec.thinkMs,
        retries: spec.retry ? 5 : 0,
        send: () => spec.target.send(),
      })
      acc[i]!.samples.push(...res.samples)
      acc[i]!.wallMs += res.wallMs
    }
  }
  return specs.map((spec, i) => {
    const result: CellResult = {
      variant: spec.target.name,
      concurrency: spec.concurrency,
      client: spec.retry ? 'retry-after' : 'no-retry',
      ...(spec.thinkMs ? { thinkMs: spec.thinkMs } : {}),
      rounds,
      ...summarize(acc[i]!.samples, acc[i]!.wallMs),
    }
    progress(`${result.variant} c=${result.concurrency} ${result.client}${spec.thinkMs ? ` think=${spec.thinkMs}ms` : ''}: ${result.ok}/${result.requests} ok, median ${result.medianMs} ms, p99 ${result.p99Ms} ms, ${result.throughput} req/s ${JSON.stringify(result.errors)}`)
    return result
  })
}

export async function warmUp(target: Target, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await target.send().catch(() => undefined)
}
