import { Duration } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import { Construct } from 'constructs'
import { METRIC, REFUSAL_REASONS } from '../../runner/contract/metric-names.ts'
import type { EdgeFunction } from './edge-function.ts'
import type { FleetScaling } from './fleet-scaling.ts'
import type { PoolAlarms } from './pool-alarms.ts'
import type { RunnerService } from './runner-service.ts'

export interface DashboardProps {
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  readonly scaling: FleetScaling
  readonly alarms: PoolAlarms
}

/**
 * The pool across the fleet. Gauges are statistic sets of every runner's samples, so Average is
 * the per-runner mean and Maximum the worst runner; counters are summed over the fleet.
 */
export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id)
    const { runners: r, edge, scaling, alarms } = props
    const avg = { statistic: cloudwatch.Stats.AVERAGE }
    const max = { statistic: cloudwatch.Stats.MAXIMUM }
    const sum = { statistic: cloudwatch.Stats.SUM }
    const labelled = (m: Parameters<RunnerService['metric']>[0], o: cloudwatch.MetricOptions, label: string) => r.metric(m, { ...o, label })
    const graph = (title: string, left: cloudwatch.IMetric[], o: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, period: Duration.minutes(1), ...o })

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) })
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: alarms.all, width: 24, height: 3 }))
    this.dashboard.addWidgets(
      graph('Memory pressure %', [labelled(METRIC.memoryPressurePct, avg, 'average runner'), labelled(METRIC.memoryPressurePct, max, 'worst runner')], {
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [{ value: alarms.thresholds.memoryPct, label: 'alarm', color: cloudwatch.Color.RED }],
      }),
      graph('Runners reporting and running', [labelled(METRIC.heartbeat, { statistic: cloudwatch.Stats.SAMPLE_COUNT }, 'reporting'), r.metricRunningTasks({ label: 'RUNNING tasks' })]),
    )
    this.dashboard.addWidgets(
      graph('Scaling pressure (100 = scale out)', [scaling.pressure], {
        leftAnnotations: [
          { value: 100, label: 'scale out', color: cloudwatch.Color.RED },
          { value: scaling.scaleInAlarm.toAnnotation().value, label: 'scale in below', color: cloudwatch.Color.GREEN },
        ],
      }),
      graph('Slot load % and queue wait ms (fleet average)', [labelled(METRIC.slotLoadPct, avg, 'slot load %'), labelled(METRIC.slotLoadPct, max, 'slot load % (busiest)')], {
        right: [labelled(METRIC.queueWaitMs, avg, 'queue wait ms'), labelled(METRIC.queueWaitMs, max, 'queue wait ms (longest)')],
      }),
    )
    this.dashboard.addWidgets(
      graph('Browsers per runner (average)', [
        labelled(METRIC.browsersPermanent, avg, 'permanent'),
        labelled(METRIC.browsersHot, avg, 'hot'),
        labelled(METRIC.browsersCold, avg, 'cold'),
      ]),
      graph('Pages and queue per runner', [
        labelled(METRIC.leasedPages, avg, 'leased pages (avg)'),
        labelled(METRIC.leasedPages, max, 'leased pages (max)'),
        labelled(METRIC.queueDepth, avg, 'queued (avg)'),
        labelled(METRIC.queueDepth, max, 'queued (max)'),
      ]),
    )
    this.dashboard.addWidgets(
      graph('Pool (fleet, per minute)', [
        labelled(METRIC.poolHits, sum, 'hits'),
        labelled(METRIC.poolMisses, sum, 'misses'),
        labelled(METRIC.launches, sum, 'launches'),
        labelled(METRIC.promotions, sum, 'promotions'),
        labelled(METRIC.evictions, sum, 'evictions'),
      ]),
      graph('Refusals and crashes (fleet, per minute)', [
        ...REFUSAL_REASONS.map((reason) => r.metricRefusals({ reason, label: `refused: ${reason}` })),
        labelled(METRIC.crashes, sum, 'browser crashes'),
      ]),
    )
    this.dashboard.addWidgets(
      graph('Request latency ms', [labelled(METRIC.requestLatency, avg, 'average'), labelled(METRIC.requestLatency, max, 'max')]),
      graph('CPU % and memory used', [labelled(METRIC.cpuPct, avg, 'CPU % (avg)')], { right: [labelled(METRIC.memoryUsedBytes, avg, 'memory used (avg)')] }),
    )
    this.dashboard.addWidgets(
      graph('Edge', [edge.fn.metricInvocations({ ...sum, label: 'invocations' }), edge.metricNoHealthyRunner({ label: 'no healthy runner' })], {
        right: [edge.fn.metricDuration({ statistic: 'p99', label: 'duration p99' })],
      }),
      graph('Edge errors and throttles (5 min)', [edge.metricErrors(), edge.fn.metricThrottles({ ...sum, label: 'throttles' })], { period: Duration.minutes(5) }),
    )
  }
}
