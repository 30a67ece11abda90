import { describe, expect, it } from 'vitest'
// The alarms must watch exactly what the runners and the edge publish, so the names, the namespace
// and the dimension come from the same modules the publishers use, never from string literals here.
import { EDGE_SERVICE } from '../../runner/contract/metric-names.ts'
import { EDGE_METRIC, METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack({ context: { alarmEmail: 'ops@example.com' } })
const alarm = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))
const fleet = [{ Name: SERVICE_DIMENSION, Value: stack.runners.metricsService }]
const edge = [{ Name: SERVICE_DIMENSION, Value: EDGE_SERVICE }]
const topic = { Ref: idOf(stack.alarms.topic) }

describe('PoolAlarms', () => {
  it('memory pressure: Maximum ≥ 85 % in 3 of 5 one-minute periods', () => {
    expect(alarm(stack.alarms.memoryPressure)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: METRIC.memoryPressurePct.cw, Dimensions: fleet,
      Statistic: 'Maximum', Period: 60, Threshold: 85, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3,
    })
  })

  it('refusals: at least one in every minute for 5 minutes (the total, not a per-reason series)', () => {
    expect(alarm(stack.alarms.refusals)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: METRIC.refusals.cw, Dimensions: fleet,
      Statistic: 'Sum', Period: 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5,
    })
  })

  it('browser crashes: 5 or more in 5 minutes', () => {
    expect(alarm(stack.alarms.crashes)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: METRIC.crashes.cw, Dimensions: fleet, Statistic: 'Sum', Period: 300, Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('permanent browser down: BrowsersPermanent Minimum < 1', () => {
    expect(alarm(stack.alarms.permanentBrowserDown)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: METRIC.browsersPermanent.cw, Dimensions: fleet, Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold',
    })
  })

  it('heartbeat missing: missing data breaches', () => {
    expect(alarm(stack.alarms.heartbeatMissing)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: METRIC.heartbeat.cw, Dimensions: fleet, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching',
    })
  })

  it('no healthy runner: the edge’s own metric', () => {
    expect(alarm(stack.alarms.noHealthyRunner)).toMatchObject({
      Namespace: METRIC_NAMESPACE, MetricName: EDGE_METRIC.noHealthyRunner, Dimensions: edge, Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('edge errors: failed Lambda invocations plus the edge’s answered 500s', () => {
    const a = alarm(stack.alarms.edgeErrors)
    expect(a).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })
    const metrics = (a.Metrics as { MetricStat?: { Metric: Record<string, unknown> } }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))
    expect(metrics).toEqual([
      { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(stack.edge.fn) } }] },
      { Namespace: METRIC_NAMESPACE, MetricName: EDGE_METRIC.edgeErrors, Dimensions: edge },
    ])
  })

  it('every alarm notifies the topic on alarm and on recovery; the topic takes TLS only and mails the operator', () => {
    for (const a of stack.alarms.all) expect(alarm(a)).toMatchObject({ AlarmActions: [topic], OKActions: [topic] })
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic })
    const policy = JSON.stringify(Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties)
    expect(policy).toContain('aws:SecureTransport')
  })

  it('watches no Crawlfleet metric that nobody publishes (scaling alarms included)', () => {
    const published = new Set<string>([...Object.values(METRIC).map((m) => m.cw), ...Object.values(EDGE_METRIC)])
    const watched = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .flatMap((r) => [r.Properties, ...((r.Properties.Metrics ?? []) as { MetricStat?: { Metric: Record<string, string> } }[]).map((m) => m.MetricStat?.Metric ?? {})])
      .filter((m) => m.Namespace === METRIC_NAMESPACE)
    expect(watched.length).toBeGreaterThanOrEqual(10)
    for (const m of watched) expect(published).toContain(m.MetricName)
  })

  it('follows the thresholds in context', () => {
    const t = buildStack({ context: { alarmMemoryPct: 90, alarmCrashesPer5Min: 2 } })
    expect(propsOf(t.template, idOf(t.stack.alarms.memoryPressure)).Threshold).toBe(90)
    expect(propsOf(t.template, idOf(t.stack.alarms.crashes)).Threshold).toBe(2)
  })
})

describe('Dashboard', () => {
  it('graphs the pool metrics across the fleet and shows the alarms', () => {
    const body = JSON.stringify(propsOf(template, idOf(stack.dashboard.dashboard)).DashboardBody)
    for (const m of Object.values(METRIC)) expect(body, m.cw).toContain(`\\"${m.cw}\\"`)
    expect(body).toContain(`\\"${METRIC_NAMESPACE}\\"`)
    for (const a of stack.alarms.all) expect(body).toContain(idOf(a))
  })
})
