import { Duration } from 'aws-cdk-lib'
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import { Construct } from 'constructs'
import type { Settings } from './settings.ts'

export interface FleetScalingProps {
  /** the service's scalable task count (min and max capacity) */
  readonly target: appscaling.IScalableTargetRef
  /** fleet averages, one-minute periods */
  readonly slotLoadPct: cloudwatch.IMetric
  readonly queueWaitMs: cloudwatch.IMetric
  readonly memoryPct: cloudwatch.IMetric
  /** requests the edge could place on no runner, per minute: the only signal with no runner at all (minRunners 0) */
  readonly noHealthyRunner: cloudwatch.IMetric
  /** runners publishing, per minute (the heartbeat's Sum) */
  readonly runners: cloudwatch.IMetric
  /** requests the runners finished, per minute (the latency's SampleCount) */
  readonly requests: cloudwatch.IMetric
  readonly settings: Settings['scaling']
}

/** At 100 the fleet reaches a scale-out mark. */
export const PRESSURE_MARK = 100
/**
 * Scale-out steps: [from pressure, runners added]. Pressure is roughly the factor of capacity
 * missing (300 = three times the load the mark allows), so the steps grow with it; counts rather
 * than percentages, because a percentage of an empty fleet adds nothing.
 */
export const SCALE_OUT_STEPS: readonly (readonly [number, number])[] = [
  [100, 1],
  [150, 2],
  [300, 4],
  [600, 8],
]
/** What "removing the last runner" projects to while it still serves requests: far above any threshold. */
const LAST_RUNNER_BUSY = 1000

/**
 * One scaling policy for the runner fleet, both ways on one signal. Pressure is the largest of
 * the signals, each as a percentage of its scale-out mark: slot load, predicted queue wait,
 * memory, and 100 whenever the edge could place a request nowhere. The fleet grows when pressure
 * reaches 100, quickly and more the higher it is. It loses one runner only when the pressure the
 * fleet would have without it (pressure × n / (n − 1), the load spread over one runner fewer)
 * has stayed at or below `scaleInPct` for `scaleInAfterMin` minutes; the last runner (minRunners
 * 0) goes only after as long without a request. A removal can therefore not push the fleet back
 * over a mark: the two directions cannot undo each other (bench/scaling-sim.ts plays it out).
 */
export class FleetScaling extends Construct {
  readonly pressure: cloudwatch.MathExpression
  /** the pressure after removing one runner: what scale-in watches */
  readonly pressureWithoutOne: cloudwatch.MathExpression
  readonly scaleOut: appscaling.StepScalingAction
  readonly scaleIn: appscaling.StepScalingAction
  readonly scaleOutAlarm: cloudwatch.Alarm
  readonly scaleInAlarm: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: FleetScalingProps) {
    super(scope, id)
    const s = props.settings
    const minute = Duration.minutes(1)
    const ofMark = (id: string, metric: cloudwatch.IMetric, mark: number, label: string) =>
      new cloudwatch.MathExpression({ expression: `${PRESSURE_MARK} * FILL(${id}, 0) / ${mark}`, usingMetrics: { [id]: metric }, label, period: minute })
    this.pressure = new cloudwatch.MathExpression({
      expression: 'MAX([load, wait, memory, placement])',
      usingMetrics: {
        load: ofMark('slotLoad', props.slotLoadPct, s.slotLoadPct, 'slot load, % of its mark'),
        wait: ofMark('queueWait', props.queueWaitMs, s.queueWaitMs, 'queue wait, % of its mark'),
        memory: ofMark('memoryUsed', props.memoryPct, s.memoryPct, 'memory, % of its mark'),
        placement: new cloudwatch.MathExpression({
          expression: `IF(FILL(noRunner, 0) > 0, ${PRESSURE_MARK}, 0)`,
          usingMetrics: { noRunner: props.noHealthyRunner },
          label: 'edge found no runner',
          period: minute,
        }),
      },
      label: 'scaling pressure (100 = a scale-out mark)',
      period: minute,
    })
    this.pressureWithoutOne = new cloudwatch.MathExpression({
      expression: `IF(FILL(runners, 0) > 1, pressure * runners / (runners - 1), IF(FILL(requests, 0) > 0, ${LAST_RUNNER_BUSY}, pressure))`,
      usingMetrics: { pressure: this.pressure, runners: props.runners, requests: props.requests },
      label: 'scaling pressure with one runner fewer',
      period: minute,
    })

    this.scaleOut = new appscaling.StepScalingAction(this, 'Out', {
      scalingTarget: props.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(s.scaleOutCooldownSec),
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
    })
    SCALE_OUT_STEPS.forEach(([from, runners], i) => {
      const next = SCALE_OUT_STEPS[i + 1]
      this.scaleOut.addAdjustment({ adjustment: runners, lowerBound: from - PRESSURE_MARK, upperBound: next ? next[0] - PRESSURE_MARK : undefined })
    })
    this.scaleOutAlarm = new cloudwatch.Alarm(this, 'OutAlarm', {
      alarmDescription: 'Runner fleet scale-out: a scaling signal reached its mark (slot load, queue wait, memory) or the edge found no runner.',
      metric: this.pressure,
      threshold: PRESSURE_MARK,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: s.scaleOutAfterMin,
      datapointsToAlarm: s.scaleOutAfterMin,
      // no data: nobody publishes, which scaling cannot fix; HeartbeatMissing and RunningTasksBelowMin say so
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    this.scaleOutAlarm.addAlarmAction(new actions.ApplicationScalingAction(this.scaleOut))

    this.scaleIn = new appscaling.StepScalingAction(this, 'In', {
      scalingTarget: props.target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.seconds(s.scaleInCooldownSec),
      metricAggregationType: appscaling.MetricAggregationType.MAXIMUM,
    })
    this.scaleIn.addAdjustment({ adjustment: -1, upperBound: 0 })
    this.scaleInAlarm = new cloudwatch.Alarm(this, 'InAlarm', {
      alarmDescription: `Runner fleet scale-in: with one runner fewer, every scaling signal would have been at or below ${s.scaleInPct} % of its mark for ${s.scaleInAfterMin} minutes.`,
      metric: this.pressureWithoutOne,
      threshold: s.scaleInPct,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: s.scaleInAfterMin,
      datapointsToAlarm: s.scaleInAfterMin,
      // a runner goes only on evidence that all is quiet
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    this.scaleInAlarm.addAlarmAction(new actions.ApplicationScalingAction(this.scaleIn))
  }
}
