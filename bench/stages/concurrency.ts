import { FIXTURE_MARKER, launchPerRequest } from '../lib/baselines.ts'
import { runClosedLoop } from '../lib/load.ts'
import { counterDelta, peakSampler, pressures, totalCounters } from '../lib/observe.ts'
import { ratio, summarize, type CellSummary } from '../lib/stats.ts'
import { call, latencyLine, type StageContext, type StageResult } from './context.ts'

export const LEVELS = [10, 50, 100, 200] as const

/**
 * 4. /html at 10, 50, 100 and 200 concurrent clients that do not retry. Allowed answers: 2xx, or
 * 429/503 with Retry-After. A launch-per-request baseline runs at the lowest level for the ratio.
 */
export async function concurrency(ctx: StageContext): Promise<StageResult> {
  const levels: (CellSummary & { clients: number; peakPssMb: number })[] = []
  const before = totalCounters(await pressures(ctx.stack))
  for (const clients of LEVELS) {
    const peak = peakSampler(ctx.stack)
    const res = await runClosedLoop({
      concurrency: clients,
      requests: clients * ctx.p.requestsPerClient,
      maxDurationMs: ctx.p.maxLevelSec * 1000,
      send: () => call(ctx, '/html', { url: ctx.pageUrl }, FIXTURE_MARKER),
    })
    levels.push({ clients, ...summarize(res.samples, res.wallMs), peakPssMb: await peak.stop() })
  }
  const counters = counterDelta(totalCounters(await pressures(ctx.stack)), before)
  const base = await runClosedLoop({ concurrency: LEVELS[0], requests: ctx.p.baselineRequests, maxDurationMs: ctx.p.maxLevelSec * 1000, send: launchPerRequest(ctx.pageUrl).send })
  const baseline = { clients: LEVELS[0], ...summarize(base.samples, base.wallMs) }
  const allowed = levels.every((l) => Object.keys(l.errors).every((k) => k === '429' || k === '503'))
  const first = levels[0]!
  return {
    stage: 4,
    name: 'concurrency',
    target: 'only 2xx, or 429/503 with Retry-After',
    measured:
      levels.map((l) => `c=${l.clients}: ${latencyLine(l)}, peak ${l.peakPssMb} MB`).join('; ') +
      `; launch-per-request c=${LEVELS[0]}: ${latencyLine(baseline)} (stack/baseline throughput ${ratio(first.throughput, baseline.throughput)})`,
    met: allowed,
    data: {
      levels,
      counters,
      baselineLaunchPerRequest: baseline,
      ratios: { throughputOverBaselineAtC10: ratio(first.throughput, baseline.throughput), medianOverBaselineAtC10: ratio(first.medianMs, baseline.medianMs) },
    },
  }
}
