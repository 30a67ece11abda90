import { readFile } from 'node:fs/promises'
import { treePssBytes } from '../../runner/browser/process-tree.ts'
import { processMemoryBytes } from '../../runner/resources/process-memory.ts'
import type { RunnerProcess } from '../../tests/helpers/start-runner.ts'
import { quantile } from '../lib/stats.ts'

const MB = 1024 ** 2
const r1 = (n: number) => Math.round(n * 10) / 10

export interface Footprint {
  /** the runner's own Node process, PSS MB */
  readonly nodeMb: number
  /** everything under it: Chromium's browser, GPU, utility and renderer processes, PSS MB */
  readonly chromiumMb: number
  readonly treeMb: number
  readonly heapUsedMb: number
}

/** After a full GC in the runner (POST /debug/gc) and `settleMs`: PSS of the runner and its tree, the median of three readings. */
export async function footprint(runner: RunnerProcess, settleMs = 1500): Promise<Footprint> {
  const gc = (await (await fetch(`${runner.url}/debug/gc`, { method: 'POST' })).json()) as { heapUsedBytes: number }
  await new Promise((r) => setTimeout(r, settleMs))
  const readings: { node: number; tree: number }[] = []
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500))
    const [node, tree] = await Promise.all([processMemoryBytes(runner.pid, { root: '/', readFile: (p) => readFile(p, 'utf8') }), treePssBytes(runner.pid)])
    readings.push({ node, tree })
  }
  const mid = readings.sort((a, b) => a.tree - b.tree)[1]!
  return { nodeMb: r1(mid.node / MB), chromiumMb: r1((mid.tree - mid.node) / MB), treeMb: r1(mid.tree / MB), heapUsedMb: r1(gc.heapUsedBytes / MB) }
}

/** Least-squares slope of y on x with its 95 % confidence interval (Student's t, n − 2 degrees of freedom). */
export function slopeWithCi(points: readonly { x: number; y: number }[]): { slope: number; ci95: [number, number]; n: number } {
  const n = points.length
  const mx = points.reduce((s, p) => s + p.x, 0) / n
  const my = points.reduce((s, p) => s + p.y, 0) / n
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0)
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx
  const residual = points.reduce((s, p) => s + (p.y - my - slope * (p.x - mx)) ** 2, 0)
  const se = Math.sqrt(residual / Math.max(1, n - 2) / sxx)
  const T95 = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18][n - 3] ?? 2.1
  const r2 = (v: number) => Math.round(v * 100) / 100
  return { slope: r2(slope), ci95: [r2(slope - T95 * se), r2(slope + T95 * se)], n }
}

export interface Timed {
  readonly status: number
  readonly ms: number
}

/** `total` POST requests to `path` (/html unless said), `concurrency` at a time; `body(i)` makes each one's body. */
export async function load(url: string, total: number, concurrency: number, body: (i: number) => object, path = '/html'): Promise<Timed[]> {
  const out: Timed[] = []
  let next = 0
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const t0 = performance.now()
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body(i)) }).catch(() => null)
      await res?.arrayBuffer()
      out.push({ status: res?.status ?? 0, ms: performance.now() - t0 })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return out
}

export const p99 = (t: readonly Timed[]) => r1(quantile(t.filter((x) => x.status === 200).map((x) => x.ms), 0.99))
export const statuses = (t: readonly Timed[]) => t.reduce<Record<string, number>>((m, x) => ({ ...m, [x.status]: (m[x.status] ?? 0) + 1 }), {})
