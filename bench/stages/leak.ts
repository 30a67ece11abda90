import { FIXTURE_MARKER } from '../lib/baselines.ts'
import { runClosedLoop } from '../lib/load.ts'
import { counterDelta, internals, pressures, steadyRunnersMemory, totalCounters } from '../lib/observe.ts'
import { round, slope, summarize } from '../lib/stats.ts'
import { call, latencyLine, sleep, type StageContext, type StageResult } from './context.ts'

interface WaveReading {
  readonly wave: number
  readonly requestsSoFar: number
  readonly ok: number
  readonly pssMb: number
  readonly runnerNodeMb: number
  readonly chromiumMb: number
  readonly processes: number
  readonly leases: number
  readonly spares: number
  readonly activeHandles: number
  readonly timers: number
  readonly heapUsedMb: number
}

async function read(ctx: StageContext, wave: number, requestsSoFar: number, ok: number): Promise<WaveReading> {
  await sleep(ctx.p.settleSec * 1000)
  const [mem, ps, ints] = await Promise.all([steadyRunnersMemory(ctx.stack), pressures(ctx.stack), Promise.all(ctx.stack.runners.map((r) => internals(ctx.stack, r)))])
  const sum = (f: (i: (typeof ints)[number]) => number | null) => round(ints.reduce((n, i) => n + (f(i) ?? 0), 0))
  return {
    wave,
    requestsSoFar,
    ok,
    pssMb: mem.pssMb,
    runnerNodeMb: mem.runnerNodeMb,
    chromiumMb: mem.chromiumMb,
    processes: mem.processes,
    leases: ps.reduce((n, p) => n + p.pool.leased, 0),
    spares: ps.reduce((n, p) => n + p.pool.spares, 0),
    activeHandles: sum((i) => i.activeHandles),
    timers: sum((i) => i.timers),
    heapUsedMb: sum((i) => i.heapUsedMb),
  }
}

/**
 * 8. Waves of /html with the default config. The memory slope is fitted over the readings after
 * waves 1..N (the first wave warms caches and spares up), in MB per 1,000 requests.
 */
export async function leakWaves(ctx: StageContext): Promise<StageResult> {
  const { waves, waveSize } = ctx.p
  const before = totalCounters(await pressures(ctx.stack))
  const readings: WaveReading[] = [await read(ctx, 0, 0, 0)]
  const cells = []
  for (let w = 1; w <= waves; w++) {
    const res = await runClosedLoop({ concurrency: 4, requests: waveSize, maxDurationMs: 300_000, send: () => call(ctx, '/html', { url: ctx.pageUrl }, FIXTURE_MARKER) })
    const cell = summarize(res.samples, res.wallMs)
    cells.push(cell)
    readings.push(await read(ctx, w, w * waveSize, cell.ok))
  }
  const afterFirst = readings.filter((r) => r.wave >= 1)
  const fit = (pick: (r: WaveReading) => number) => {
    const k = slope(afterFirst.map((r) => ({ x: r.requestsSoFar / 1000, y: pick(r) })))
    return k === null ? null : round(k, 2)
  }
  const mbPer1000 = fit((r) => r.pssMb)
  const slopes = { totalMbPer1000: mbPer1000, runnerNodeMbPer1000: fit((r) => r.runnerNodeMb), chromiumMbPer1000: fit((r) => r.chromiumMb) }
  const first = afterFirst[0]!
  const last = afterFirst[afterFirst.length - 1]!
  const growth = {
    leases: last.leases - first.leases,
    // a warm spare is a page (a renderer process) by design; leaked pages are the ones beyond it
    processes: last.processes - last.spares - (first.processes - first.spares),
    activeHandles: last.activeHandles - first.activeHandles,
    timers: last.timers - first.timers,
  }
  const counters = counterDelta(totalCounters(await pressures(ctx.stack)), before)
  const noGrowth = last.leases === 0 && growth.processes <= 0 && growth.activeHandles <= 0 && growth.timers <= 0
  const allOk = cells.every((c) => c.ok === c.requests)
  return {
    stage: 8,
    name: 'leak waves',
    target: `${waves} waves × ${waveSize} requests (issue: 5 × 500): slope after wave 1 ≤ 1 MB / 1,000 requests; no growth in leases, contexts, listeners, timers`,
    measured:
      `slope ${mbPer1000} MB / 1,000 requests (runner Node ${slopes.runnerNodeMbPer1000}, Chromium ${slopes.chromiumMbPer1000}; PSS ${readings.map((r) => r.pssMb).join(' → ')} MB); ` +
      `growth after wave 1: leases ${growth.leases}, Chromium processes ${growth.processes}, handles ${growth.activeHandles}, timers ${growth.timers} (listeners not visible from outside); ` +
      `recycled browsers ${counters.retirements}; last wave ${latencyLine(cells[cells.length - 1]!)}`,
    met: mbPer1000 !== null && allOk ? mbPer1000 <= 1 && noGrowth : false,
    data: {
      readings,
      waves: cells,
      slopes,
      // with waves this small, the spread of readings (GC, spares) can outweigh any slope: compare it with the slope × requests
      pssRangeAfterFirstWaveMb: round(Math.max(...afterFirst.map((r) => r.pssMb)) - Math.min(...afterFirst.map((r) => r.pssMb))),
      growthAfterFirstWave: growth,
      counters,
      unmeasured: 'event listeners inside the runner are not visible from outside; Chromium processes stand in for open contexts/pages',
    },
  }
}
