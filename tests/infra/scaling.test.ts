import { describe, expect, it } from 'vitest'
// The scaling alarms must watch what the runners and the edge publish: names, namespace and dimension come from the shared contract.
import { EDGE_METRIC, METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack()
const fleet = [{ Name: SERVICE_DIMENSION, Value: 'Crawlfleet' }]
type MetricEntry = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Stat: string; Period: number } }
const alarmOf = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))
const policyOf = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))
const entries = (a: Parameters<typeof idOf>[0]) => alarmOf(a).Metrics as MetricEntry[]
const returned = (a: Parameters<typeof idOf>[0]) => entries(a).filter((m) => m.ReturnData !== false)

describe('FleetScaling: one policy on one signal, both ways', () => {
  it('has exactly two step policies (out and in) and no target tracking, so nothing else moves the count', () => {
    const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((r) => r.Properties)
    expect(policies.map((p) => p.PolicyType)).toEqual(['StepScaling', 'StepScaling'])
    const policyIds = new Set(Object.keys(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')))
    const scalingAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      ((a.Properties.AlarmActions ?? []) as { Ref?: string }[]).some((action) => policyIds.has(action.Ref ?? '')),
    )
    expect(scalingAlarms).toHaveLength(2)
  })

  it('pressure: the largest of the signals, each as % of its mark, from the fleet averages and the edge', () => {
    const out = entries(stack.scaling.scaleOutAlarm)
    expect(returned(stack.scaling.scaleOutAlarm)).toEqual([expect.objectContaining({ Expression: 'MAX([load, wait, memory, placement])' })])
    const stat = (name: string) => out.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat
    expect(stat(METRIC.slotLoadPct.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.slotLoadPct.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    expect(stat(METRIC.queueWaitMs.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.queueWaitMs.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    expect(stat(METRIC.memoryPressurePct.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.memoryPressurePct.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    // the edge's metric, under the stack's Service: with no runner at all it is the only signal
    expect(stat(EDGE_METRIC.noHealthyRunner)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: EDGE_METRIC.noHealthyRunner, Dimensions: fleet }, Stat: 'Sum', Period: 60 })
    expect(Object.fromEntries(out.filter((m) => m.Expression && m.ReturnData === false).map((m) => [m.Id, m.Expression]))).toEqual({
      load: '100 * FILL(slotLoad, 0) / 80',
      wait: '100 * FILL(queueWait, 0) / 2000',
      memory: '100 * FILL(memoryUsed, 0) / 70',
      placement: 'IF(FILL(noRunner, 0) > 0, 100, 0)',
    })
  })

  it('scale-in watches the same pressure, projected onto one runner fewer; the last runner goes only after minutes without a request', () => {
    const inn = entries(stack.scaling.scaleInAlarm)
    // the scale-out alarm's signals are in the scale-in alarm unchanged, and its value is the one projected
    for (const e of entries(stack.scaling.scaleOutAlarm).filter((m) => m.ReturnData === false)) expect(inn).toContainEqual(e)
    expect(inn.find((m) => m.Id === 'pressure')?.Expression).toBe(returned(stack.scaling.scaleOutAlarm)[0]!.Expression)
    expect(returned(stack.scaling.scaleInAlarm)).toEqual([
      expect.objectContaining({ Expression: 'IF(FILL(runners, 0) > 1, pressure * runners / (runners - 1), IF(FILL(requests, 0) > 0, 1000, pressure))' }),
    ])
    const stat = (id: string) => inn.find((m) => m.Id === id)?.MetricStat
    expect(stat('runners')).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.heartbeat.cw, Dimensions: fleet }, Stat: 'Sum', Period: 60 })
    expect(stat('requests')).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.requestLatency.cw, Dimensions: fleet }, Stat: 'SampleCount', Period: 60 })
  })

  it('stays within what CloudWatch takes in one alarm: at most 10 metrics and 10 expressions', () => {
    for (const a of [stack.scaling.scaleOutAlarm, stack.scaling.scaleInAlarm]) {
      expect(entries(a).filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10)
      expect(entries(a).filter((m) => m.Expression).length).toBeLessThanOrEqual(10)
    }
  })

  it('scales out after 2 minutes at pressure 100, by more runners the higher it is, then waits 5 minutes for them to count', () => {
    expect(alarmOf(stack.scaling.scaleOutAlarm)).toMatchObject({
      Threshold: 100, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: idOf(stack.scaling.scaleOut) }],
    })
    expect(policyOf(stack.scaling.scaleOut).StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: 300,
      MetricAggregationType: 'Maximum',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 50, MetricIntervalUpperBound: 200, ScalingAdjustment: 2 },
        { MetricIntervalLowerBound: 200, MetricIntervalUpperBound: 500, ScalingAdjustment: 4 },
        { MetricIntervalLowerBound: 500, ScalingAdjustment: 8 },
      ],
    })
  })

  it('scales in by one runner after 10 minutes at or below 60 % with one runner fewer, then waits 5 minutes', () => {
    expect(alarmOf(stack.scaling.scaleInAlarm)).toMatchObject({
      Threshold: 60, ComparisonOperator: 'LessThanOrEqualToThreshold', EvaluationPeriods: 10, DatapointsToAlarm: 10, TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: idOf(stack.scaling.scaleIn) }],
    })
    expect(policyOf(stack.scaling.scaleIn).StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: 300,
      MetricAggregationType: 'Maximum',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    })
  })

  it('follows the marks, the minutes and the cooldowns in context', () => {
    const t = buildStack({
      context: { scaleOutSlotLoadPct: 90, scaleOutQueueWaitMs: 1500, scaleOutMemoryPct: 60, scaleInPct: 50, scaleInAfterMin: 15, scaleOutAfterMin: 1, scaleOutCooldownSec: 120, scaleInCooldownSec: 600 },
    })
    const metrics = propsOf(t.template, idOf(t.stack.scaling.scaleOutAlarm)).Metrics as MetricEntry[]
    expect(metrics.map((m) => m.Expression)).toEqual(expect.arrayContaining(['100 * FILL(slotLoad, 0) / 90', '100 * FILL(queueWait, 0) / 1500', '100 * FILL(memoryUsed, 0) / 60']))
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleOutAlarm))).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 })
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleInAlarm))).toMatchObject({ Threshold: 50, EvaluationPeriods: 15, DatapointsToAlarm: 15 })
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleOut)).StepScalingPolicyConfiguration.Cooldown).toBe(120)
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleIn)).StepScalingPolicyConfiguration.Cooldown).toBe(600)
  })
})
