// One run of the scaling simulation: the trace's load through the fleet, the template's alarms
// and policies moving the desired count, and what came of it.
import { EDGE_METRIC, METRIC, METRIC_NAMESPACE } from '../../runner/contract/metric-names.ts'
import { Autoscaler, type ScaleEvent } from './autoscaler.ts'
import { Fleet, MetricStore, type FleetParams, type RequestOutcome } from './fleet.ts'
import type { LoadTrace } from './make-trace.ts'
import { readScalingModel, type ScalingModel, type Template } from './policy-from-template.ts'
import { Rng } from '../edge-lib/prng.ts'

export interface SimParams extends FleetParams {
  /** after a period ends, when its alarms are evaluated (publish + CloudWatch delay) */
  readonly alarmLagMs: number
  /** the Service dimension the stack's alarms watch */
  readonly service: string
}

export interface MinuteRow {
  readonly minute: number
  readonly phase: string
  readonly ratePerSec: number
  readonly desired: number
  readonly ready: number
  readonly total: number
}

export interface PhaseOutcomes {
  /** queue waits of the served requests */
  readonly waits: number[]
  served: number
  refused: number
  timedOut: number
  noRunner: number
}

export interface SimResult {
  readonly model: ScalingModel
  readonly events: readonly ScaleEvent[]
  readonly minutes: readonly MinuteRow[]
  /** per phase: outcomes of the requests that arrived in it */
  readonly byPhase: ReadonlyMap<string, PhaseOutcomes>
  readonly runnerHours: number
  readonly phaseRunnerMs: ReadonlyMap<string, number>
}

export function simulate(template: Template, trace: LoadTrace, p: SimParams): SimResult {
  const model = readScalingModel(template)
  const names = {
    slotLoad: METRIC.slotLoadPct.cw,
    queueWait: METRIC.queueWaitMs.cw,
    memory: METRIC.memoryPressurePct.cw,
    heartbeat: METRIC.heartbeat.cw,
    noRunner: EDGE_METRIC.noHealthyRunner,
    requests: METRIC.requestLatency.cw,
  }
  const store = new MetricStore(METRIC_NAMESPACE, p.service, new Set(Object.values(names)))
  const phaseOf = (minute: number) => [...trace.phases].reverse().find((ph) => ph.startMin <= minute)?.name ?? 'none'
  const byPhase = new Map<string, PhaseOutcomes>()
  for (const ph of trace.phases) byPhase.set(ph.name, { waits: [], served: 0, refused: 0, timedOut: 0, noRunner: 0 })
  const record = (o: RequestOutcome) => {
    const b = byPhase.get(phaseOf(Math.floor(o.atMs / 60_000)))!
    b[o.outcome]++
    if (o.outcome === 'served') b.waits.push(o.waitMs)
  }
  const fleet = new Fleet(p, store, names, record)
  const scaler = new Autoscaler(model, store)
  fleet.reconcile(scaler.desired, true)

  const arrivals = new Rng(p.seed + 1)
  const endMs = trace.ratePerSec.length * 60_000
  const nextArrival = (from: number): number | undefined => {
    for (let t = from; t < endMs; ) {
      const minute = Math.floor(t / 60_000)
      const rate = trace.ratePerSec[minute]!
      const boundary = (minute + 1) * 60_000
      if (rate <= 0) {
        t = boundary
        continue
      }
      const at = t + arrivals.exponential(1000 / rate)
      if (at < boundary) return at
      // memoryless: start over at the next minute with its rate
      t = boundary
    }
    return undefined
  }
  const scheduleArrival = (from: number) => {
    const at = nextArrival(from)
    if (at === undefined) return
    fleet.at(at, () => {
      fleet.arrive()
      scheduleArrival(at)
    })
  }
  scheduleArrival(0)
  for (let t = 10_000; t <= endMs; t += 10_000) fleet.at(t - 1, () => fleet.sample())
  for (let m = 1; m <= trace.ratePerSec.length; m++) {
    fleet.at(m * 60_000, () => fleet.heartbeat())
    fleet.at(m * 60_000 + p.alarmLagMs, () => {
      scaler.tick(fleet.now, m - 1)
      fleet.reconcile(scaler.desired)
    })
  }

  const minutes: MinuteRow[] = []
  const phaseRunnerMs = new Map<string, number>()
  for (let m = 0; m < trace.ratePerSec.length; m++) {
    const before = fleet.runnerMs
    fleet.runUntil((m + 1) * 60_000 - 1)
    const phase = phaseOf(m)
    phaseRunnerMs.set(phase, (phaseRunnerMs.get(phase) ?? 0) + fleet.runnerMs - before)
    minutes.push({ minute: m, phase, ratePerSec: trace.ratePerSec[m]!, desired: scaler.desired, ready: fleet.readyCount, total: fleet.total })
  }
  return { model, events: scaler.events, minutes, byPhase, runnerHours: fleet.runnerMs / 3_600_000, phaseRunnerMs }
}

/**
 * Scale-ins followed by a scale-out within `windowMs` (and the reverse): the policy undoing
 * itself. A scale-out from zero runners after the fleet emptied is counted apart, as a wake-up:
 * with no runner there was no load to misjudge, only new traffic after a silence (minRunners 0).
 */
export function reversals(events: readonly ScaleEvent[], windowMs: number) {
  const inThenOut: { inAtMin: number; outAtMin: number }[] = []
  const outThenIn: { outAtMin: number; inAtMin: number }[] = []
  const wakeUps: { inAtMin: number; outAtMin: number }[] = []
  events.forEach((e, i) => {
    const down = e.to < e.from
    for (const later of events.slice(i + 1)) {
      if (later.atMs - e.atMs > windowMs) break
      const laterDown = later.to < later.from
      const pair = { inAtMin: e.atMs / 60_000, outAtMin: later.atMs / 60_000 }
      if (down && !laterDown) (later.from === 0 ? wakeUps : inThenOut).push(pair)
      if (!down && laterDown) outThenIn.push({ outAtMin: e.atMs / 60_000, inAtMin: later.atMs / 60_000 })
    }
  })
  return { inThenOut, outThenIn, wakeUps }
}
