import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { buildAll, ROOT } from '../scripts/build.ts'
import { RUNNER_MALLOC_ENV, runnerNodeFlags } from '../runner/resources/node-flags.ts'
import { startFixtureSite } from '../tests/helpers/fixture-site.ts'
import { createMemoryCgroup } from '../tests/helpers/memory-cgroup.ts'
import { startRunnerProcess, type RunnerProcess } from '../tests/helpers/start-runner.ts'
import { diffTotals, totalsByConstructor } from './lib/heap-diff.ts'
import { describeMachine } from './lib/machine.ts'
import { readParams, type Args } from './lib/params.ts'
import { machineLine, progress, publish, table } from './lib/report.ts'
import { median } from './lib/stats.ts'
import { envEffect, importCosts } from './memory/import-cost.ts'
import { footprint, load, p99, slopeWithCi, statuses, type Footprint } from './memory/runner-memory.ts'

// Issue 12's memory benchmark (`npm run bench -- memory`): the built runner under plain node, as
// production runs it. Library costs; idle footprint; leak waves with a full GC before each reading
// (slopes with 95 % CIs, Node and Chromium apart); a heap diff by constructor; recovery after
// idling past short TTLs; a flood of launch variants in a 1.5 GiB memory cgroup with the p99 of
// default requests beside it.

/** the issue asks for 10 waves of 500 (`--waveSize=500`: 23 minutes in all here, 2026-12-02-memory-6); the default of 100 a wave is a shorter run. settleWaves run first, their slope apart. heapDiff: 0 skips the snapshots (a snapshot of a loaded runner can take minutes) */
export const DEFAULTS = { waves: 10, waveSize: 100, concurrency: 4, ttlSec: 15, janitorSec: 3, warmup: 100, limitMiB: 1536, heapDiff: 1, floods: 5, quietRequests: 400, settleWaves: 10 }
/** the i-th of 24 launch variants of `page`: a browser of its own each (a --lang= flag is a launch signature) */
const langVariant = (page: { url: string }) => (i: number) => ({ ...page, browser_config: { extra_args: [`--lang=${LANGS[i % LANGS.length]}`] } })
const LANGS = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'fi', 'pl', 'cs', 'sk', 'hu', 'ro', 'bg', 'el', 'tr', 'ru', 'uk', 'ja', 'ko', 'zh', 'ar']

export async function memory(args: Args): Promise<void> {
  const p = readParams(args, DEFAULTS)
  const started = Date.now()
  const machine = await describeMachine()
  const out = join(ROOT, '.tmp', `bench-memory-${process.pid}`)
  const [runnerPath] = await buildAll({ outdir: out, only: ['runner'] })
  const site = await startFixtureSite()
  const page = { url: `${site.url}/` }
  const env = {
    ...RUNNER_MALLOC_ENV,
    CRAWLFLEET_DEBUG_ENDPOINTS: 'on',
    CRAWLFLEET_TEST_TAG: randomUUID(),
    CRAWLFLEET_COLD_TTL_SEC: `${p.ttlSec},${p.ttlSec},${p.ttlSec}`,
    CRAWLFLEET_HOT_TTL_SEC: `${p.ttlSec},${p.ttlSec},${p.ttlSec}`,
    CRAWLFLEET_SPARE_IDLE_SEC: String(p.ttlSec),
    CRAWLFLEET_JANITOR_INTERVAL_SEC: `${p.janitorSec},${p.janitorSec},${p.janitorSec}`,
  }
  const argv = (limitBytes: number) => [process.execPath, ...runnerNodeFlags(limitBytes), runnerPath!]
  let runner: RunnerProcess | undefined
  try {
    progress('library import costs')
    const libraries = await importCosts(RUNNER_MALLOC_ENV)
    const malloc = await envEffect(libraries.find((l) => l.library === 'playwright-core')!, RUNNER_MALLOC_ENV)
    progress(`malloc settings ${JSON.stringify(malloc)}`)

    runner = await startRunnerProcess(env, { argv: argv(4 * 1024 ** 3) })
    const idleAtStart = await footprint(runner)
    progress(`idle at start ${JSON.stringify(idleAtStart)}`)
    await load(runner.url, p.warmup, p.concurrency, () => page)
    const warm = await footprint(runner)
    progress(`after ${p.warmup} requests ${JSON.stringify(warm)}`)

    const readings: (Footprint & { requests: number; ok: number; seconds: number })[] = []
    for (let w = 1; w <= p.settleWaves + p.waves; w++) {
      const t0 = Date.now()
      const answers = await load(runner.url, p.waveSize, p.concurrency, () => page)
      readings.push({ requests: w * p.waveSize, ok: answers.filter((a) => a.status === 200).length, seconds: Math.round((Date.now() - t0) / 1000), ...(await footprint(runner)) })
      progress(`wave ${w}: ${JSON.stringify(readings.at(-1))}`)
    }
    // V8 keeps compiling and optimising the request path for the first few thousand requests (Node grew 3.3 MB
    // from request 500 to 1,500 and 0.8 from 3,000 to 5,000 in 2026-12-02-memory-5): the target's slope is
    // fitted once that has settled, and the settling waves' own slope is reported beside it
    const slopesOver = (rs: typeof readings) => {
      const fit = (pick: (r: Footprint) => number) => slopeWithCi(rs.map((r) => ({ x: r.requests / 1000, y: pick(r) })))
      return { nodeMbPer1000: fit((r) => r.nodeMb), chromiumMbPer1000: fit((r) => r.chromiumMb), treeMbPer1000: fit((r) => r.treeMb), heapUsedMbPer1000: fit((r) => r.heapUsedMb) }
    }
    const leak = slopesOver(readings.slice(p.settleWaves))
    const settling = p.settleWaves >= 3 ? slopesOver(readings.slice(0, p.settleWaves)) : undefined

    // a content worker starts on the first /md and ends after CRAWLFLEET_SPARE_IDLE_SEC idle: its share, apart (after the
    // leak waves, which it would otherwise leave part-way through and bias their slope down)
    await load(runner.url, 10, 1, () => page, '/md')
    const withContentWorker = await footprint(runner)
    progress(`after 10 /md ${JSON.stringify(withContentWorker)}`)

    progress('recovery: 24 launch variants, then idle past the TTLs')
    await load(runner.url, 48, 6, langVariant(page))
    const busy = await footprint(runner)
    const waitStart = Date.now()
    for (;;) {
      const pr = (await (await fetch(`${runner.url}/pressure`)).json()) as { pool: { hot: number; cold: number; retired: number; spares: number } }
      if (pr.pool.hot + pr.pool.cold + pr.pool.retired + pr.pool.spares === 0 && Date.now() - waitStart > (p.ttlSec + 2 * p.janitorSec) * 1000) break
      if (Date.now() - waitStart > 180_000) break
      await new Promise((r) => setTimeout(r, 1000))
    }
    const recovered = await footprint(runner)
    const recovery = { busy, recovered, waitedSec: Math.round((Date.now() - waitStart) / 1000), overIdleAtStart: Math.round((recovered.treeMb / idleAtStart.treeMb) * 100) / 100, overWarm: Math.round((recovered.treeMb / warm.treeMb) * 100) / 100 }
    progress(`recovery ${JSON.stringify(recovery)}`)

    // last on this runner: a heap snapshot leaves ~200 MB of RSS behind, which would count in the recovery
    let heapDiff: ReturnType<typeof diffTotals> | 'skipped' = 'skipped'
    if (p.heapDiff) {
      progress('heap diff over one more wave')
      const snap = async () => ((await (await fetch(`${runner!.url}/debug/heap-snapshot`, { method: 'POST' })).json()) as { path: string }).path
      const before = await snap()
      await load(runner.url, p.waveSize, p.concurrency, () => page)
      const after = await snap()
      heapDiff = diffTotals(await totalsByConstructor(before), await totalsByConstructor(after), 12)
      rmSync(before)
      rmSync(after)
    }

    await runner.stop()
    runner = undefined

    // the flood's p99 ratio moves a lot from one run to the next (2 cores): `floods` runs, each on a fresh
    // runner in a fresh cgroup, and the median ratio (three floods read 1.61, 2.47 and 2.01 in 2026-12-02-memory-4; five steady the median)
    const floods: Flood[] = []
    for (let f = 0; f < p.floods; f++) {
      progress(`flood ${f + 1}/${p.floods} in a ${p.limitMiB} MiB cgroup`)
      floods.push(await floodOnce(`crawlfleet-bench-${process.pid}-${f}`, p.limitMiB, p.quietRequests, env, argv, page))
      progress(`flood ${JSON.stringify(floods.at(-1))}`)
    }
    const flood = {
      runs: floods,
      p99Ratio: median(floods.map((x) => x.p99Ratio)),
      oomKills: floods.reduce((n, x) => n + x.oomKills, 0),
      floodP99Ms: median(floods.map((x) => x.floodP99Ms)),
      quietP99Ms: median(floods.map((x) => x.quietP99Ms)),
    }

    const last = readings.at(-1)!
    const settlingNote = (key: keyof typeof leak) => (settling ? `; over the ${p.settleWaves} waves before them ${settling[key].slope} (${settling[key].ci95.join(' to ')})` : '')
    const targets = [
      ['runner Node process after warm-up ≤ 80 MB PSS', `${warm.nodeMb} MB (at start ${idleAtStart.nodeMb}; ${withContentWorker.nodeMb} with a content worker)`, warm.nodeMb <= 80],
      ['runner tree (Node + permanent Chromium) ≤ 200 MB PSS', `${warm.treeMb} MB (at start ${idleAtStart.treeMb}; ${withContentWorker.treeMb} with a content worker)`, warm.treeMb <= 200],
      ['leak slope ≤ 1 MB / 1,000 requests, Node', `${leak.nodeMbPer1000.slope} (95 % CI ${leak.nodeMbPer1000.ci95.join(' to ')})${settlingNote('nodeMbPer1000')}`, leak.nodeMbPer1000.slope <= 1],
      ['leak slope ≤ 1 MB / 1,000 requests, Chromium', `${leak.chromiumMbPer1000.slope} (95 % CI ${leak.chromiumMbPer1000.ci95.join(' to ')})${settlingNote('chromiumMbPer1000')}`, leak.chromiumMbPer1000.slope <= 1],
      ['recovery within 10 % of the idle footprint', `${recovery.recovered.treeMb} MB = ${recovery.overWarm}× after warm-up, ${recovery.overIdleAtStart}× at start`, recovery.overWarm <= 1.1],
      ['no OOM kill in the cgroup flood', `${flood.oomKills} kills in ${floods.length} floods`, flood.oomKills === 0],
      ['p99 of default requests during the flood ≤ 2× quiet', `${flood.p99Ratio}× (median of ${floods.length} floods: ${floods.map((x) => x.p99Ratio).join(', ')}; p99 ${flood.floodP99Ms} ms vs ${flood.quietP99Ms} ms)`, flood.p99Ratio <= 2],
    ] as const
    const report = {
      scenario: 'memory',
      date: new Date(started).toISOString(),
      machine,
      params: p,
      durationSec: Math.round((Date.now() - started) / 1000),
      notes: [
        'The runner is dist/runner.mjs (scripts/build.ts) under plain node with runnerNodeFlags and RUNNER_MALLOC_ENV; memory is PSS from /proc/<pid>/smaps_rollup, read after POST /debug/gc, the median of three.',
        `Leak slopes are fitted over ${p.waves} readings, one after each wave of ${p.waveSize} /html requests at c=${p.concurrency}, after ${p.warmup} warm-up requests and ${p.settleWaves} settling waves (their slope beside it).`,
        'PSS splits shared pages between the processes that map them: other node processes on the machine lower the runner Node figure a little.',
      ],
      libraries,
      malloc,
      idleAtStart,
      afterWarmup: warm,
      withContentWorker,
      waves: readings,
      leak,
      settling,
      heapDiffOneWave: heapDiff,
      recovery,
      flood,
      targets: targets.map(([target, measured, met]) => ({ target, measured, met })),
      lastWave: last,
    }
    await publish(report, [
      `# memory — ${report.date.slice(0, 10)}`,
      '',
      `Machine: ${machineLine(machine)}.`,
      '',
      table(['target', 'measured', ''], targets.map(([t, m, met]) => [t, m, met ? 'met' : 'missed'])),
      '',
      table(['library', 'loaded', 'RSS MB', 'heap MB'], libraries.map((l) => [l.library, l.loaded, l.rssMb, l.heapMb])),
      '',
      `Importing ${malloc.library}: ${malloc.withoutRssMb} MB RSS with glibc's defaults, ${malloc.withRssMb} MB with ${Object.entries(malloc.env).map(([k, v]) => `${k}=${v}`).join(' ')}.`,
      '',
      ...report.notes.map((n) => `- ${n}`),
      '',
    ].join('\n'))
  } finally {
    await runner?.stop()
    await site.close()
    rmSync(out, { recursive: true, force: true })
  }
}

interface Flood {
  readonly limitMiB: number
  readonly variantStatuses: Record<string, number>
  readonly defaultRequestsDuring: number
  readonly defaultStatusesDuring: Record<string, number>
  readonly quietP99Ms: number
  readonly floodP99Ms: number
  readonly p99Ratio: number
  readonly oomKills: number
  readonly peakMb: number
  readonly defaultAfter: number
}

/** A fresh runner in a fresh memory cgroup: default requests, quiet (`quietRequests` at c=2) and then beside 48 requests over 24 launch variants at c=12. */
async function floodOnce(name: string, limitMiB: number, quietRequests: number, env: Record<string, string>, argv: (limitBytes: number) => string[], page: { url: string }): Promise<Flood> {
  const cgroup = createMemoryCgroup(name, limitMiB * 1024 ** 2)
  let runner: RunnerProcess | undefined
  try {
    runner = await startRunnerProcess(env, { argv: cgroup.wrap(argv(cgroup.limitBytes)) })
    await load(runner.url, 50, 2, () => page)
    // a p99 of 200 is their 2nd slowest; of 400, the 4th: a steadier denominator
    const quiet = await load(runner.url, quietRequests, 2, () => page)
    const during: Awaited<ReturnType<typeof load>> = []
    let flooding = true
    const variants = load(runner.url, 48, 12, langVariant(page)).finally(() => (flooding = false))
    const defaults = (async () => {
      while (flooding) during.push(...(await load(runner!.url, 2, 2, () => page)))
    })()
    const [floodAnswers] = await Promise.all([variants, defaults])
    const afterFlood = await load(runner.url, 1, 1, () => page)
    return {
      limitMiB,
      variantStatuses: statuses(floodAnswers),
      defaultRequestsDuring: during.length,
      defaultStatusesDuring: statuses(during),
      quietP99Ms: p99(quiet),
      floodP99Ms: p99(during),
      p99Ratio: Math.round((p99(during) / p99(quiet)) * 100) / 100,
      oomKills: cgroup.oomKills(),
      peakMb: Math.round((cgroup.peakBytes() ?? 0) / 1024 ** 2),
      defaultAfter: afterFlood[0]!.status,
    }
  } finally {
    await runner?.stop()
    await cgroup.remove()
  }
}
