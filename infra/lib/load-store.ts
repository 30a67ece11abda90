import { Names } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as elasticache from 'aws-cdk-lib/aws-elasticache'
import { Construct } from 'constructs'

export interface LoadStoreProps {
  readonly vpc: ec2.IVpc
  /** where the cache's endpoints live (two AZs) */
  readonly subnets: ec2.SubnetSelection
  /** who may connect: the edge function and the runners */
  readonly clients: readonly ec2.SecurityGroup[]
}

/** Valkey's port on ElastiCache Serverless (TLS only) */
export const LOAD_STORE_PORT = 6379

/**
 * The load store (runner/contract/load-store.ts): ElastiCache Serverless for Valkey, reachable from
 * the edge and the runners only, inside the VPC. Serverless: no node to size, replicated across
 * AZs, TLS in transit and encryption at rest by default; its smallest bill is its 100 MB storage
 * minimum, and one pick or one runner write is one small Lua call.
 */
export class LoadStore extends Construct {
  readonly cache: elasticache.CfnServerlessCache
  readonly securityGroup: ec2.SecurityGroup
  /** what CRAWLFLEET_LOAD_STORE_URL is set to */
  readonly url: string

  constructor(scope: Construct, id: string, props: LoadStoreProps) {
    super(scope, id)
    this.securityGroup = new ec2.SecurityGroup(this, 'Sg', {
      vpc: props.vpc,
      description: 'crawlfleet load store: Valkey from the edge and the runners only',
      allowAllOutbound: false,
    })
    for (const client of props.clients) {
      this.securityGroup.addIngressRule(client, ec2.Port.tcp(LOAD_STORE_PORT), 'load store clients')
      client.addEgressRule(this.securityGroup, ec2.Port.tcp(LOAD_STORE_PORT), 'to the load store')
    }
    this.cache = new elasticache.CfnServerlessCache(this, 'Cache', {
      engine: 'valkey',
      majorEngineVersion: '8',
      serverlessCacheName: Names.uniqueResourceName(this, { maxLength: 40, separator: '-' }).toLowerCase(),
      description: 'crawlfleet runner load: edges pick the least loaded runner here',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
    })
    this.url = `rediss://${this.cache.attrEndpointAddress}:${this.cache.attrEndpointPort}`
  }
}
