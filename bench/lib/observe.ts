import type { PoolCounters } from '../../runner/pool/types.ts'
import { processPssMb, treeMemory, type TreeMemory } from './memory.ts'
import type { Stack, StackRunner } from './stack.ts'

// What the runners say about themselves (/pressure, /metrics) and what /proc says about them.

export interface BrowserView {
  readonly id: string
  readonly signature: string
  readonly tier: 'permanent' | 'hot' | 'cold'
  readonly state: string
  readonly leases: number
  readonly uses: number
}

export interface Pressure {
  readonly runner: string
  readonly pool: { permanent: number; hot: number; cold: number; launching: number; retired: number; leased: number; queued: number; running: number; spares: number; browsers: BrowserView[] }
  readonly counters: Counters
  readonly plan: { pageSlots: number; maxQueued: number; maxBrowsers: number }
}

/** the pool's own counters, as /pressure reports them */
export type Counters = PoolCounters

export async function pressures(stack: Stack): Promise<Pressure[]> {
  return Promise.all(
    stack.runners.map(async (r) => {
      const res = await stack.runnerGet(r, '/pressure')
      if (!res.ok) throw new Error(`/pressure of ${r.id}: ${res.status}`)
      return (await res.json()) as Pressure
    }),
  )
}

/** Counters summed over the runners. */
export function totalCounters(ps: readonly Pressure[]): Counters {
  const sum: Counters = { hits: 0, misses: 0, launches: 0, launchFailures: 0, promotions: 0, evictions: 0, retirements: 0, crashes: 0, refusals: {} }
  for (const { counters: c } of ps) {
    for (const k of ['hits', 'misses', 'launches', 'launchFailures', 'promotions', 'evictions', 'retirements', 'crashes'] as const) sum[k] += c[k]
    for (const [k, v] of Object.entries(c.refusals)) sum.refusals[k] = (sum.refusals[k] ?? 0) + v
  }
  return sum
}

export function counterDelta(after: Counters, before: Counters): Counters {
  const d = { ...after, refusals: { ...after.refusals } }
  for (const k of ['hits', 'misses', 'launches', 'launchFailures', 'promotions', 'evictions', 'retirements', 'crashes'] as const) d[k] = after[k] - before[k]
  for (const k of Object.keys(d.refusals)) d.refusals[k] = (after.refusals[k] ?? 0) - (before.refusals[k] ?? 0)
  return d
}

export function hitRate(d: Counters): number | null {
  const n = d.hits + d.misses
  return n === 0 ? null : Math.round((d.hits / n) * 10_000) / 10_000
}

/** Node internals of one runner from its Prometheus default metrics: what a leak of timers or handles would move. */
export interface Internals {
  readonly activeHandles: number | null
  readonly timers: number | null
  readonly heapUsedMb: number | null
}

export async function internals(stack: Stack, r: StackRunner): Promise<Internals> {
  const text = await (await stack.runnerGet(r, '/metrics')).text()
  const value = (re: RegExp) => {
    const m = text.split('\n').find((l) => re.test(l))
    return m === undefined ? null : Number(m.slice(m.lastIndexOf(' ') + 1))
  }
  const heap = value(/^crawlfleet_runner_nodejs_heap_size_used_bytes[{ ]/)
  return {
    activeHandles: value(/^crawlfleet_runner_nodejs_active_handles_total[{ ]/),
    timers: value(/^crawlfleet_runner_nodejs_active_resources\{type="Timeout"/) ?? 0,
    heapUsedMb: heap === null ? null : Math.round((heap / 1024 ** 2) * 10) / 10,
  }
}

export interface RunnersMemory extends TreeMemory {
  /** the runners' Node processes alone (V8 heap included, so GC moves it) */
  readonly runnerNodeMb: number
  /** the rest of the trees: Chromium's browser, GPU, utility and renderer processes */
  readonly chromiumMb: number
  readonly perRunner: Record<string, TreeMemory & { nodeMb: number }>
}

const r1 = (n: number) => Math.round(n * 10) / 10

/** PSS of every runner's tree (runner + its Chromium), summed and per runner. The edge is not included. */
export async function runnersMemory(stack: Stack): Promise<RunnersMemory> {
  const per = await Promise.all(
    stack.runners.map(async (r) => {
      const [tree, nodeMb] = await Promise.all([treeMemory(r.pid), processPssMb(r.pid)])
      return [r.id, { ...tree, nodeMb }] as const
    }),
  )
  const pssMb = r1(per.reduce((s, [, m]) => s + m.pssMb, 0))
  const runnerNodeMb = r1(per.reduce((s, [, m]) => s + m.nodeMb, 0))
  return {
    pssMb,
    processes: per.reduce((s, [, m]) => s + m.processes, 0),
    runnerNodeMb,
    chromiumMb: r1(pssMb - runnerNodeMb),
    perRunner: Object.fromEntries(per),
  }
}

/** The reading with the median total of `n` readings a second apart: one GC in the middle of a reading does not decide it. */
export async function steadyRunnersMemory(stack: Stack, n = 3): Promise<RunnersMemory> {
  const readings: RunnersMemory[] = []
  for (let i = 0; i < n; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 1000))
    readings.push(await runnersMemory(stack))
  }
  return readings.sort((a, b) => a.pssMb - b.pssMb)[Math.floor(n / 2)]!
}

/** Samples the runners' PSS every `everyMs` until stopped; returns the peak. */
export function peakSampler(stack: Stack, everyMs = 2000): { stop(): Promise<number> } {
  let peak = 0
  let running = true
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await runnersMemory(stack).catch(() => ({ pssMb: 0 }))).pssMb)
      await new Promise((r) => setTimeout(r, everyMs))
    }
  })()
  return {
    stop: async () => {
      running = false
      await loop
      return peak
    },
  }
}
