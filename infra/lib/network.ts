import { RemovalPolicy } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import type { Egress } from './settings.ts'

export interface NetworkProps {
  readonly runnerPort: number
  /**
   * `nat`: runners and the edge in private subnets, out through NAT gateways. `public`: runners in
   * public subnets with public IPs (their security group admits only the edge), the edge in
   * isolated subnets that reach the ECS and Secrets Manager APIs through interface endpoints; no NAT.
   * @default 'nat'
   */
  readonly egress?: Egress
  /** @default 2 (egress nat only) */
  readonly natGateways?: number
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly flowLogRetention?: logs.RetentionDays
}

/** Two AZs; the runner port open to the edge only; the runners out to the web, the edge to AWS APIs only. */
export class Network extends Construct {
  readonly vpc: ec2.Vpc
  readonly egress: Egress
  readonly edgeSecurityGroup: ec2.SecurityGroup
  readonly runnerSecurityGroup: ec2.SecurityGroup
  /** where the runner tasks run */
  readonly runnerSubnets: ec2.SubnetSelection
  /** true when the runner tasks need public IPs to reach the web (egress public) */
  readonly runnersNeedPublicIp: boolean
  /** where the edge function runs */
  readonly edgeSubnets: ec2.SubnetSelection
  /** the interface endpoints the edge uses instead of NAT (egress public only) */
  readonly endpoints: ec2.InterfaceVpcEndpoint[] = []

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id)
    this.egress = props.egress ?? 'nat'
    const nat = this.egress === 'nat'
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: nat ? (props.natGateways ?? 2) : 0,
      subnetConfiguration: nat
        ? [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
          ]
        : [
            // runners get public IPs here: no NAT gateway, no NAT data charge
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false },
            { name: 'edge', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ],
      // true would add a custom-resource Lambda only to empty a security group nothing uses
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        // rejected traffic only: the runners crawl the web, and accepted flows would be most of the log bill
        rejects: { trafficType: ec2.FlowLogTrafficType.REJECT, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) },
      },
    })
    this.runnerSubnets = { subnetType: nat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC }
    this.runnersNeedPublicIp = !nat
    this.edgeSubnets = { subnetType: nat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED }

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

    if (nat) {
      this.edgeSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Cloud Map, ECS and Secrets Manager APIs through the NAT')
      return
    }
    const endpointSg = new ec2.SecurityGroup(this, 'EndpointSg', {
      vpc: this.vpc,
      description: 'crawlfleet interface endpoints: HTTPS from the edge only',
      allowAllOutbound: false,
    })
    endpointSg.addIngressRule(this.edgeSecurityGroup, ec2.Port.tcp(443), 'edge to AWS APIs')
    this.edgeSecurityGroup.addEgressRule(endpointSg, ec2.Port.tcp(443), 'Cloud Map, ECS and Secrets Manager APIs through interface endpoints')
    const endpoint = (id: string, service: ec2.InterfaceVpcEndpointAwsService) =>
      this.vpc.addInterfaceEndpoint(id, { service, subnets: this.edgeSubnets, securityGroups: [endpointSg], open: false, privateDnsEnabled: true })
    // Cloud Map's DiscoverInstances is served by data-servicediscovery; ECS is the edge's fallback registry
    this.endpoints.push(
      endpoint('CloudMap', ec2.InterfaceVpcEndpointAwsService.CLOUD_MAP_DATA_SERVICE_DISCOVERY),
      endpoint('Ecs', ec2.InterfaceVpcEndpointAwsService.ECS),
      endpoint('SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
    )
  }
}
