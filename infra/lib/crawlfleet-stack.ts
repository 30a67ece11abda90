import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib'
import type * as ecs from 'aws-cdk-lib/aws-ecs'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { Dashboard } from './dashboard.ts'
import { EDGE_GRACE_MS, EdgeFunction } from './edge-function.ts'
import { acknowledgeNagFindings } from './nag-suppressions.ts'
import { Network } from './network.ts'
import { PoolAlarms } from './pool-alarms.ts'
import { ORIGIN_READ_TIMEOUT_SEC, PublicEntry } from './public-entry.ts'
import { RateLimitAcl } from './rate-limit-acl.ts'
import { RUNNER_DISCOVERY_SERVICE, RunnerService } from './runner-service.ts'
import { Secrets } from './secrets.ts'
import { EDGE_SETTINGS } from '../../runner/contract/settings/edge-settings.ts'
import { RUNNER_PORT, type Settings } from './settings.ts'

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
  readonly secrets: Secrets
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  readonly entry: PublicEntry
  readonly alarms: PoolAlarms
  readonly dashboard: Dashboard

  constructor(scope: Construct, id: string, props: CrawlfleetStackProps) {
    super(scope, id, props)
    const s = props.settings
    const logRetention = s.logRetentionDays as logs.RetentionDays
    const oac = s.publicEntry.originAccess === 'oac'

    this.network = new Network(this, 'Network', { runnerPort: RUNNER_PORT, natGateways: s.natGateways, flowLogRetention: logRetention })
    this.secrets = new Secrets(this, 'Secrets', { originSecret: !oac })
    this.runners = new RunnerService(this, 'Runners', {
      vpc: this.network.vpc,
      securityGroup: this.network.runnerSecurityGroup,
      port: RUNNER_PORT,
      task: s.task,
      runners: s.runners,
      scaling: s.scaling,
      runnerEnv: s.runnerEnv,
      hmacSecret: this.secrets.hmac,
      metricsService: this.stackName,
      logRetention,
      image: props.runnerImage,
    })
    // answer a clean 504 before CloudFront gives up on the origin with its own
    const edgeDeadlineMs = (ORIGIN_READ_TIMEOUT_SEC - 5) * 1000
    // the edge waits up to its deadline plus EDGE_GRACE_MS for a runner's last bytes: the function must outlive that, and no more
    if (s.edge.timeoutSec * 1000 < edgeDeadlineMs + EDGE_GRACE_MS) throw new Error(`edgeTimeoutSec ${s.edge.timeoutSec} is shorter than the edge's deadline (${edgeDeadlineMs + EDGE_GRACE_MS} ms)`)
    this.edge = new EdgeFunction(this, 'Edge', {
      vpc: this.network.vpc,
      securityGroup: this.network.edgeSecurityGroup,
      memoryMiB: s.edge.memoryMiB,
      timeoutSec: s.edge.timeoutSec,
      urlAuth: oac ? lambda.FunctionUrlAuthType.AWS_IAM : lambda.FunctionUrlAuthType.NONE,
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
        ...(this.secrets.origin ? { [EDGE_SETTINGS.originSecretArn.env]: this.secrets.origin.secretArn } : {}),
        // answer a clean 504 before CloudFront gives up on the origin with its own
        [EDGE_SETTINGS.requestDeadlineMs.env]: String(edgeDeadlineMs),
      },
    })
    this.runners.grantDiscovery(this.edge.fn)
    this.secrets.grantEdgeRead(this.edge.fn)

    this.entry = new PublicEntry(this, 'Entry', {
      url: this.edge.url,
      originAccess: s.publicEntry.originAccess,
      originSecret: this.secrets.origin,
      webAclArn: this.webAclArn(s.publicEntry),
      domain: s.publicEntry.domainName && s.publicEntry.certificateArn ? { name: s.publicEntry.domainName, certificateArn: s.publicEntry.certificateArn } : undefined,
    })
    this.alarms = new PoolAlarms(this, 'Alarms', { runners: this.runners, edge: this.edge, thresholds: s.alarms })
    this.dashboard = new Dashboard(this, 'Dashboard', { runners: this.runners, edge: this.edge, alarms: this.alarms })
    acknowledgeNagFindings({ secrets: this.secrets, runners: this.runners, edge: this.edge, entry: this.entry, customDomain: s.publicEntry.domainName !== undefined })

    new CfnOutput(this, 'ApiUrl', { value: `https://${s.publicEntry.domainName ?? this.entry.distribution.distributionDomainName}` })
    new CfnOutput(this, 'ApiKeysSecretArn', { value: this.secrets.apiKeys.secretArn })
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn })
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName })
    new CfnOutput(this, 'ClusterName', { value: this.runners.cluster.clusterName })
  }

  /** CLOUDFRONT-scope WebACLs exist only in us-east-1: made here when the stack is there, else passed in. */
  private webAclArn(p: Settings['publicEntry']): string {
    if (p.webAclArn) return p.webAclArn
    if (Token.isUnresolved(this.region)) throw new Error('the stack needs a concrete region (CDK_DEFAULT_REGION) to decide where its WebACL lives')
    if (this.region === 'us-east-1') return new RateLimitAcl(this, 'RateLimit', { limitPer5Min: p.rateLimitPer5Min }).arn
    throw new Error(
      `CloudFront WebACLs live in us-east-1 and this stack is in ${this.region}: deploy the rate-limit stack first ` +
        '(npx cdk deploy CrawlfleetRateLimit -c crawlfleet:rateLimitStack=true) and pass its WebAclArn output as -c crawlfleet:webAclArn=<arn>',
    )
  }
}
