import { describe, expect, it } from 'vitest'
// The alarms must watch exactly what the runners and the edge publish, so the names, the namespace
// and the dimension come from the same modules the publishers use, never from string literals here.
import { EDGE_METRIC, METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { stack, template } = buildStack({ context: { alarmEmail: 'ops@example.com' } })
const alarm = (a: Parameters<typeof idOf>[0]) => propsOf(template, idOf(a))
const fleet = [{ Name: SERVICE_DIMENSION, Value: stack.runners.metricsService }]
// the edge publishes under the stack's name too (CRAWLFLEET_METRICS_SERVICE), never a fixed value two stacks would share
const edge = [{ Name: SERVICE_DIMENSION, Value: 'Crawlfleet' }]
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

  it('heartbeat missing with minRunners 0: silence is normal, so it fires only while tasks run and none reports', () => {
    const t = buildStack({ context: { minRunners: 0 } })
    const a = propsOf(t.template, idOf(t.stack.alarms.heartbeatMissing))
    expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching' })
    const entries = a.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: Record<string, unknown> } }[]
    expect(entries.find((m) => m.Expression)?.Expression).toBe('IF(FILL(tasks, 0) > 0 AND FILL(heartbeat, 0) < 1, 1, 0)')
    expect(entries.find((m) => m.Id === 'heartbeat')?.MetricStat?.Metric).toMatchObject({ Namespace: METRIC_NAMESPACE, MetricName: METRIC.heartbeat.cw })
    expect(entries.find((m) => m.Id === 'tasks')?.MetricStat?.Metric).toMatchObject({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' })
    // and no "below the minimum" alarm: a minimum of 0 cannot be undercut
    expect(t.stack.alarms.runningTasksBelowMin).toBeUndefined()
  })

  it('running tasks below the minimum: Container Insights RunningTaskCount under minRunners for 5 minutes', () => {
    const dims = [
      { Name: 'ClusterName', Value: { Ref: idOf(stack.runners.cluster) } },
      { Name: 'ServiceName', Value: { 'Fn::GetAtt': [idOf(stack.runners.service), 'Name'] } },
    ]
    expect(alarm(stack.alarms.runningTasksBelowMin!)).toMatchObject({
      Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: dims, Statistic: 'Maximum', Period: 60,
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 5,
    })
    const t = buildStack({ context: { minRunners: 3 } })
    expect(propsOf(t.template, idOf(t.stack.alarms.runningTasksBelowMin!)).Threshold).toBe(3)
  })

  it('edge throttles: Lambda Throttles ≥ 1 in 5 minutes', () => {
    expect(alarm(stack.alarms.edgeThrottles)).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: idOf(stack.edge.fn) } }],
      Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('CloudFront 5xx: 5xxErrorRate ≥ 5 % in 3 of 5 minutes, in us-east-1 where CloudFront publishes it; none elsewhere', () => {
    expect(alarm(stack.alarms.cloudFront5xx!)).toMatchObject({
      Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate',
      Dimensions: [{ Name: 'DistributionId', Value: { Ref: idOf(stack.entry.distribution) } }, { Name: 'Region', Value: 'Global' }],
      Statistic: 'Average', Period: 60, Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 5, DatapointsToAlarm: 3,
    })
    const elsewhere = buildStack({ region: 'eu-west-1', context: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' } })
    expect(elsewhere.stack.alarms.cloudFront5xx).toBeUndefined()
    elsewhere.template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/CloudFront' }, 0)
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
    expect(stack.alarms.all).toHaveLength(10)
    for (const a of stack.alarms.all) expect(alarm(a)).toMatchObject({ AlarmActions: [topic], OKActions: [topic] })
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic })
    template.resourceCountIs('AWS::SNS::Topic', 1)
    const policy = JSON.stringify(Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties)
    expect(policy).toContain('aws:SecureTransport')
  })

  it('with a paging topic: users-failing-now alarms page, the rest stay tickets', () => {
    const t = buildStack({ context: { alarmEmail: 'ops@example.com', alarmPageEmail: 'oncall@example.com' } })
    const a = t.stack.alarms
    const tickets = { Ref: idOf(a.topic) }
    const pages = { Ref: idOf(a.pageTopic!) }
    const paging = [a.heartbeatMissing, a.noHealthyRunner, a.edgeErrors, a.edgeThrottles, a.runningTasksBelowMin!, a.cloudFront5xx!]
    for (const x of paging) expect(propsOf(t.template, idOf(x)), x.node.id).toMatchObject({ AlarmActions: [pages], OKActions: [pages] })
    for (const x of [a.memoryPressure, a.refusals, a.crashes, a.permanentBrowserDown]) expect(propsOf(t.template, idOf(x)), x.node.id).toMatchObject({ AlarmActions: [tickets], OKActions: [tickets] })
    t.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: pages })
    t.template.hasOutput('PageTopicArn', { Value: pages })
    for (const policy of Object.values(t.template.findResources('AWS::SNS::TopicPolicy'))) expect(JSON.stringify(policy.Properties)).toContain('aws:SecureTransport')
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
