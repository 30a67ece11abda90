// Reads the runner fleet's scaling out of a synthesised CloudFormation template: the scalable
// target's bounds, every step scaling policy, and every alarm whose action is one of them, with
// its metrics and metric math. Nothing here restates a threshold or a step: change the stack and
// the simulation plays the change.
import { parse } from './metric-math.ts'

type Resource = { Type: string; Properties: Record<string, any> }
export type Template = { Resources: Record<string, Resource> }

export interface MetricRef {
  readonly namespace: string
  readonly metricName: string
  readonly dimensions: Readonly<Record<string, string>>
  readonly stat: string
  readonly periodSec: number
}

export interface AlarmSeries {
  readonly id: string
  readonly returnData: boolean
  readonly metric?: MetricRef
  readonly expression?: ReturnType<typeof parse>
  readonly expressionText?: string
}

export interface StepPolicy {
  readonly id: string
  readonly adjustmentType: 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity'
  readonly cooldownSec: number
  readonly minAdjustmentMagnitude: number | undefined
  readonly steps: readonly { readonly lower?: number; readonly upper?: number; readonly adjustment: number }[]
}

export interface ScalingAlarm {
  readonly id: string
  readonly series: readonly AlarmSeries[]
  readonly threshold: number
  readonly comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold'
  readonly evaluationPeriods: number
  readonly datapointsToAlarm: number
  readonly treatMissingData: 'breaching' | 'notBreaching' | 'ignore' | 'missing'
  readonly policy: StepPolicy
}

export interface ScalingModel {
  readonly minCapacity: number
  readonly maxCapacity: number
  readonly alarms: readonly ScalingAlarm[]
}

function literal(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a literal in the template (${JSON.stringify(v)}): the simulation cannot resolve it`)
  return v
}

function metricRef(m: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] }, stat: string, period: number): MetricRef {
  const dimensions = Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, literal(d.Value, `dimension ${d.Name} of ${m.MetricName}`)]))
  return { namespace: m.Namespace, metricName: m.MetricName, dimensions, stat, periodSec: period }
}

export function readScalingModel(template: Template): ScalingModel {
  const resources = Object.entries(template.Resources)
  const targets = resources.filter(([, r]) => r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget')
  if (targets.length !== 1) throw new Error(`expected one scalable target, found ${targets.length}`)
  const [, target] = targets[0]!
  const policies = new Map<string, StepPolicy>()
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::ApplicationAutoScaling::ScalingPolicy') continue
    if (r.Properties.PolicyType !== 'StepScaling') throw new Error(`policy ${id} is ${r.Properties.PolicyType}: only step scaling is modelled`)
    const c = r.Properties.StepScalingPolicyConfiguration
    policies.set(id, {
      id,
      adjustmentType: c.AdjustmentType,
      cooldownSec: c.Cooldown ?? 300,
      minAdjustmentMagnitude: c.MinAdjustmentMagnitude,
      steps: (c.StepAdjustments as { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }[]).map((s) => ({
        lower: s.MetricIntervalLowerBound,
        upper: s.MetricIntervalUpperBound,
        adjustment: s.ScalingAdjustment,
      })),
    })
  }
  const alarms: ScalingAlarm[] = []
  for (const [id, r] of resources) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue
    const p = r.Properties
    const actions = ((p.AlarmActions ?? []) as { Ref?: string }[]).map((a) => a.Ref).filter((ref): ref is string => ref !== undefined && policies.has(ref))
    if (actions.length === 0) continue
    if (actions.length > 1) throw new Error(`alarm ${id} triggers ${actions.length} policies`)
    const series: AlarmSeries[] = p.Metrics
      ? (p.Metrics as { Id: string; ReturnData?: boolean; Expression?: string; MetricStat?: { Metric: any; Stat: string; Period: number } }[]).map((m) => ({
          id: m.Id,
          returnData: m.ReturnData !== false,
          metric: m.MetricStat ? metricRef(m.MetricStat.Metric, m.MetricStat.Stat, m.MetricStat.Period) : undefined,
          expression: m.Expression ? parse(m.Expression) : undefined,
          expressionText: m.Expression,
        }))
      : [{ id: 'm', returnData: true, metric: metricRef(p as { Namespace: string; MetricName: string }, p.Statistic, p.Period) }]
    if (series.filter((s) => s.returnData).length !== 1) throw new Error(`alarm ${id} must return exactly one series`)
    alarms.push({
      id,
      series,
      threshold: p.Threshold,
      comparison: p.ComparisonOperator,
      evaluationPeriods: p.EvaluationPeriods,
      datapointsToAlarm: p.DatapointsToAlarm ?? p.EvaluationPeriods,
      treatMissingData: p.TreatMissingData ?? 'missing',
      policy: policies.get(actions[0]!)!,
    })
  }
  const unused = [...policies.keys()].filter((pid) => !alarms.some((a) => a.policy.id === pid))
  if (unused.length > 0) throw new Error(`policies no alarm triggers: ${unused.join(', ')}`)
  return { minCapacity: target.Properties.MinCapacity, maxCapacity: target.Properties.MaxCapacity, alarms }
}
