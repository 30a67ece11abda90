import { RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'

export interface NetworkProps {
  readonly runnerPort: number
  /** @default 2 */
  readonly natGateways?: number
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays
}

/** Two AZs; runners and the edge in private subnets with egress; the runner port open to the edge only. */
export class Network extends Construct {
  readonly vpc: ec2.Vpc
  readonly edgeSecurityGroup: ec2.SecurityGroup
  readonly runnerSecurityGroup: ec2.SecurityGroup

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id)
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways ?? 2,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      // true would add a custom-resource Lambda only to empty a security group nothing uses
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        // rejected traffic only: the runners crawl the web, and accepted flows would be most of the log bill
        rejects: { trafficType: ec2.FlowLogTrafficType.REJECT, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) },
      },
    })

    this.edgeSecurityGroup = new ec2.SecurityGroup(this, 'EdgeSg', {
      vpc: this.vpc,
      description: 'crawlfleet edge Lambda: out to the runners and to AWS APIs only',
      allowAllOutbound: false,
    })
    this.runnerSecurityGroup = new ec2.SecurityGroup(this, 'RunnerSg', {
      vpc: this.vpc,
      description: 'crawlfleet runners: in from the edge on the runner port; out to the web',
      // runners render arbitrary public sites, on any port a page links to
      allowAllOutbound: true,
    })
    this.runnerSecurityGroup.addIngressRule(this.edgeSecurityGroup, ec2.Port.tcp(props.runnerPort), 'edge to runner')
    this.edgeSecurityGroup.addEgressRule(this.runnerSecurityGroup, ec2.Port.tcp(props.runnerPort), 'edge to runner')
    this.edgeSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'ECS and Secrets Manager APIs through the NAT')
  }
}
