// `npx tsx bench/scaling/make-trace.ts`: writes bench/scaling/load-trace.json, the load the
// scaling simulation replays. Requests per second, one value a minute, in phases: a quiet start,
// a sudden burst, a long plateau, a silent spell and a trickle, and a 24-hour diurnal cycle with
// minute-to-minute noise and occasional 1.5× spikes, all seeded.
// It is synthetic (we have no production recording yet); committing its output keeps every run
// of the simulation on the same trace. Replace the file with a real recording when there is one:
// the same shape, {"phases": [{"name", "startMin"}], "ratePerSec": [...]}.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Rng } from '../edge-lib/prng.ts'

export const TRACE_PATH = fileURLToPath(new URL('./load-trace.json', import.meta.url))

export interface LoadTrace {
  readonly about: string
  readonly phases: readonly { readonly name: string; readonly startMin: number }[]
  /** requests per second, for each minute */
  readonly ratePerSec: readonly number[]
}

export function makeTrace(seed = 7): LoadTrace {
  const rng = new Rng(seed)
  const noisy = (rate: number, spread: number) => Math.max(0, rate * (1 + spread * rng.normal()))
  const phases: { name: string; startMin: number }[] = []
  const rate: number[] = []
  const phase = (name: string, minutes: number, at: (i: number) => number) => {
    phases.push({ name, startMin: rate.length })
    for (let i = 0; i < minutes; i++) rate.push(Math.round(at(i) * 100) / 100)
  }
  phase('quiet', 30, () => noisy(0.5, 0.3))
  // 0.5 → 30 req/s within a minute, for 20 minutes: six to eight runners' worth arriving at once
  phase('burst', 20, () => noisy(30, 0.08))
  phase('plateau', 120, () => noisy(16, 0.1))
  // silence long enough for a fleet allowed to reach zero runners to get there, then a trickle that wakes it
  phase('idle', 45, () => 0)
  phase('wake', 15, () => noisy(0.3, 0.3))
  // trough 1 req/s at 04:00, peak 28 req/s at 16:00, minute-to-minute noise and a few short spikes
  phase('diurnal', 24 * 60, (i) => {
    const hour = i / 60
    const base = 1 + 27 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 4)) / 24))
    const spike = rng.next() < 0.01 ? 1.5 : 1
    return noisy(base * spike, 0.1)
  })
  return {
    about: 'synthetic load for bench/scaling-sim.ts, made by bench/scaling/make-trace.ts (seed 7): requests per second, one value per minute',
    phases,
    ratePerSec: rate,
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const trace = makeTrace()
  writeFileSync(TRACE_PATH, `${JSON.stringify({ about: trace.about, phases: trace.phases })}`.replace(/}$/, `,"ratePerSec":[${trace.ratePerSec.join(',')}]}\n`))
  process.stderr.write(`wrote ${TRACE_PATH}: ${trace.ratePerSec.length} minutes\n`)
}
