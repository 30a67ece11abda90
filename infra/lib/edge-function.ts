import { fileURLToPath } from 'node:url'
import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { EDGE_SETTINGS } from '../../runner/contract/settings/edge-settings.ts'
import { buildEdgeBundle } from './edge-bundle.ts'
import { EDGE_SERVICE } from '../../runner/contract/metric-names.ts'
import { EDGE_METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const EDGE_RUNTIME = lambda.Runtime.NODEJS_24_X

export interface EdgeFunctionProps {
  readonly vpc: ec2.IVpc
  readonly subnets: ec2.SubnetSelection
  readonly securityGroup: ec2.ISecurityGroup
  readonly environment: Readonly<Record<string, string>>
  readonly memoryMiB: number
  readonly timeoutSec: number
  /** the Service dimension of the edge's metrics (CRAWLFLEET_METRICS_SERVICE): the stack's name */
  readonly metricsService: string
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays
  /** @default edge/lambda.ts, bundled with the local esbuild (never Docker; infra/lib/edge-bundle.ts) */
  readonly entry?: string
  /** prebuilt code with an `index.handler`, instead of bundling `entry` (tests) */
  readonly code?: lambda.Code
}

/**
 * The edge router on Lambda: in the VPC, streaming through its function URL. The URL takes
 * anonymous calls (auth NONE): CloudFront's origin header and the API key are the edge's checks.
 */
export class EdgeFunction extends Construct {
  readonly fn: lambda.Function
  readonly url: lambda.FunctionUrl
  readonly logGroup: logs.LogGroup
  readonly metricsService: string

  constructor(scope: Construct, id: string, props: EdgeFunctionProps) {
    super(scope, id)
    this.metricsService = props.metricsService
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    const common = {
      runtime: EDGE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: Duration.seconds(props.timeoutSec),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      allowPublicSubnet: false,
      logGroup: this.logGroup,
      // no --enable-source-maps: it made every cold start's import ~25 % slower (npm run bench --
      // edge-cold-start); the map ships beside the bundle to decode a stack trace by hand
      environment: { ...props.environment, [EDGE_SETTINGS.metricsService.env]: props.metricsService },
      description: 'crawlfleet edge: auth, URL policy, routing to runners',
    } satisfies Partial<lambda.FunctionProps>
    this.fn = props.code
      ? new lambda.Function(this, 'Function', { ...common, code: props.code, handler: 'index.handler' })
      : new lambda.Function(this, 'Function', {
          ...common,
          handler: 'index.handler',
          // bundled here with the local esbuild (infra/lib/edge-bundle.ts); the asset is named by what it holds
          code: lambda.Code.fromAsset(`${REPO_ROOT}edge`, {
            assetHashType: AssetHashType.OUTPUT,
            bundling: {
              image: DockerImage.fromRegistry('unused-local-bundling-only'),
              local: { tryBundle: (outputDir) => (buildEdgeBundle(outputDir, { entry: props.entry }), true) },
            },
          }),
        })
    this.url = this.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.RESPONSE_STREAM })
  }

  /** Requests the edge could place on no runner: the edge's EMF metric (edge/metrics.ts). */
  metricNoHealthyRunner(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: EDGE_METRIC.noHealthyRunner,
      dimensionsMap: { [SERVICE_DIMENSION]: this.metricsService },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    })
  }

  /** Failed invocations (crashes, timeouts) plus the 500s the edge answered itself (its EMF metric). */
  metricErrors(period = Duration.minutes(5)): cloudwatch.MathExpression {
    const app = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: EDGE_METRIC.edgeErrors,
      dimensionsMap: { [SERVICE_DIMENSION]: this.metricsService },
      statistic: cloudwatch.Stats.SUM,
      period,
    })
    return new cloudwatch.MathExpression({
      expression: 'FILL(invocationErrors, 0) + FILL(appErrors, 0)',
      usingMetrics: { invocationErrors: this.fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }), appErrors: app },
      label: 'edge errors',
      period,
    })
  }
}
