import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib'
import type * as ecs from 'aws-cdk-lib/aws-ecs'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { RUNNER_ANSWER_GRACE_MS } from '../../runner/contract/deadlines.ts'
import { Dashboard } from './dashboard.ts'
import { EdgeFunction } from './edge-function.ts'
import { FleetScaling } from './fleet-scaling.ts'
import { acknowledgeNagFindings } from './nag-suppressions.ts'
import { Network } from './network.ts'
import { LoadStore } from './load-store.ts'
import { PoolAlarms } from './pool-alarms.ts'
import { ORIGIN_READ_TIMEOUT_SEC, PublicEntry } from './public-entry.ts'
import { RUNNER_DISCOVERY_SERVICE, RunnerService } from './runner-service.ts'
import { Secrets } from './secrets.ts'
import { EDGE_SETTINGS } from '../../runner/contract/settings/edge-settings.ts'
import { RUNNER_PORT, type Settings } from './settings.ts'
import { WebAcl } from './web-acl.ts'

/** The edge answers its own 504 this long before CloudFront would give up on the origin. */
export const EDGE_DEADLINE_MS = (ORIGIN_READ_TIMEOUT_SEC - 5) * 1000

export interface CrawlfleetStackProps extends StackProps {
  readonly settings: Settings
  /** @default edge/lambda.ts bundled with esbuild; tests pass prebuilt code */
  readonly edgeCode?: lambda.Code
  /** @default edge/lambda.ts */
  readonly edgeEntry?: string
  /** @default built from runner/Dockerfile at deploy */
  readonly runnerImage?: ecs.ContainerImage
}

export class CrawlfleetStack extends Stack {
  readonly network: Network
  readonly loadStore: LoadStore
  readonly secrets: Secrets
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  readonly scaling: FleetScaling
  readonly entry: PublicEntry
  readonly alarms: PoolAlarms
  readonly dashboard: Dashboard

  constructor(scope: Construct, id: string, props: CrawlfleetStackProps) {
    super(scope, id, props)
    const s = props.settings
    const logRetention = s.logRetentionDays as logs.RetentionDays
    // the edge waits up to its deadline plus the grace for the runner's answer; Lambda must not cut it short
    const longestRequestMs = EDGE_DEADLINE_MS + RUNNER_ANSWER_GRACE_MS
    if (s.edge.timeoutSec * 1000 < longestRequestMs + 1000) {
      throw new Error(`context crawlfleet:edgeTimeoutSec (${s.edge.timeoutSec}) must be at least ${Math.ceil(longestRequestMs / 1000) + 1}: the edge may take ${longestRequestMs / 1000} s on one request`)
    }

    this.network = new Network(this, 'Network', { runnerPort: RUNNER_PORT, egress: s.egress, natGateways: s.natGateways, flowLogRetention: logRetention })
    this.secrets = new Secrets(this, 'Secrets')
    this.loadStore = new LoadStore(this, 'LoadStore', {
      vpc: this.network.vpc,
      subnets: this.network.edgeSubnets,
      clients: [this.network.edgeSecurityGroup, this.network.runnerSecurityGroup],
    })
    this.runners = new RunnerService(this, 'Runners', {
      vpc: this.network.vpc,
      securityGroup: this.network.runnerSecurityGroup,
      subnets: this.network.runnerSubnets,
      assignPublicIp: this.network.runnersNeedPublicIp,
      port: RUNNER_PORT,
      task: s.task,
      runners: s.runners,
      runnerEnv: s.runnerEnv,
      loadStoreUrl: this.loadStore.url,
      hmacSecret: this.secrets.hmac,
      metricsService: this.stackName,
      logRetention,
      image: props.runnerImage,
    })
    this.edge = new EdgeFunction(this, 'Edge', {
      vpc: this.network.vpc,
      subnets: this.network.edgeSubnets,
      securityGroup: this.network.edgeSecurityGroup,
      memoryMiB: s.edge.memoryMiB,
      timeoutSec: s.edge.timeoutSec,
      metricsService: this.stackName,
      logRetention,
      entry: props.edgeEntry,
      code: props.edgeCode,
      environment: {
        [EDGE_SETTINGS.discovery.env]: 'cloudmap',
        [EDGE_SETTINGS.cloudMapNamespace.env]: this.runners.namespace.namespaceName,
        [EDGE_SETTINGS.cloudMapService.env]: RUNNER_DISCOVERY_SERVICE,
        // the fallback registry when Cloud Map fails or is slow for a cold instance
        [EDGE_SETTINGS.ecsCluster.env]: this.runners.cluster.clusterName,
        [EDGE_SETTINGS.ecsService.env]: this.runners.service.serviceName,
        [EDGE_SETTINGS.runnerPort.env]: String(RUNNER_PORT),
        [EDGE_SETTINGS.apiKeysSecretArn.env]: this.secrets.apiKeys.secretArn,
        [EDGE_SETTINGS.hmacSecretArn.env]: this.secrets.hmac.secretArn,
        [EDGE_SETTINGS.originSecretArn.env]: this.secrets.origin.secretArn,
        [EDGE_SETTINGS.secretsTtlSec.env]: String(s.edge.secretsTtlSec),
        // answer a clean 504 before CloudFront gives up on the origin with its own
        [EDGE_SETTINGS.requestDeadlineMs.env]: String(EDGE_DEADLINE_MS),
        [EDGE_SETTINGS.loadStoreUrl.env]: this.loadStore.url,
      },
    })
    this.runners.grantDiscovery(this.edge.fn)
    this.secrets.grantEdgeRead(this.edge.fn)
    this.scaling = new FleetScaling(this, 'Scaling', {
      target: this.runners.scaling,
      slotLoadPct: this.runners.metricSlotLoad(),
      queueWaitMs: this.runners.metricQueueWait(),
      memoryPct: this.runners.metricMemoryPressure({ statistic: 'Average' }),
      noHealthyRunner: this.edge.metricNoHealthyRunner(),
      runners: this.runners.metricHeartbeat({ statistic: 'Sum' }),
      requests: this.runners.metricRequests(),
      settings: s.scaling,
    })

    this.entry = new PublicEntry(this, 'Entry', {
      url: this.edge.url,
      originSecret: this.secrets.origin,
      originSecretVersion: s.publicEntry.originSecretVersion,
      webAclArn: this.webAclArn(s.publicEntry, logRetention),
      domain: s.publicEntry.domainName && s.publicEntry.certificateArn ? { name: s.publicEntry.domainName, certificateArn: s.publicEntry.certificateArn } : undefined,
    })
    this.alarms = new PoolAlarms(this, 'Alarms', {
      runners: this.runners,
      edge: this.edge,
      entry: this.region === 'us-east-1' ? this.entry : undefined,
      minRunners: s.runners.min,
      thresholds: s.alarms,
    })
    this.dashboard = new Dashboard(this, 'Dashboard', { runners: this.runners, edge: this.edge, scaling: this.scaling, alarms: this.alarms })
    acknowledgeNagFindings({ secrets: this.secrets, runners: this.runners, edge: this.edge, entry: this.entry, customDomain: s.publicEntry.domainName !== undefined })

    new CfnOutput(this, 'ApiUrl', { value: `https://${s.publicEntry.domainName ?? this.entry.distribution.distributionDomainName}` })
    new CfnOutput(this, 'EdgeFunctionUrl', { value: this.edge.url.url, description: 'direct calls must be refused (403): the smoke script checks it' })
    new CfnOutput(this, 'ApiKeysSecretArn', { value: this.secrets.apiKeys.secretArn })
    new CfnOutput(this, 'HmacSecretArn', { value: this.secrets.hmac.secretArn })
    new CfnOutput(this, 'OriginSecretArn', { value: this.secrets.origin.secretArn })
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn })
    if (this.alarms.pageTopic) new CfnOutput(this, 'PageTopicArn', { value: this.alarms.pageTopic.topicArn })
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName })
    new CfnOutput(this, 'ClusterName', { value: this.runners.cluster.clusterName })
    new CfnOutput(this, 'ServiceName', { value: this.runners.service.serviceName })
    new CfnOutput(this, 'EdgeFunctionName', { value: this.edge.fn.functionName })
  }

  /** CLOUDFRONT-scope WebACLs exist only in us-east-1: made here when the stack is there, else passed in. */
  private webAclArn(p: Settings['publicEntry'], logRetention: logs.RetentionDays): string {
    if (p.webAclArn) return p.webAclArn
    if (Token.isUnresolved(this.region)) throw new Error('the stack needs a concrete region (CDK_DEFAULT_REGION) to decide where its WebACL lives')
    if (this.region === 'us-east-1') return new WebAcl(this, 'RateLimit', { limitPer5Min: p.rateLimitPer5Min, limitPerKeyPer5Min: p.rateLimitPerKeyPer5Min, logRetention }).arn
    throw new Error(
      `CloudFront WebACLs live in us-east-1 and this stack is in ${this.region}: deploy the rate-limit stack first ` +
        '(npx cdk deploy CrawlfleetRateLimit -c crawlfleet:rateLimitStack=true) and pass its WebAclArn output as -c crawlfleet:webAclArn=<arn>',
    )
  }
}
