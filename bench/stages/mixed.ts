import type { BrowserContextOptions } from 'playwright-core'
import { launchOptionsFrom } from '../../runner/contract/signature.ts'
import { FIXTURE_MARKER, launchAndRender } from '../lib/baselines.ts'
import { runClosedLoop } from '../lib/load.ts'
import { counterDelta, hitRate, peakSampler, pressures, totalCounters } from '../lib/observe.ts'
import { ratio, summarize } from '../lib/stats.ts'
import { prng, zipf } from '../lib/zipf.ts'
import { call, latencyLine, type StageContext, type StageResult } from './context.ts'
import { CONTEXT_VARIANTS, LAUNCH_VARIANTS, assertDistinctSignatures } from './mix.ts'

interface Pick {
  readonly launch: number
  readonly context: number
}

/** The same seeded sequence of (launch variant, context variant) for the stack and the baseline. */
function picker(ctx: StageContext): () => Pick {
  const random = prng(ctx.p.seed)
  const launch = zipf(LAUNCH_VARIANTS.length, ctx.p.zipfS, random)
  const context = zipf(CONTEXT_VARIANTS.length, ctx.p.zipfS, random)
  return () => ({ launch: launch(), context: context() })
}

function playwrightContext(c: Record<string, unknown>): BrowserContextOptions {
  return { viewport: c.viewport as { width: number; height: number }, userAgent: c.user_agent as string | undefined, locale: c.locale as string | undefined }
}

/** 9. A Zipf mix of 10 launch variants and 20 context variants for a while; pool hit rate from /pressure. */
export async function mixedLoad(ctx: StageContext): Promise<StageResult> {
  assertDistinctSignatures()
  const next = picker(ctx)
  const drawn = { launch: new Array<number>(LAUNCH_VARIANTS.length).fill(0), context: new Array<number>(CONTEXT_VARIANTS.length).fill(0) }
  const before = totalCounters(await pressures(ctx.stack))
  const peak = peakSampler(ctx.stack)
  const res = await runClosedLoop({
    concurrency: ctx.p.mixedConcurrency,
    requests: Number.MAX_SAFE_INTEGER, // bounded by time
    maxDurationMs: ctx.p.mixedSec * 1000,
    send: () => {
      const p = next()
      drawn.launch[p.launch]!++
      drawn.context[p.context]!++
      const config = LAUNCH_VARIANTS[p.launch]
      return call(ctx, '/html', { url: ctx.pageUrl, ...CONTEXT_VARIANTS[p.context], ...(config ? { browser_config: config } : {}) }, FIXTURE_MARKER)
    },
  })
  const peakPssMb = await peak.stop()
  const after = await pressures(ctx.stack)
  const cell = summarize(res.samples, res.wallMs)
  const counters = counterDelta(totalCounters(after), before)
  const rate = hitRate(counters)
  const browsers = after.map((p) => ({ runner: p.runner, permanent: p.pool.permanent, hot: p.pool.hot, cold: p.pool.cold }))

  const baseNext = picker(ctx)
  const base = await runClosedLoop({
    concurrency: ctx.p.mixedConcurrency,
    requests: ctx.p.baselineRequests,
    maxDurationMs: ctx.p.mixedSec * 1000,
    send: () => {
      const p = baseNext()
      return launchAndRender(ctx.pageUrl, launchOptionsFrom(LAUNCH_VARIANTS[p.launch]).args, playwrightContext(CONTEXT_VARIANTS[p.context]!))
    },
  })
  const baseline = summarize(base.samples, base.wallMs)
  return {
    stage: 9,
    name: 'mixed load',
    target: `Zipf (s=${ctx.p.zipfS}) over ${LAUNCH_VARIANTS.length} launch × ${CONTEXT_VARIANTS.length} context variants for ${ctx.p.mixedSec} s (issue: 2 min): pool hit rate ≥ 95 %`,
    measured:
      `hit rate ${rate === null ? '–' : `${(rate * 100).toFixed(1)} %`} (hits ${counters.hits}, misses ${counters.misses}, launches ${counters.launches}, evictions ${counters.evictions}); ` +
      `${latencyLine(cell)}, peak ${peakPssMb} MB; launch-per-request: ${latencyLine(baseline)} (throughput ratio ${ratio(cell.throughput, baseline.throughput)})`,
    met: rate !== null && rate >= 0.95 && cell.ok === cell.requests,
    data: {
      cell,
      counters,
      hitRate: rate,
      drawn,
      peakPssMb,
      browsersAtEnd: browsers,
      baselineLaunchPerRequest: baseline,
      ratios: { throughputOverBaseline: ratio(cell.throughput, baseline.throughput), medianOverBaseline: ratio(cell.medianMs, baseline.medianMs) },
    },
  }
}
