import { fileURLToPath } from 'node:url'
import { ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import { Platform } from 'aws-cdk-lib/aws-ecr-assets'
import * as ecs from 'aws-cdk-lib/aws-ecs'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery'
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION, type MetricName } from '../../runner/contract/metric-names.ts'
import { RUNNER_SETTINGS } from '../../runner/contract/settings/runner-settings.ts'
import type { Settings } from './settings.ts'

/** Fargate's ceiling; the runner drains in-flight pages within it. */
export const STOP_TIMEOUT_SEC = 120
/** what the runner may spend draining (CRAWLFLEET_STOP_TIMEOUT_MS): the rest closes browsers before SIGKILL */
export const DRAIN_TIMEOUT_MS = 100_000
export const METRICS_PERIOD_SEC = 60
/** the Cloud Map service ECS registers every runner task in; the edge lists it with DiscoverInstances */
export const RUNNER_DISCOVERY_SERVICE = 'runners'
export const RUNNER_DISCOVERY_NAMESPACE = 'crawlfleet.internal'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface RunnerServiceProps {
  readonly vpc: ec2.IVpc
  readonly securityGroup: ec2.ISecurityGroup
  readonly port: number
  readonly task: Settings['task']
  readonly runners: Settings['runners']
  /** where the tasks run; public subnets need assignPublicIp to reach the web */
  readonly subnets: ec2.SubnetSelection
  /** @default false */
  readonly assignPublicIp?: boolean
  /** runner settings given as context (see RUNNER_SETTINGS) */
  readonly runnerEnv: Readonly<Record<string, string>>
  /** where each runner publishes its load (CRAWLFLEET_LOAD_STORE_URL) */
  readonly loadStoreUrl?: string
  readonly hmacSecret: secretsmanager.ISecret
  /** the value of the Service dimension every runner publishes under */
  readonly metricsService: string
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays
  /** @default the repository root built with runner/Dockerfile (hashed at synth; built by `cdk deploy`) */
  readonly image?: ecs.ContainerImage
}

/**
 * The runner fleet: cluster, task definition, service, its scalable task count (the policy is
 * FleetScaling's), and the metrics the runners publish.
 */
export class RunnerService extends Construct {
  readonly cluster: ecs.Cluster
  readonly taskDefinition: ecs.FargateTaskDefinition
  readonly container: ecs.ContainerDefinition
  readonly service: ecs.FargateService
  readonly scaling: ecs.ScalableTaskCount
  readonly logGroup: logs.LogGroup
  readonly metricsService: string
  /** private DNS namespace (Cloud Map) the runner tasks are registered in */
  readonly namespace: servicediscovery.PrivateDnsNamespace

  constructor(scope: Construct, id: string, props: RunnerServiceProps) {
    super(scope, id)
    this.metricsService = props.metricsService
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED })
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY })

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.task.cpu,
      memoryLimitMiB: props.task.memoryMiB,
      ephemeralStorageGiB: props.task.ephemeralStorageGiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    })
    this.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        // PutMetricData has no resource type; the namespace condition is as narrow as it gets
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      }),
    )

    const healthUrl = `http://127.0.0.1:${props.port}/health`
    this.container = this.taskDefinition.addContainer('runner', {
      image: props.image ?? ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'runner/Dockerfile', platform: Platform.LINUX_AMD64 }),
      essential: true,
      // explicit, so the container's own cgroup carries the limit the runner sizes its pools from
      memoryLimitMiB: props.task.containerMemoryMiB,
      portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP, name: 'http' }],
      environment: {
        ...props.runnerEnv,
        [RUNNER_SETTINGS.port.env]: String(props.port),
        [RUNNER_SETTINGS.host.env]: '0.0.0.0',
        [RUNNER_SETTINGS.stopTimeoutMs.env]: String(DRAIN_TIMEOUT_MS),
        [RUNNER_SETTINGS.metricsService.env]: props.metricsService,
        [RUNNER_SETTINGS.cloudwatchPeriodSec.env]: String(METRICS_PERIOD_SEC),
        [RUNNER_SETTINGS.awsRegion.env]: Stack.of(this).region,
        ...(props.loadStoreUrl ? { [RUNNER_SETTINGS.loadStoreUrl.env]: props.loadStoreUrl } : {}),
      },
      secrets: { [RUNNER_SETTINGS.hmacSecret.env]: ecs.Secret.fromSecretsManager(props.hmacSecret) },
      // curl is not in the image; node is
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('${healthUrl}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SEC),
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'runner',
        // a slow CloudWatch Logs must never block the runner's stdout
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    })

    this.namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      name: RUNNER_DISCOVERY_NAMESPACE,
      vpc: props.vpc,
      description: 'crawlfleet runner tasks, registered by ECS while healthy; the edge lists them with DiscoverInstances',
    })
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      // no DesiredCount in the template: a deploy leaves the count where scaling put it (the
      // service starts at 1 and the scalable target's minimum lifts it; CloudFormation omits the
      // property on updates)
      desiredCount: undefined,
      securityGroups: [props.securityGroup],
      vpcSubnets: props.subnets,
      assignPublicIp: props.assignPublicIp ?? false,
      // new tasks start before old ones drain: a deploy never lowers capacity
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      // ECS registers each task (its IP) while it runs and passes its container health to Cloud Map
      cloudMapOptions: { cloudMapNamespace: this.namespace, name: RUNNER_DISCOVERY_SERVICE, dnsRecordType: servicediscovery.DnsRecordType.A, dnsTtl: Duration.seconds(10) },
    })

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: props.runners.min, maxCapacity: props.runners.max })
  }

  /** A runner metric for the whole fleet: namespace and name from runner/contract/metric-names.ts. */
  metric(m: MetricName, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    const { dimensionsMap, ...rest } = props
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: m.cw,
      period: Duration.minutes(1),
      ...rest,
      dimensionsMap: { [SERVICE_DIMENSION]: this.metricsService, ...dimensionsMap },
    })
  }

  metricMemoryPressure(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.memoryPressurePct, { statistic: cloudwatch.Stats.MAXIMUM, ...props })
  }
  metricQueueDepth(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.queueDepth, { statistic: cloudwatch.Stats.AVERAGE, ...props })
  }
  /** (running + queued) / slots, %: Average is the fleet's, Maximum the busiest runner's */
  metricSlotLoad(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.slotLoadPct, { statistic: cloudwatch.Stats.AVERAGE, ...props })
  }
  metricQueueWait(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.queueWaitMs, { statistic: cloudwatch.Stats.AVERAGE, ...props })
  }
  /** ECS Container Insights' count of RUNNING tasks of this service */
  metricRunningTasks(props?: cloudwatch.MetricOptions) {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    })
  }
  metricRefusals(props?: cloudwatch.MetricOptions & { reason?: string }) {
    const { reason, ...rest } = props ?? {}
    return this.metric(METRIC.refusals, { statistic: cloudwatch.Stats.SUM, ...rest, dimensionsMap: reason ? { Reason: reason } : {} })
  }
  metricCrashes(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.crashes, { statistic: cloudwatch.Stats.SUM, ...props })
  }
  metricPermanentBrowsers(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.browsersPermanent, { statistic: cloudwatch.Stats.MINIMUM, ...props })
  }
  /** page requests the fleet finished: the request latency's sample count */
  metricRequests(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.requestLatency, { statistic: cloudwatch.Stats.SAMPLE_COUNT, ...props })
  }
  metricHeartbeat(props?: cloudwatch.MetricOptions) {
    return this.metric(METRIC.heartbeat, { statistic: cloudwatch.Stats.SUM, ...props })
  }

  /** What the edge's discovery needs: Cloud Map's list of this service, and ECS's list and descriptions of this cluster's tasks (the fallback). */
  grantDiscovery(grantee: iam.IGrantable): iam.Grant {
    const cloudMap = iam.Grant.addToPrincipal({
      grantee,
      actions: ['servicediscovery:DiscoverInstances'],
      // DiscoverInstances is authorised on "*"; the namespace and service conditions scope it to these runners
      resourceArns: ['*'],
      conditions: { StringEquals: { 'servicediscovery:NamespaceName': this.namespace.namespaceName, 'servicediscovery:ServiceName': RUNNER_DISCOVERY_SERVICE } },
    })
    const list = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:ListTasks'],
      // ListTasks takes no task ARN (its resource is a container instance, which Fargate has none of): the cluster condition scopes it
      resourceArns: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': this.cluster.clusterArn } },
    })
    const describe = iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecs:DescribeTasks'],
      // the ARN already names the cluster
      resourceArns: [Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${this.cluster.clusterName}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    })
    return cloudMap.combine(list).combine(describe)
  }
}
