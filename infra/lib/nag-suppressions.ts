import { Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'
import type { EdgeFunction } from './edge-function.ts'
import type { PublicEntry } from './public-entry.ts'
import type { RunnerService } from './runner-service.ts'
import type { Secrets } from './secrets.ts'

export interface NagScope {
  readonly secrets: Secrets
  readonly runners: RunnerService
  readonly edge: EdgeFunction
  readonly entry: PublicEntry
  readonly customDomain: boolean
}

const ack = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason })

/**
 * cdk-nag AwsSolutions findings this stack accepts, each on the narrowest construct and with the
 * reason. cdk-nag v3 matches a finding by its exact id, wildcard resources included.
 */
export function acknowledgeNagFindings(s: NagScope): void {
  for (const secret of [s.secrets.apiKeys, s.secrets.hmac, s.secrets.origin]) {
    ack(
      secret,
      'AwsSolutions-SMG4',
      'No rotation Lambda: each of these rotates in operator-run steps without downtime (infra/README.md runbook): API and HMAC keys are lists the edge and runners accept in full, and the edge accepts the origin secret\'s current and previous versions while CloudFront is moved to the new one.',
    )
  }

  const task = s.runners.taskDefinition
  ack(task, 'AwsSolutions-ECS2', 'The environment holds only non-secret pool settings and names; the one secret (the HMAC key) comes from Secrets Manager through the container secrets field.')
  ack(
    task.taskRole,
    'AwsSolutions-IAM5[Resource::*]',
    'cloudwatch:PutMetricData has no resource type; the statement is limited by the cloudwatch:namespace condition to the Crawlfleet namespace.',
  )
  ack(
    task.obtainExecutionRole(),
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken works only on "*"; image pulls themselves are scoped to the CDK asset repository.',
  )

  const role = s.edge.fn.role
  if (!role) throw new Error('the edge function has no role')
  const stack = Stack.of(s.edge)
  const cluster = stack.getLogicalId(s.runners.cluster.node.defaultChild as CfnResource)
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account
  // a literal once @aws-cdk/core:enablePartitionLiterals knows the region
  const partition = Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition
  ack(role, 'AwsSolutions-IAM5[Resource::*]', 'ecs:ListTasks has no task resource (Fargate has no container instances); the statement is limited to this cluster by the ecs:cluster condition.')
  ack(
    role,
    `AwsSolutions-IAM5[Resource::arn:${partition}:ecs:${region}:${account}:task/<${cluster}>/*]`,
    'Task ids are made at run time; ecs:DescribeTasks is limited to the tasks of this one cluster.',
  )
  for (const policy of ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']) {
    ack(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      'The AWS-managed Lambda execution policies (logs, and the ENI actions a function in a VPC needs, which take no narrower resource) track Lambda changes better than a copy would.',
    )
  }

  const distribution = s.entry.distribution
  ack(distribution, 'AwsSolutions-CFR1', 'A public rendering API meant for callers in any country; abuse is limited per IP by the WAF rate rule and by API keys.')
  ack(
    distribution,
    'AwsSolutions-CFR3',
    'Every request that reaches the origin is logged by the edge with its request id; blocked ones show in WAF sampled requests and metrics. CloudFront access logs would add an ACL-enabled bucket for the same facts.',
  )
  if (!s.customDomain) {
    ack(
      distribution,
      'AwsSolutions-CFR4',
      'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose minimum TLS version cannot be set; with crawlfleet:domainName the distribution requires TLS 1.2 (TLSv1.2_2021).',
    )
  }
}
