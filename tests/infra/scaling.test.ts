import { describe, expect, it } from 'vitest'
// The scaling alarms must watch what the runners and the edge publish: names, namespace and dimension come from the shared contract.
import { EDGE_METRIC, METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack()
const fleet = [{ Name: SERVICE_DIMENSION, Value: 'Crawlfleet' }]
type MetricEntry = { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown }; Stat: string; Period: number } }
const alarmOf = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))
const policyOf = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))

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

  it('scales out and in on the same pressure expression: the largest of the signals, each as % of its mark', () => {
    const out = alarmOf(stack.scaling.scaleOutAlarm).Metrics as MetricEntry[]
    const inn = alarmOf(stack.scaling.scaleInAlarm).Metrics as MetricEntry[]
    expect(inn).toEqual(out)
    const returned = out.filter((m) => m.ReturnData !== false)
    expect(returned).toEqual([expect.objectContaining({ Expression: 'MAX([load, wait, memory, placement])' })])
    const stat = (name: string) => out.find((m) => m.MetricStat?.Metric.MetricName === name)?.MetricStat
    expect(stat(METRIC.slotLoadPct.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.slotLoadPct.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    expect(stat(METRIC.queueWaitMs.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.queueWaitMs.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    expect(stat(METRIC.memoryPressurePct.cw)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.memoryPressurePct.cw, Dimensions: fleet }, Stat: 'Average', Period: 60 })
    // the edge's metric, under the stack's Service: with no runner at all it is the only signal
    expect(stat(EDGE_METRIC.noHealthyRunner)).toEqual({ Metric: { Namespace: METRIC_NAMESPACE, MetricName: EDGE_METRIC.noHealthyRunner, Dimensions: fleet }, Stat: 'Sum', Period: 60 })
    const expressions = Object.fromEntries(out.filter((m) => m.Expression).map((m) => [m.Id, m.Expression]))
    expect(expressions).toMatchObject({
      load: '100 * FILL(slotLoad, 0) / 80',
      wait: '100 * FILL(queueWait, 0) / 2000',
      memory: '100 * FILL(memoryUsed, 0) / 70',
      placement: 'IF(FILL(noRunner, 0) > 0, 100, 0)',
    })
  })

  it('scales out at pressure 100 on one minute, in proportion to the fleet (at least one runner), with a 60 s cooldown', () => {
    expect(alarmOf(stack.scaling.scaleOutAlarm)).toMatchObject({
      Threshold: 100, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: idOf(stack.scaling.scaleOut) }],
    })
    expect(policyOf(stack.scaling.scaleOut).StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'PercentChangeInCapacity',
      MinAdjustmentMagnitude: 1,
      Cooldown: 60,
      MetricAggregationType: 'Maximum',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 20 },
        { MetricIntervalLowerBound: 50, MetricIntervalUpperBound: 150, ScalingAdjustment: 50 },
        { MetricIntervalLowerBound: 150, ScalingAdjustment: 100 },
      ],
    })
  })

  it('scales in by one runner only after every signal stayed at or below 40 % of its mark for 10 minutes, then waits 5 minutes', () => {
    expect(alarmOf(stack.scaling.scaleInAlarm)).toMatchObject({
      Threshold: 40, ComparisonOperator: 'LessThanOrEqualToThreshold', EvaluationPeriods: 10, DatapointsToAlarm: 10, TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: idOf(stack.scaling.scaleIn) }],
    })
    expect(policyOf(stack.scaling.scaleIn).StepScalingPolicyConfiguration).toEqual({
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: 300,
      MetricAggregationType: 'Maximum',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }],
    })
  })

  it('follows the marks, the quiet time and the cooldowns in context', () => {
    const t = buildStack({ context: { scaleOutSlotLoadPct: 90, scaleOutQueueWaitMs: 1500, scaleOutMemoryPct: 60, scaleInPct: 30, scaleInAfterMin: 15, scaleOutCooldownSec: 120, scaleInCooldownSec: 600 } })
    const metrics = propsOf(t.template, idOf(t.stack.scaling.scaleOutAlarm)).Metrics as MetricEntry[]
    const expressions = metrics.map((m) => m.Expression)
    expect(expressions).toEqual(expect.arrayContaining(['100 * FILL(slotLoad, 0) / 90', '100 * FILL(queueWait, 0) / 1500', '100 * FILL(memoryUsed, 0) / 60']))
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleInAlarm))).toMatchObject({ Threshold: 30, EvaluationPeriods: 15, DatapointsToAlarm: 15 })
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleOut)).StepScalingPolicyConfiguration.Cooldown).toBe(120)
    expect(propsOf(t.template, idOf(t.stack.scaling.scaleIn)).StepScalingPolicyConfiguration.Cooldown).toBe(600)
  })
})
