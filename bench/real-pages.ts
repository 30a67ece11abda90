import { chromium, type Browser } from 'playwright-core'
import { launchOptions } from './lib/baselines.ts'
import { startCorpusSite, type CorpusSite } from './lib/corpus-site.ts'
import { postJson } from './lib/http.ts'
import { describeMachine } from './lib/machine.ts'
import { readParams, type Args } from './lib/params.ts'
import { machineLine, progress, publish, table } from './lib/report.ts'
import { startStack, type Stack } from './lib/stack.ts'
import { median, quantile, ratio, round } from './lib/stats.ts'
import { startRunnerProcess, type RunnerProcess } from '../tests/helpers/start-runner.ts'

// Issue 10's bench: the shared corpus of real article pages, served on a loopback address, rendered
// by raw Playwright (one warm browser, a fresh context per page, waitUntil 'load', the runner's base
// Chromium flags minus the proxy), by one runner's /html, and through the edge of the local stack.
// Variants take turns on blocks of pages, in a rotating order, so outside load and warm caches land
// on each of them alike.

export const DEFAULTS = {
  /** the first N corpus pages (sorted by id); 181 = all */
  pages: 181,
  /** comma-separated client concurrencies */
  concurrency: '1,4',
  /** also through the edge of the local stack (`npm start`) */
  edge: true,
  /** runners in the local stack */
  edgeRunners: 2,
  /** the loopback address the corpus is served on (allowed by CRAWLFLEET_ALLOW_CIDRS=<host>/32) */
  host: '127.0.0.2',
  pageTimeoutMs: 30_000,
  /** pages per turn of a variant */
  block: 10,
  warmup: 3,
}

type Params = typeof DEFAULTS

interface Visit {
  readonly id: string
  readonly ms: number
  /** 'ok', or why not: an HTTP status, 'timeout', 'error: …' */
  readonly outcome: string
}

interface Variant {
  readonly name: string
  visit(url: string): Promise<string>
  close(): Promise<void>
}

export async function realPages(args: Args): Promise<void> {
  const p = readParams(args, DEFAULTS)
  const started = Date.now()
  const machine = await describeMachine()
  const concurrencies = p.concurrency.split(',').map(Number).filter((c) => Number.isInteger(c) && c > 0)
  const site = await startCorpusSite(p.host)
  const ids = site.ids.slice(0, p.pages)
  const variants: Variant[] = []
  try {
    progress(`serving ${site.ids.length} corpus pages at ${site.url}; rendering ${ids.length} at c=${concurrencies.join(',')}`)
    const env = { CRAWLFLEET_ALLOW_CIDRS: `${p.host}/32`, CRAWLFLEET_LOG_LEVEL: 'warn' }
    variants.push(await rawVariant(p))
    variants.push(runnerVariant(await startRunnerProcess(env, { readyTimeoutMs: 120_000 }), p))
    if (p.edge) variants.push(edgeVariant(await startStack({ runners: p.edgeRunners, env, preferLocalStack: true }), p))
    for (const v of variants) for (let i = 0; i < p.warmup; i++) await v.visit(`${site.url}/warmup`).catch(() => undefined)

    const cells: Cell[] = []
    for (const c of concurrencies) cells.push(...(await runCells(variants, site, ids, c, p)))
    const summary = summarise(cells)
    const report = {
      scenario: 'real-pages',
      date: new Date(started).toISOString(),
      machine,
      params: p,
      durationSec: Math.round((Date.now() - started) / 1000),
      notes: [
        'Shared 2-core machine: read the ratios measured in this run, not absolute figures.',
        `Variants took turns on blocks of ${p.block} pages in a rotating order. Time per page = until the answer, success or not (a failure's time counts); total = the sum of each variant's wall time over its blocks.`,
        "Per-page ratio = that page's time through the variant / raw Playwright's time for the same page at the same concurrency.",
        'The pages reference third-party hosts that do not resolve or connect here, as on a closed network.',
      ],
      summary,
      cells: cells.map(({ visits, ...rest }) => ({ ...rest, failures: failuresOf(visits) })),
      visits: Object.fromEntries(cells.map((cell) => [`${cell.variant}@c${cell.concurrency}`, cell.visits])),
    }
    await publish(report, markdown(report.date, machine, summary, report.notes))
  } finally {
    for (const v of variants) await v.close().catch(() => undefined)
    await site.close()
  }
}

async function rawVariant(p: Params): Promise<Variant> {
  const browser: Browser = await chromium.launch(launchOptions())
  return {
    name: 'raw-playwright',
    async visit(url) {
      const context = await browser.newContext()
      try {
        const page = await context.newPage()
        await page.goto(url, { waitUntil: 'load', timeout: p.pageTimeoutMs })
        await page.content()
        return 'ok'
      } catch (err) {
        const message = (err as Error).message
        return (err as Error).name === 'TimeoutError' ? 'timeout' : `error: ${/net::ERR_\w+/.exec(message)?.[0] ?? message.split('\n')[0]!.slice(0, 80)}`
      } finally {
        await context.close()
      }
    },
    close: () => browser.close(),
  }
}

async function viaHtml(base: string, url: string, p: Params): Promise<string> {
  const res = await postJson(`${base}/html`, { url, wait_until: 'load', page_timeout: p.pageTimeoutMs })
  if (res.status === 200) return 'ok'
  const code = /"code":"(\w+)"/.exec(res.body)?.[1]
  return `${res.status}${code ? ` ${code}` : ''}`
}

function runnerVariant(runner: RunnerProcess, p: Params): Variant {
  return { name: 'runner', visit: (url) => viaHtml(runner.url, url, p).catch(() => 'transport'), close: async () => void (await runner.stop('SIGTERM')) }
}

function edgeVariant(stack: Stack, p: Params): Variant {
  return { name: `edge (${stack.mode})`, visit: (url) => viaHtml(stack.url, url, p).catch(() => 'transport'), close: () => stack.stop() }
}

interface Cell {
  readonly variant: string
  readonly concurrency: number
  readonly totalMs: number
  readonly visits: Visit[]
}

async function runCells(variants: readonly Variant[], site: CorpusSite, ids: readonly string[], c: number, p: Params): Promise<Cell[]> {
  const acc = variants.map((v) => ({ variant: v.name, concurrency: c, totalMs: 0, visits: [] as Visit[] }))
  const blocks = Math.ceil(ids.length / p.block)
  for (let b = 0; b < blocks; b++) {
    const slice = ids.slice(b * p.block, (b + 1) * p.block)
    for (let k = 0; k < variants.length; k++) {
      const i = (b + k) % variants.length // rotate who goes first
      const t0 = performance.now()
      acc[i]!.visits.push(...(await closedLoop(slice, c, (id) => variants[i]!.visit(site.pageUrl(id)))))
      acc[i]!.totalMs += performance.now() - t0
    }
    progress(`c=${c}: ${Math.min(ids.length, (b + 1) * p.block)}/${ids.length} pages`)
  }
  return acc.map((a) => ({ ...a, totalMs: Math.round(a.totalMs) }))
}

async function closedLoop(ids: readonly string[], concurrency: number, visit: (id: string) => Promise<string>): Promise<Visit[]> {
  const out: Visit[] = []
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!
      const t0 = performance.now()
      const outcome = await visit(id).catch((err: unknown) => `error: ${(err as Error).message.slice(0, 80)}`)
      out.push({ id, ms: round(performance.now() - t0), outcome })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return out
}

function failuresOf(visits: readonly Visit[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of visits) if (v.outcome !== 'ok') out[v.outcome] = (out[v.outcome] ?? 0) + 1
  return out
}

interface Row {
  variant: string
  concurrency: number
  pages: number
  totalSec: number
  medianMs: number
  p90Ms: number
  failures: number
  totalRatio: number | null
  medianRatio: number | null
  perPageRatioMedian: number | null
  perPageRatioP90: number | null
  targets: string
}

function summarise(cells: readonly Cell[]): Row[] {
  return cells.map((cell) => {
    const raw = cells.find((x) => x.variant === 'raw-playwright' && x.concurrency === cell.concurrency)!
    const ms = cell.visits.map((v) => v.ms)
    const rawMs = new Map(raw.visits.map((v) => [v.id, v.ms]))
    const perPage = cell.visits.map((v) => v.ms / (rawMs.get(v.id) ?? NaN)).filter(Number.isFinite)
    const failures = cell.visits.filter((v) => v.outcome !== 'ok').length
    const rawFailures = raw.visits.filter((v) => v.outcome !== 'ok').length
    const totalRatio = ratio(cell.totalMs, raw.totalMs)
    const medianRatio = ratio(median(ms), median(raw.visits.map((v) => v.ms)))
    const isRaw = cell === raw
    const met = totalRatio !== null && totalRatio <= 1.0 && medianRatio !== null && medianRatio <= 1.1 && failures <= rawFailures
    return {
      variant: cell.variant,
      concurrency: cell.concurrency,
      pages: cell.visits.length,
      totalSec: round(cell.totalMs / 1000, 2),
      medianMs: round(median(ms)),
      p90Ms: round(quantile(ms, 0.9)),
      failures,
      totalRatio,
      medianRatio,
      perPageRatioMedian: round(median(perPage), 3),
      perPageRatioP90: round(quantile(perPage, 0.9), 3),
      targets: isRaw ? '–' : met ? 'met' : 'missed',
    }
  })
}

function markdown(date: string, machine: Parameters<typeof machineLine>[0], rows: readonly Row[], notes: readonly string[]): string {
  return [
    `# real pages — ${date.slice(0, 10)}`,
    '',
    `Machine: ${machineLine(machine)}.`,
    '',
    table(
      ['variant', 'c', 'pages', 'total s', 'median ms', 'p90 ms', 'failures', 'total / raw', 'median / raw', 'per-page ratio median', 'per-page ratio p90', 'targets (≤ 1.0×, ≤ 1.1×, failures ≤ raw)'],
      rows.map((r) => [r.variant, r.concurrency, r.pages, r.totalSec, r.medianMs, r.p90Ms, r.failures, r.totalRatio, r.medianRatio, r.perPageRatioMedian, r.perPageRatioP90, r.targets]),
    ),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n')
}
