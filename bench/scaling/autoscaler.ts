// CloudWatch alarms and Application Auto Scaling step policies, as documented, over the metrics
// the simulated fleet publishes:
// - an alarm is evaluated every minute over its last EvaluationPeriods datapoints; ALARM when at
//   least DatapointsToAlarm breach; a missing datapoint counts per TreatMissingData;
// - while an alarm is in ALARM its policy is invoked at every evaluation, with the latest value;
// - the step whose [lower, upper) holds (value − threshold) gives the adjustment; percentages
//   round toward zero above 1 and away from zero below 1, then MinAdjustmentMagnitude applies;
// - scale-out cooldown: a later trigger adds only what exceeds the capacity the first one set
//   (computed from the capacity before it); scale-in cooldown: later scale-ins wait; a scale-out
//   ends a scale-in cooldown. Scale-in also waits out a running scale-out cooldown (conservative:
//   AWS does not document that case).
import { evaluate, type Value } from './metric-math.ts'
import type { MetricRef, ScalingAlarm, ScalingModel, StepPolicy } from './policy-from-template.ts'

export interface MetricSource {
  /** the datapoint of `ref` for the one-minute period starting at `minute`, undefined if none */
  datapoint(ref: MetricRef, minute: number): Value
}

export interface ScaleEvent {
  readonly atMs: number
  readonly from: number
  readonly to: number
  readonly alarm: string
  readonly value: number
}

export class Autoscaler {
  desired: number
  readonly events: ScaleEvent[] = []
  private readonly outCooldown = new Map<string, { untilMs: number; base: number }>()
  private inCooldownUntilMs = -Infinity

  constructor(
    private readonly model: ScalingModel,
    private readonly metrics: MetricSource,
    initial = Math.max(1, model.minCapacity),
  ) {
    this.desired = this.clamp(initial)
  }

  /** The value of the alarm's returned series for one period. */
  alarmValue(alarm: ScalingAlarm, minute: number): Value {
    const byId = new Map(alarm.series.map((s) => [s.id, s]))
    const cache = new Map<string, Value>()
    const value = (id: string): Value => {
      if (cache.has(id)) return cache.get(id)
      const s = byId.get(id)
      if (!s) throw new Error(`alarm ${alarm.id}: unknown id ${id}`)
      const v = s.metric ? this.metrics.datapoint(s.metric, minute) : evaluate(s.expression!, value)
      cache.set(id, v)
      return v
    }
    return value(alarm.series.find((s) => s.returnData)!.id)
  }

  /** Evaluates every alarm with data up to period `latestMinute`, at `nowMs`, and scales. */
  tick(nowMs: number, latestMinute: number): void {
    for (const alarm of this.model.alarms) {
      const values: Value[] = []
      for (let m = latestMinute - alarm.evaluationPeriods + 1; m <= latestMinute; m++) values.push(this.alarmValue(alarm, m))
      if (!this.inAlarm(alarm, values)) continue
      const latest = values.at(-1)
      if (latest !== undefined) this.invoke(alarm, latest, nowMs)
    }
  }

  private inAlarm(alarm: ScalingAlarm, values: Value[]): boolean {
    let breaching = 0
    for (const v of values) {
      if (v === undefined) breaching += alarm.treatMissingData === 'breaching' ? 1 : 0
      else if (breaches(alarm, v)) breaching++
    }
    return breaching >= alarm.datapointsToAlarm
  }

  private invoke(alarm: ScalingAlarm, value: number, nowMs: number): void {
    const delta = value - alarm.threshold
    const step = alarm.policy.steps.find((s) => (s.lower ?? -Infinity) <= delta && (delta < (s.upper ?? Infinity) || (s.upper === 0 && delta === 0)))
    if (!step) return
    const p = alarm.policy
    const target = (from: number) => this.clamp(p.adjustmentType === 'ExactCapacity' ? step.adjustment : from + adjustment(p, step.adjustment, from))
    const goingOut = p.adjustmentType === 'ExactCapacity' ? step.adjustment > this.desired : step.adjustment > 0
    if (goingOut) {
      const cd = this.outCooldown.get(p.id)
      const base = cd && nowMs < cd.untilMs ? cd.base : this.desired
      const to = target(base)
      if (to <= this.desired) return
      this.record(nowMs, to, alarm, value)
      this.outCooldown.set(p.id, { untilMs: nowMs + p.cooldownSec * 1000, base })
      this.inCooldownUntilMs = -Infinity
      return
    }
    if (nowMs < this.inCooldownUntilMs) return
    if ([...this.outCooldown.values()].some((cd) => nowMs < cd.untilMs)) return
    const to = target(this.desired)
    if (to >= this.desired) return
    this.record(nowMs, to, alarm, value)
    this.inCooldownUntilMs = nowMs + p.cooldownSec * 1000
  }

  private record(atMs: number, to: number, alarm: ScalingAlarm, value: number): void {
    this.events.push({ atMs, from: this.desired, to, alarm: alarm.id, value })
    this.desired = to
  }

  private clamp(n: number): number {
    return Math.min(this.model.maxCapacity, Math.max(this.model.minCapacity, n))
  }
}

function breaches(alarm: ScalingAlarm, v: number): boolean {
  switch (alarm.comparison) {
    case 'GreaterThanOrEqualToThreshold': return v >= alarm.threshold
    case 'GreaterThanThreshold': return v > alarm.threshold
    case 'LessThanThreshold': return v < alarm.threshold
    case 'LessThanOrEqualToThreshold': return v <= alarm.threshold
  }
}

/** The change in capacity one step asks for, from `current`, as Application Auto Scaling rounds it. */
export function adjustment(p: StepPolicy, stepAdjustment: number, current: number): number {
  let n = stepAdjustment
  if (p.adjustmentType === 'PercentChangeInCapacity') {
    const raw = (current * stepAdjustment) / 100
    n = raw > 1 ? Math.floor(raw) : raw > 0 ? 1 : raw < -1 ? Math.ceil(raw) : raw < 0 ? -1 : 0
  }
  if (p.minAdjustmentMagnitude !== undefined && n !== 0 && Math.abs(n) < p.minAdjustmentMagnitude) n = Math.sign(n) * p.minAdjustmentMagnitude
  return n
}
