import { startFixtureSite } from '../tests/helpers/fixture-site.ts'
import { egressSession, launchPerRequest, rawPlaywright, type Target } from './lib/baselines.ts'
import { runInterleaved, warmUp, type CellResult } from './lib/cells.ts'
import { getJson, getStatus } from './lib/http.ts'
import { describeMachine } from './lib/machine.ts'
import { readParams, type Args } from './lib/params.ts'
import { machineLine, progress, publish, table } from './lib/report.ts'
import { runnerTarget } from './lib/runner-target.ts'
import { ratio } from './lib/stats.ts'

// Issue 2's bench: /html of a small fixture page through a runner process vs raw Playwright in
// one process (warm browser, new context per request) vs a browser launch per request.

export const DEFAULTS = {
  /** requests per cell at concurrency 1 and 4 (runner and raw Playwright) */
  requests: 100,
  /** per cell at concurrency 32: several per worker, so the cell reaches a steady state */
  requests32: 192,
  /** launch-per-request at concurrency 1 and 4 */
  launchRequests: 40,
  /** launch-per-request at concurrency 32: one burst of 32 launches */
  launch32: 32,
  /** alternating slices per cell at concurrency 1 and 4 (the c=32 cells run in one slice) */
  rounds: 3,
  warmup: 5,
  maxCellSec: 60,
  /** c=1 breakdown: runner without spares, the runner's page session and egress proxy in-process, think time */
  diagnose: true,
  diagnoseRequests: 30,
  thinkMs: 300,
  /** the runner's CRAWLFLEET_PAGES_PER_CORE (its page slots); 0 keeps the runner's default */
  pagesPerCore: 0,
}

export async function runnerVsPlaywright(args: Args): Promise<void> {
  const p = readParams(args, DEFAULTS)
  const started = Date.now()
  const machine = await describeMachine()
  const site = await startFixtureSite()
  const url = `${site.url}/`
  const targets: Target[] = []
  try {
    progress('starting the runner and the raw Playwright browser')
    const runnerEnv: Record<string, string> = p.pagesPerCore > 0 ? { CRAWLFLEET_PAGES_PER_CORE: String(p.pagesPerCore) } : {}
    const runner = await runnerTarget(url, runnerEnv)
    targets.push(runner)
    const raw = await rawPlaywright(url)
    targets.push(raw)
    const launch = launchPerRequest(url)
    for (const t of [runner, raw]) await warmUp(t, p.warmup)
    await warmUp(launch, 2)

    const maxCellMs = p.maxCellSec * 1000
    const cells: CellResult[] = []
    for (const c of [1, 4]) {
      cells.push(
        ...(await runInterleaved(
          [
            { target: runner, concurrency: c, requests: p.requests },
            { target: raw, concurrency: c, requests: p.requests },
            { target: launch, concurrency: c, requests: p.launchRequests },
          ],
          { rounds: p.rounds, maxCellMs },
        )),
      )
    }
    cells.push(
      ...(await runInterleaved(
        [
          { target: runner, concurrency: 32, requests: p.requests32 },
          { target: runner, concurrency: 32, requests: p.requests32, retry: true },
          { target: raw, concurrency: 32, requests: p.requests32 },
          { target: launch, concurrency: 32, requests: p.launch32 },
        ],
        { rounds: 1, maxCellMs },
      )),
    )
    const pressure = await getJson<Record<string, unknown>>(`${runner.process.url}/pressure`)

    const diagnostics = p.diagnose ? await diagnose(url, runner, raw, p, maxCellMs, runnerEnv) : undefined
    const ratios = targetsFrom(cells)
    const report = {
      scenario: 'runner-vs-playwright',
      date: new Date(started).toISOString(),
      machine,
      params: p,
      durationSec: Math.round((Date.now() - started) / 1000),
      notes: [
        'Shared 2-core machine with other work running: compare medians and ratios measured in this run, not absolute figures.',
        `Closed-loop clients, no think time (except the think-time rows of the breakdown). Latency percentiles are over 200s only; throughput counts 200s per second of wall time. Cells at c=1 and c=4 ran in ${p.rounds} alternating slices; c=32 in one.`,
        `Launch-per-request ran ${p.launchRequests} requests at c=1 and c=4 and ${p.launch32} at c=32 (${p.launch32 <= 32 ? 'a single burst' : 'with 32 workers'}).`,
        "The runner's best throughput is the highest of its cells at any concurrency and client.",
        "At c=32 the runner's queue fills (page slots + queue, see runnerPlan): the no-retry client counts each 429 as a lost request and its budget is used up by them quickly; the retry-after client resends after Retry-After (up to 5 times) and its latency includes the waits.",
        'Error status 0 = transport failure or client timeout, 1 = a 200 without the fixture marker.',
      ],
      cells,
      ratios,
      runnerPlan: pressure.plan,
      runnerCounters: pressure.counters,
      ...(diagnostics ? { diagnostics } : {}),
    }
    await publish(report, markdown(report))
  } finally {
    for (const t of targets) await t.close().catch(() => undefined)
    await site.close()
  }
}

function cellOf(cells: readonly CellResult[], variant: string, c: number, client = 'no-retry'): CellResult | undefined {
  return cells.find((x) => x.variant === variant && x.concurrency === c && x.client === client)
}

function targetsFrom(cells: readonly CellResult[]) {
  const runner = cells.filter((x) => x.variant === 'runner')
  const best = Math.max(...runner.map((x) => x.throughput))
  const at = (v: string, c: number, client?: string) => cellOf(cells, v, c, client)
  const c1 = ratio(at('runner', 1)?.medianMs ?? NaN, at('raw-playwright', 1)?.medianMs ?? NaN)
  const c4 = ratio(at('runner', 4)?.throughput ?? NaN, at('launch-per-request', 4)?.throughput ?? NaN)
  const c32 = ratio(at('runner', 32)?.throughput ?? NaN, best)
  const c32retry = ratio(at('runner', 32, 'retry-after')?.throughput ?? NaN, best)
  return {
    runnerMedianOverRawAtC1: { value: c1, target: '≤ 1.15', met: c1 !== null && c1 <= 1.15 },
    runnerOverLaunchThroughputAtC4: { value: c4, target: '≥ 2', met: c4 !== null && c4 >= 2 },
    runnerC32OverBestThroughput: { value: c32, target: '≥ 0.9', met: c32 !== null && c32 >= 0.9, client: 'no-retry', bestReqPerSec: best },
    runnerC32RetryOverBestThroughput: { value: c32retry, target: '≥ 0.9', met: c32retry !== null && c32retry >= 0.9, client: 'retry-after', bestReqPerSec: best },
    rawOverLaunchThroughputAtC4: ratio(at('raw-playwright', 4)?.throughput ?? NaN, at('launch-per-request', 4)?.throughput ?? NaN),
    rawC32OverRawC4Throughput: ratio(at('raw-playwright', 32)?.throughput ?? NaN, at('raw-playwright', 4)?.throughput ?? NaN),
  }
}

/** Where the runner's c=1 time goes, each figure measured against the others in alternating slices. */
async function diagnose(url: string, runner: Target & { process: { url: string } }, raw: Target, p: typeof DEFAULTS, maxCellMs: number, runnerEnv: Record<string, string>) {
  progress('diagnostics at c=1')
  const noSpares = await runnerTarget(url, { ...runnerEnv, CRAWLFLEET_WARM_SPARES: '0' }, 'runner-no-spares')
  const session = await egressSession(url)
  const health: Target = { name: 'runner-GET-health', send: () => getStatus(`${runner.process.url}/health`), close: async () => undefined }
  try {
    for (const t of [noSpares, session]) await warmUp(t, p.warmup)
    const n = p.diagnoseRequests
    const cells = await runInterleaved(
      [
        { target: runner, concurrency: 1, requests: n },
        { target: noSpares, concurrency: 1, requests: n },
        { target: session, concurrency: 1, requests: n },
        { target: raw, concurrency: 1, requests: n },
        { target: runner, concurrency: 1, requests: n, thinkMs: p.thinkMs },
        { target: raw, concurrency: 1, requests: n, thinkMs: p.thinkMs },
        { target: health, concurrency: 1, requests: n },
      ],
      { rounds: p.rounds, maxCellMs },
    )
    const m = (name: string, think = false) => cells.find((x) => x.variant === name && !!x.thinkMs === think)?.medianMs ?? NaN
    return {
      cells,
      medianDeltasMs: {
        runnerMinusRaw: round1(m('runner') - m('raw-playwright')),
        sparesSaving: round1(m('runner-no-spares') - m('runner')),
        egressSessionMinusRaw: round1(m('in-process-egress-session') - m('raw-playwright')),
        runnerNoSparesMinusEgressSession: round1(m('runner-no-spares') - m('in-process-egress-session')),
        httpRoundTrip: m('runner-GET-health'),
        runnerOverRawWithThinkTime: ratio(m('runner', true), m('raw-playwright', true)),
      },
    }
  } finally {
    await noSpares.close().catch(() => undefined)
    await session.close().catch(() => undefined)
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10

function markdown(r: {
  date: string
  machine: Parameters<typeof machineLine>[0]
  notes: readonly string[]
  cells: readonly CellResult[]
  ratios: ReturnType<typeof targetsFrom>
  diagnostics?: { cells: readonly CellResult[]; medianDeltasMs: Record<string, number | null> }
}): string {
  const rows = (cells: readonly CellResult[]) =>
    cells.map((c) => [c.variant, c.concurrency, c.client + (c.thinkMs ? `, think ${c.thinkMs} ms` : ''), `${c.ok}/${c.requests}`, c.medianMs, c.p99Ms, c.throughput, Object.entries(c.errors).map(([k, v]) => `${k}×${v}`).join(' ') || '–'])
  const head = ['variant', 'c', 'client', 'ok/requests', 'median ms', 'p99 ms', 'req/s (200s)', 'errors']
  const t = r.ratios
  const yes = (met: boolean) => (met ? 'met' : 'missed')
  const lines = [
    `# runner vs Playwright — ${r.date.slice(0, 10)}`,
    '',
    `Machine: ${machineLine(r.machine)}.`,
    '',
    table(head, rows(r.cells)),
    '',
    table(
      ['target', 'measured', 'goal', ''],
      [
        ['runner median / raw median, c=1', t.runnerMedianOverRawAtC1.value, t.runnerMedianOverRawAtC1.target, yes(t.runnerMedianOverRawAtC1.met)],
        ['runner / launch-per-request throughput, c=4', t.runnerOverLaunchThroughputAtC4.value, t.runnerOverLaunchThroughputAtC4.target, yes(t.runnerOverLaunchThroughputAtC4.met)],
        ['runner c=32 / best throughput (no retry)', t.runnerC32OverBestThroughput.value, t.runnerC32OverBestThroughput.target, yes(t.runnerC32OverBestThroughput.met)],
        ['runner c=32 / best throughput (retry-after client)', t.runnerC32RetryOverBestThroughput.value, t.runnerC32RetryOverBestThroughput.target, yes(t.runnerC32RetryOverBestThroughput.met)],
      ],
    ),
  ]
  if (r.diagnostics) {
    lines.push('', '## c=1 breakdown', '', table(head, rows(r.diagnostics.cells)), '', table(['median delta', 'ms (or ratio)'], Object.entries(r.diagnostics.medianDeltasMs)))
  }
  lines.push('', ...r.notes.map((n) => `- ${n}`), '')
  return lines.join('\n')
}
