import { describe, expect, it } from 'vitest'
// The parts of bench/scaling-sim.ts whose mistakes would make its verdict meaningless: the metric
// math, the way CloudWatch alarms and Application Auto Scaling act, and reading the template.
import { adjustment, Autoscaler } from '../../../bench/scaling/autoscaler.ts'
import { evaluate, parse } from '../../../bench/scaling/metric-math.ts'
import type { MetricRef, ScalingAlarm, ScalingModel, StepPolicy } from '../../../bench/scaling/policy-from-template.ts'

const math = (text: string, values: Record<string, number | undefined> = {}) => evaluate(parse(text), (id) => values[id])

describe('metric math', () => {
  it('computes what the scaling alarms use, with missing data spreading unless filled', () => {
    expect(math('MAX([100 * FILL(a, 0) / 80, FILL(b, 0), IF(FILL(n, 0) > 0, 100, 0)])', { a: 40 })).toBe(50)
    expect(math('IF(FILL(n, 0) > 0, 100, 0)', { n: 2 })).toBe(100)
    expect(math('IF(FILL(r, 0) > 1, p * r / (r - 1), 7)', { r: 4, p: 60 })).toBe(80)
    expect(math('IF(FILL(r, 0) > 1, p * r / (r - 1), 7)', { p: 60 })).toBe(7)
    expect(math('IF(t > 0 AND h < 1, 1, 0)', { t: 2, h: 0 })).toBe(1)
    expect(math('a + b', { a: 1 })).toBeUndefined()
    expect(math('MAX([a, b])', {})).toBeUndefined()
    expect(math('1 - -2 * 3')).toBe(7)
  })

  it('refuses what it does not model rather than guess', () => {
    expect(() => math('RATE(a)', { a: 1 })).toThrow(/RATE is not modelled/)
    expect(() => parse('a +')).toThrow(/metric math/)
  })
})

const policy = (o: Partial<StepPolicy>): StepPolicy => ({ id: 'p', adjustmentType: 'ChangeInCapacity', cooldownSec: 300, minAdjustmentMagnitude: undefined, steps: [], ...o })

describe('Application Auto Scaling adjustments', () => {
  it('rounds percentages as AWS documents, then applies MinAdjustmentMagnitude', () => {
    const pct = policy({ adjustmentType: 'PercentChangeInCapacity' })
    expect(adjustment(pct, 25, 10)).toBe(2)
    expect(adjustment(pct, 25, 2)).toBe(1)
    expect(adjustment(pct, -25, 2)).toBe(-1)
    expect(adjustment(pct, -25, 10)).toBe(-2)
    expect(adjustment({ ...pct, minAdjustmentMagnitude: 2 }, 25, 4)).toBe(2)
    expect(adjustment(policy({}), 3, 10)).toBe(3)
  })
})

/** A fleet whose metric is whatever the test says, per minute. */
function scaler(values: Record<number, number>, o: { out?: Partial<ScalingAlarm>; inn?: Partial<ScalingAlarm> } = {}) {
  const ref: MetricRef = { namespace: 'N', metricName: 'M', dimensions: {}, stat: 'Average', periodSec: 60 }
  const series = [{ id: 'm', returnData: true, metric: ref }]
  const out: ScalingAlarm = {
    id: 'out', series, threshold: 100, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'notBreaching',
    policy: policy({ id: 'out', steps: [{ lower: 0, upper: 100, adjustment: 1 }, { lower: 100, adjustment: 4 }] }),
    ...o.out,
  }
  const inn: ScalingAlarm = {
    id: 'in', series, threshold: 40, comparison: 'LessThanOrEqualToThreshold', evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'notBreaching',
    policy: policy({ id: 'in', steps: [{ upper: 0, adjustment: -1 }] }),
    ...o.inn,
  }
  const model: ScalingModel = { minCapacity: 1, maxCapacity: 20, alarms: [out, inn] }
  return new Autoscaler(model, { datapoint: (_ref, minute) => values[minute] }, 5)
}

describe('alarms and step policies', () => {
  it('picks the step by how far over the threshold the value is', () => {
    const s = scaler({ 0: 150 })
    s.tick(60_000, 0)
    expect(s.desired).toBe(6)
    const big = scaler({ 0: 250 })
    big.tick(60_000, 0)
    expect(big.desired).toBe(9)
  })

  it('during a scale-out cooldown adds only what a larger step asks beyond the first, counted from before it', () => {
    const s = scaler({ 0: 150, 1: 150, 2: 250 })
    s.tick(60_000, 0)
    s.tick(120_000, 1)
    expect(s.desired).toBe(6)
    s.tick(180_000, 2)
    expect(s.desired).toBe(9)
    expect(s.events.map((e) => [e.from, e.to])).toEqual([[5, 6], [6, 9]])
  })

  it('scales in only after every datapoint of the window breaches, once per cooldown, and never below the minimum', () => {
    const low = Object.fromEntries(Array.from({ length: 40 }, (_, m) => [m, 10]))
    const s = scaler(low)
    s.tick(60_000, 0)
    s.tick(120_000, 1)
    expect(s.desired).toBe(5)
    s.tick(180_000, 2)
    expect(s.desired).toBe(4)
    for (let m = 3; m < 7; m++) s.tick((m + 1) * 60_000, m)
    expect(s.desired).toBe(4)
    for (let m = 7; m < 40; m++) s.tick((m + 1) * 60_000, m)
    expect(s.desired).toBe(1)
  })

  it('treats missing data as the alarm says: not breaching here, so silence scales nothing', () => {
    const s = scaler({})
    for (let m = 0; m < 10; m++) s.tick((m + 1) * 60_000, m)
    expect(s.events).toEqual([])
  })
})
