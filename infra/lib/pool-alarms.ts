import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as sns from 'aws-cdk-lib/aws-sns'
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions'
import { Construct } from 'constructs'
import type { EdgeFunction } from './edge-function.ts'
import type { PublicEntry } from './public-entry.ts'
import type { RunnerService } from './runner-service.ts'
import type { Settings } from './settings.ts'

export interface PoolAlarmsProps {
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  /** CloudFront publishes its metrics in us-east-1 only: give the entry only when the stack is there */
  readonly entry: PublicEntry | undefined
  readonly minRunners: number
  readonly thresholds: Settings['alarms']
}

const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST, LESS_THAN_THRESHOLD: BELOW } = cloudwatch.ComparisonOperator
const quiet = cloudwatch.TreatMissingData.NOT_BREACHING

/**
 * The alarms an operator needs, with their recoveries. Those that mean users are failing now go
 * to the paging topic when there is one; the rest (and all of them without one) go to `topic`.
 */
export class PoolAlarms extends Construct {
  /** tickets, and every alarm when there is no paging topic */
  readonly topic: sns.Topic
  /** @default none: crawlfleet:alarmPagingTopic or alarmPageEmail makes one */
  readonly pageTopic: sns.Topic | undefined
  readonly thresholds: Settings['alarms']
  readonly memoryPressure: cloudwatch.Alarm
  readonly refusals: cloudwatch.Alarm
  readonly crashes: cloudwatch.Alarm
  readonly permanentBrowserDown: cloudwatch.Alarm
  readonly heartbeatMissing: cloudwatch.Alarm
  readonly edgeErrors: cloudwatch.Alarm
  readonly edgeThrottles: cloudwatch.Alarm
  readonly noHealthyRunner: cloudwatch.Alarm
  /** only with minRunners ≥ 1 */
  readonly runningTasksBelowMin: cloudwatch.Alarm | undefined
  /** only in us-east-1, where CloudFront's metrics are */
  readonly cloudFront5xx: cloudwatch.Alarm | undefined

  constructor(scope: Construct, id: string, props: PoolAlarmsProps) {
    super(scope, id)
    const { runners, edge, thresholds: t } = props
    this.thresholds = t
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'crawlfleet alarms', enforceSSL: true })
    if (t.email) this.topic.addSubscription(new subscriptions.EmailSubscription(t.email))
    this.pageTopic = t.pagingTopic ? new sns.Topic(this, 'PageTopic', { displayName: 'crawlfleet pages', enforceSSL: true }) : undefined
    if (this.pageTopic && t.pageEmail) this.pageTopic.addSubscription(new subscriptions.EmailSubscription(t.pageEmail))
    const minute = Duration.minutes(1)
    const fiveMinutes = Duration.minutes(5)
    const alarm = (id: string, urgency: 'page' | 'ticket', p: cloudwatch.AlarmProps) => {
      const a = new cloudwatch.Alarm(this, id, p)
      const topic = urgency === 'page' ? (this.pageTopic ?? this.topic) : this.topic
      a.addAlarmAction(new actions.SnsAction(topic))
      a.addOkAction(new actions.SnsAction(topic))
      return a
    }

    this.memoryPressure = alarm('MemoryPressure', 'ticket', {
      alarmDescription: `A runner's working set reached ${t.memoryPct} % of its limit in 3 of 5 minutes: it is evicting and refusing; scaling has not caught up.`,
      metric: runners.metricMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: t.memoryPct,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: quiet,
    })
    this.refusals = alarm('Refusals', 'ticket', {
      alarmDescription: 'Runners refused requests (429/503) in every minute for 5 minutes: the fleet is too small or maxRunners is reached.',
      metric: runners.metricRefusals({ period: minute }),
      threshold: t.refusalsPerMin,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: quiet,
    })
    this.crashes = alarm('Crashes', 'ticket', {
      alarmDescription: `${t.crashesPer5Min} or more browsers crashed in 5 minutes.`,
      metric: runners.metricCrashes({ period: fiveMinutes }),
      threshold: t.crashesPer5Min,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    })
    this.permanentBrowserDown = alarm('PermanentBrowserDown', 'ticket', {
      alarmDescription: 'A runner has had no permanent browser for 3 minutes: default-signature requests there fail.',
      metric: runners.metricPermanentBrowsers({ period: minute, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: 1,
      comparisonOperator: BELOW,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // silence is HeartbeatMissing's job
      treatMissingData: quiet,
    })
    this.heartbeatMissing = alarm('HeartbeatMissing', 'page', this.heartbeatProps(runners, props.minRunners))
    this.edgeErrors = alarm('EdgeErrors', 'page', {
      alarmDescription: `${t.edgeErrorsPer5Min} or more edge errors (failed invocations plus answered 500s) in 5 minutes.`,
      metric: edge.metricErrors(fiveMinutes),
      threshold: t.edgeErrorsPer5Min,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    })
    this.edgeThrottles = alarm('EdgeThrottles', 'page', {
      alarmDescription: `Lambda throttled the edge ${t.edgeThrottlesPer5Min} or more times in 5 minutes: callers got errors from the function URL (account or reserved concurrency reached).`,
      metric: edge.fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }),
      threshold: t.edgeThrottlesPer5Min,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    })
    this.noHealthyRunner = alarm('NoHealthyRunner', 'page', {
      alarmDescription: 'The edge found no runner able to take a request (none registered, or all refused or unreachable) in 2 consecutive minutes.',
      metric: edge.metricNoHealthyRunner({ period: minute }),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: quiet,
    })
    this.runningTasksBelowMin =
      props.minRunners >= 1
        ? alarm('RunningTasksBelowMin', 'page', {
            alarmDescription: `Fewer than minRunners (${props.minRunners}) runner tasks RUNNING for 5 minutes: tasks fail to start or keep stopping (see the service's events).`,
            metric: runners.metricRunningTasks({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
            threshold: props.minRunners,
            comparisonOperator: BELOW,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            // Container Insights reports every minute while the service exists; a gap is HeartbeatMissing's to report
            treatMissingData: quiet,
          })
        : undefined
    this.cloudFront5xx = props.entry
      ? alarm('CloudFront5xx', 'page', {
          alarmDescription: `${t.cloudFront5xxPct} % or more of CloudFront's responses were 5xx in 3 of 5 minutes (runner 503s, edge 504s, origin failures).`,
          metric: props.entry.metric5xxErrorRate({ period: minute }),
          threshold: t.cloudFront5xxPct,
          comparisonOperator: AT_LEAST,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          treatMissingData: quiet,
        })
      : undefined
  }

  /**
   * With minRunners ≥ 1 silence itself is the alarm. With minRunners 0 the fleet may rightly be
   * empty and silent, so the alarm is "tasks are running and none of them reports".
   */
  private heartbeatProps(runners: RunnerService, minRunners: number): cloudwatch.AlarmProps {
    const minute = Duration.minutes(1)
    const heartbeat = runners.metricHeartbeat({ period: minute, statistic: cloudwatch.Stats.SUM })
    const common = { threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 3 }
    if (minRunners >= 1) {
      return {
        ...common,
        alarmDescription: 'No runner has published for 3 minutes: the fleet is down or cannot reach CloudWatch.',
        metric: heartbeat,
        comparisonOperator: BELOW,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }
    }
    return {
      ...common,
      alarmDescription: 'Runner tasks have been RUNNING for 3 minutes and none of them published: they are stuck or cannot reach CloudWatch.',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(FILL(tasks, 0) > 0 AND FILL(heartbeat, 0) < 1, 1, 0)',
        usingMetrics: { tasks: runners.metricRunningTasks({ period: minute, statistic: cloudwatch.Stats.MINIMUM }), heartbeat },
        label: 'running tasks, no heartbeat',
        period: minute,
      }),
      comparisonOperator: AT_LEAST,
      treatMissingData: quiet,
    }
  }

  get all(): cloudwatch.Alarm[] {
    return [
      this.memoryPressure,
      this.refusals,
      this.crashes,
      this.permanentBrowserDown,
      this.heartbeatMissing,
      this.edgeErrors,
      this.edgeThrottles,
      this.noHealthyRunner,
      ...(this.runningTasksBelowMin ? [this.runningTasksBelowMin] : []),
      ...(this.cloudFront5xx ? [this.cloudFront5xx] : []),
    ]
  }
}
