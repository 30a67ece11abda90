import { fileURLToPath } from 'node:url'
import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { EDGE_SERVICE } from '../../runner/contract/metric-names.ts'
import { EDGE_METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../runner/contract/metric-names.ts'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const EDGE_ENTRY = `${REPO_ROOT}edge/lambda.ts`
export const EDGE_RUNTIME = lambda.Runtime.NODEJS_24_X
/** how much longer than its deadline the edge waits for a runner's answer (edge/forward.ts graceMs) */
export const EDGE_GRACE_MS = 2_000
/** CommonJS dependencies (pino, the SDK) still call require() and read __dirname inside the ESM bundle */
export const EDGE_BUNDLE_BANNER = [
  "import { createRequire } from 'node:module'",
  "import { fileURLToPath } from 'node:url'",
  "import { dirname } from 'node:path'",
  'const require = createRequire(import.meta.url)',
  'const __filename = fileURLToPath(import.meta.url)',
  'const __dirname = dirname(__filename)',
].join(';')

/**
 * The Lambda bundle's validation: the shared schemas with zod's constructors only (edge/zod-lite.ts),
 * not @hono/zod-openapi's whole zod namespace and OpenAPI machinery: about 350 KB less to load.
 */
export const EDGE_BUNDLE_ALIAS: Readonly<Record<string, string>> = { '@hono/zod-openapi': `${REPO_ROOT}edge/zod-lite.ts` }
/**
 * Left to the Lambda runtime's own AWS SDK: the ECS client is the discovery fallback, loaded only when
 * Cloud Map fails, so a cold start need not import its ~100 KB; the clients of every request are bundled.
 */
export const EDGE_BUNDLE_EXTERNAL: readonly string[] = ['@aws-sdk/client-ecs']

export interface EdgeFunctionProps {
  readonly vpc: ec2.IVpc
  readonly securityGroup: ec2.ISecurityGroup
  readonly environment: Readonly<Record<string, string>>
  readonly memoryMiB: number
  readonly timeoutSec: number
  /** NONE behind an origin secret, AWS_IAM behind CloudFront OAC */
  readonly urlAuth: lambda.FunctionUrlAuthType
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays
  /** @default edge/lambda.ts, bundled with the local esbuild (never Docker) */
  readonly entry?: string
  /** prebuilt code with an `index.handler`, instead of bundling `entry` (tests) */
  readonly code?: lambda.Code
}

/** The edge router on Lambda: in the VPC, streaming through its function URL. */
export class EdgeFunction extends Construct {
  readonly fn: lambda.Function
  readonly url: lambda.FunctionUrl
  readonly logGroup: logs.LogGroup

  constructor(scope: Construct, id: string, props: EdgeFunctionProps) {
    super(scope, id)
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })
    const common = {
      runtime: EDGE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: Duration.seconds(props.timeoutSec),
      vpc: props.vpc,
      vpcSubnets: { subnets: props.vpc.privateSubnets },
      securityGroups: [props.securityGroup],
      allowPublicSubnet: false,
      logGroup: this.logGroup,
      // no --enable-source-maps: it made every cold start's import ~25 % slower (npm run bench --
      // edge-cold-start); the map ships beside the bundle to decode a stack trace by hand
      environment: { ...props.environment },
      description: 'crawlfleet edge: auth, URL policy, routing to runners',
    } satisfies Partial<lambda.FunctionProps>
    this.fn = props.code
      ? new lambda.Function(this, 'Function', { ...common, code: props.code, handler: 'index.handler' })
      : new nodejs.NodejsFunction(this, 'Function', {
          ...common,
          entry: props.entry ?? EDGE_ENTRY,
          handler: 'handler',
          projectRoot: REPO_ROOT,
          depsLockFilePath: `${REPO_ROOT}package-lock.json`,
          bundling: {
            forceDockerBundling: false,
            format: nodejs.OutputFormat.ESM,
            target: 'node24',
            mainFields: ['module', 'main'],
            minify: true,
            sourceMap: true,
            sourcesContent: false,
            // the SDK clients of every request are bundled: the versions in package-lock.json
            externalModules: [...EDGE_BUNDLE_EXTERNAL],
            esbuildArgs: Object.fromEntries(Object.entries(EDGE_BUNDLE_ALIAS).map(([from, to]) => [`--alias:${from}`, to])),
            banner: EDGE_BUNDLE_BANNER,
          },
        })
    this.url = this.fn.addFunctionUrl({ authType: props.urlAuth, invokeMode: lambda.InvokeMode.RESPONSE_STREAM })
  }

  /** Requests the edge could place on no runner: the edge's EMF metric (edge/metrics.ts). */
  metricNoHealthyRunner(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: EDGE_METRIC.noHealthyRunner,
      dimensionsMap: { [SERVICE_DIMENSION]: EDGE_SERVICE },
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
      dimensionsMap: { [SERVICE_DIMENSION]: EDGE_SERVICE },
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
