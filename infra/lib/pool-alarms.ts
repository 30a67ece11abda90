import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as sns from 'aws-cdk-lib/aws-sns'
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions'
import { Construct } from 'constructs'
import type { EdgeFunction } from './edge-function.ts'
import type { RunnerService } from './runner-service.ts'
import type { Settings } from './settings.ts'

export interface PoolAlarmsProps {
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  readonly thresholds: Settings['alarms']
}

const { GREATER_THAN_OR_EQUAL_TO_THRESHOLD: AT_LEAST, LESS_THAN_THRESHOLD: BELOW } = cloudwatch.ComparisonOperator

/** The alarms an operator is paged for, all to one SNS topic (alarm and recovery). */
export class PoolAlarms extends Construct {
  readonly topic: sns.Topic
  readonly thresholds: Settings['alarms']
  readonly memoryPressure: cloudwatch.Alarm
  readonly refusals: cloudwatch.Alarm
  readonly crashes: cloudwatch.Alarm
  readonly permanentBrowserDown: cloudwatch.Alarm
  readonly heartbeatMissing: cloudwatch.Alarm
  readonly edgeErrors: cloudwatch.Alarm
  readonly noHealthyRunner: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: PoolAlarmsProps) {
    super(scope, id)
    const { runners, edge, thresholds: t } = props
    this.thresholds = t
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'crawlfleet alarms', enforceSSL: true })
    if (t.email) this.topic.addSubscription(new subscriptions.EmailSubscription(t.email))
    const minute = Duration.minutes(1)
    const fiveMinutes = Duration.minutes(5)
    const alarm = (id: string, p: cloudwatch.AlarmProps) => {
      const a = new cloudwatch.Alarm(this, id, p)
      a.addAlarmAction(new actions.SnsAction(this.topic))
      a.addOkAction(new actions.SnsAction(this.topic))
      return a
    }
    const quiet = cloudwatch.TreatMissingData.NOT_BREACHING

    this.memoryPressure = alarm('MemoryPressure', {
      alarmDescription: `A runner's working set reached ${t.memoryPct} % of its limit in 3 of 5 minutes: it is evicting and refusing; scaling has not caught up.`,
      metric: runners.metricMemoryPressure({ period: minute, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: t.memoryPct,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: quiet,
    })
    this.refusals = alarm('Refusals', {
      alarmDescription: 'Runners refused requests (429/503) in every minute for 5 minutes: the fleet is too small or maxRunners is reached.',
      metric: runners.metricRefusals({ period: minute }),
      threshold: t.refusalsPerMin,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      treatMissingData: quiet,
    })
    this.crashes = alarm('Crashes', {
      alarmDescription: `${t.crashesPer5Min} or more browsers crashed in 5 minutes.`,
      metric: runners.metricCrashes({ period: fiveMinutes }),
      threshold: t.crashesPer5Min,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    })
    this.permanentBrowserDown = alarm('PermanentBrowserDown', {
      alarmDescription: 'A runner has had no permanent browser for 3 minutes: default-signature requests there fail.',
      metric: runners.metricPermanentBrowsers({ period: minute, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: 1,
      comparisonOperator: BELOW,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // silence is HeartbeatMissing's job
      treatMissingData: quiet,
    })
    this.heartbeatMissing = alarm('HeartbeatMissing', {
      alarmDescription: 'No runner has published for 3 minutes: the fleet is down or cannot reach CloudWatch.',
      metric: runners.metricHeartbeat({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: BELOW,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    })
    this.edgeErrors = alarm('EdgeErrors', {
      alarmDescription: `${t.edgeErrorsPer5Min} or more edge errors (failed invocations plus answered 500s) in 5 minutes.`,
      metric: edge.metricErrors(fiveMinutes),
      threshold: t.edgeErrorsPer5Min,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 1,
      treatMissingData: quiet,
    })
    this.noHealthyRunner = alarm('NoHealthyRunner', {
      alarmDescription: 'The edge found no runner able to take a request (none registered, or all refused or unreachable).',
      metric: edge.metricNoHealthyRunner({ period: minute }),
      threshold: 1,
      comparisonOperator: AT_LEAST,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: quiet,
    })
  }

  get all(): cloudwatch.Alarm[] {
    return [this.memoryPressure, this.refusals, this.crashes, this.permanentBrowserDown, this.heartbeatMissing, this.edgeErrors, this.noHealthyRunner]
  }
}
