import { FIXTURE_MARKER } from '../lib/baselines.ts'
import { getStatus } from '../lib/http.ts'
import { runClosedLoop } from '../lib/load.ts'
import { cgroupWorkingSet, processPssMb } from '../lib/memory.ts'
import { counterDelta, pressures, steadyRunnersMemory, totalCounters } from '../lib/observe.ts'
import { summarize } from '../lib/stats.ts'
import { call, latencyLine, sleep, type StageContext, type StageResult } from './context.ts'

/** 1. Health: N × GET /health, all 200. */
export async function health(ctx: StageContext): Promise<StageResult> {
  const n = ctx.p.healthRequests
  const res = await runClosedLoop({ concurrency: 10, requests: n, maxDurationMs: 60_000, send: () => getStatus(`${ctx.stack.url}/health`) })
  const cell = summarize(res.samples, res.wallMs)
  return { stage: 1, name: 'health', target: `${n} × /health, all 200`, measured: latencyLine(cell), met: cell.ok === n, data: { cell } }
}

/** 2. Idle footprint: runners + permanent browsers at rest, then again after one request (which leaves a warm spare). */
export async function idleFootprint(ctx: StageContext): Promise<StageResult> {
  await sleep(ctx.p.settleSec * 1000)
  const atStart = await steadyRunnersMemory(ctx.stack)
  // one request per runner is not guaranteed through the edge; a few make each runner serve at least once in practice
  for (let i = 0; i < 2 * ctx.stack.runners.length; i++) await call(ctx, '/html', { url: ctx.pageUrl }, FIXTURE_MARKER)
  await sleep(ctx.p.settleSec * 1000)
  const afterFirstUse = await steadyRunnersMemory(ctx.stack)
  const edgePssMb = ctx.stack.edgePid ? await processPssMb(ctx.stack.edgePid) : undefined
  const spares = (await pressures(ctx.stack)).reduce((n, p) => n + p.pool.spares, 0)
  ctx.idle = { atStart, afterFirstUse }
  return {
    stage: 2,
    name: 'idle footprint',
    measured:
      `${atStart.pssMb} MB PSS for ${ctx.stack.runners.length} runner(s) at start (runner Node ${atStart.runnerNodeMb} + Chromium ${atStart.chromiumMb}, ${atStart.processes} processes); ` +
      `${afterFirstUse.pssMb} MB after first use (Node ${afterFirstUse.runnerNodeMb} + Chromium ${afterFirstUse.chromiumMb}, ${spares} warm spare(s))`,
    met: null,
    data: {
      atStart,
      afterFirstUse,
      warmSpares: spares,
      cgroupWorkingSet: (await cgroupWorkingSet()) ?? 'not in a cgroup with a memory limit',
      ...(edgePssMb !== undefined ? { edgePssMb } : {}),
    },
  }
}

/** 3. Reuse: N × /html with the default config, every one served by a permanent browser (no launch, no miss). */
export async function reuse(ctx: StageContext): Promise<StageResult> {
  const before = await pressures(ctx.stack)
  const n = ctx.p.reuseRequests
  const res = await runClosedLoop({ concurrency: 4, requests: n, maxDurationMs: 120_000, send: () => call(ctx, '/html', { url: ctx.pageUrl }, FIXTURE_MARKER) })
  const after = await pressures(ctx.stack)
  const cell = summarize(res.samples, res.wallMs)
  const d = counterDelta(totalCounters(after), totalCounters(before))
  const nonPermanent = after.reduce((k, p) => k + p.pool.hot + p.pool.cold, 0)
  const perRunnerHits = Object.fromEntries(after.map((p, i) => [p.runner, p.counters.hits - before[i]!.counters.hits]))
  const met = cell.ok === n && d.hits === n && d.misses === 0 && d.launches === 0 && nonPermanent === 0
  return {
    stage: 3,
    name: 'reuse',
    target: `${n} × /html default config, all from the permanent browser`,
    measured: `${latencyLine(cell)}; pool hits +${d.hits}, misses +${d.misses}, launches +${d.launches}; hits per runner ${JSON.stringify(perRunnerHits)}`,
    met,
    data: { cell, counters: d, perRunnerHits, hotOrColdBrowsers: nonPermanent },
  }
}
