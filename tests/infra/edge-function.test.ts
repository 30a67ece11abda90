import { describe, expect, it } from 'vitest'
import { RUNNER_ANSWER_GRACE_MS } from '../../runner/contract/deadlines.ts'
import { EDGE_DEADLINE_MS } from '../../infra/lib/crawlfleet-stack.ts'
import { RUNNER_PORT } from '../../infra/lib/settings.ts'
import { buildStack, iamStatements, idOf, propsOf, type Statement } from './build-stack.ts'

const { stack, template } = buildStack()
const fn = () => propsOf(template, idOf(stack.edge.fn))
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] })

describe('EdgeFunction', () => {
  it('runs on Node 22 or newer, in the private subnets, behind the edge security group', () => {
    const runtime = fn().Runtime as string
    expect(Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22)
    expect(fn().VpcConfig).toEqual({
      SecurityGroupIds: [{ 'Fn::GetAtt': [idOf(stack.network.edgeSecurityGroup), 'GroupId'] }],
      SubnetIds: stack.network.vpc.privateSubnets.map((s) => ({ Ref: idOf(s) })),
    })
    expect(fn().LoggingConfig).toEqual({ LogGroup: { Ref: idOf(stack.edge.logGroup) } })
  })

  it('is told where the runners and its secrets are', () => {
    expect(fn().Environment.Variables).toMatchObject({
      CRAWLFLEET_DISCOVERY: 'cloudmap',
      CRAWLFLEET_CLOUDMAP_NAMESPACE: 'crawlfleet.internal',
      CRAWLFLEET_CLOUDMAP_SERVICE: 'runners',
      CRAWLFLEET_ECS_CLUSTER: { Ref: idOf(stack.runners.cluster) },
      CRAWLFLEET_ECS_SERVICE: { 'Fn::GetAtt': [idOf(stack.runners.service), 'Name'] },
      CRAWLFLEET_RUNNER_PORT: String(RUNNER_PORT),
      CRAWLFLEET_API_KEYS_SECRET_ARN: { Ref: idOf(stack.secrets.apiKeys) },
      CRAWLFLEET_HMAC_SECRET_ARN: { Ref: idOf(stack.secrets.hmac) },
      CRAWLFLEET_ORIGIN_SECRET_ARN: { Ref: idOf(stack.secrets.origin) },
      CRAWLFLEET_REQUEST_DEADLINE_MS: '115000',
      // re-read secrets after 5 minutes, so a rotation needs no redeploy
      CRAWLFLEET_SECRETS_TTL_SEC: '300',
      // its metrics under the stack's name, like the runners'
      CRAWLFLEET_METRICS_SERVICE: 'Crawlfleet',
    })
  })

  it('times out just above the longest request the edge serves (its deadline plus its wait for the runner), not minutes later', () => {
    const longest = (EDGE_DEADLINE_MS + RUNNER_ANSWER_GRACE_MS) / 1000
    expect(longest).toBe(117)
    expect(fn().Timeout).toBe(120)
    expect(fn().Timeout).toBeGreaterThan(longest)
    expect(fn().Timeout - longest).toBeLessThanOrEqual(5)
    expect(() => buildStack({ context: { edgeTimeoutSec: 60 } })).toThrow(/edgeTimeoutSec \(60\) must be at least 118/)
  })

  it('may list the runners in Cloud Map, list and describe this cluster’s tasks, and read its secrets, and nothing else', () => {
    const policy = propsOf(template, idOf(stack.edge.fn.role!.node.findChild('DefaultPolicy')))
    const cluster = idOf(stack.runners.cluster)
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'servicediscovery:DiscoverInstances',
        Resource: '*',
        Condition: { StringEquals: { 'servicediscovery:NamespaceName': 'crawlfleet.internal', 'servicediscovery:ServiceName': 'runners' } },
      },
      { Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': arnOf(cluster) } } },
      {
        Effect: 'Allow',
        Action: 'ecs:DescribeTasks',
        // a literal partition: @aws-cdk/core:enablePartitionLiterals (cdk.json) and a known region
        Resource: { 'Fn::Join': ['', ['arn:aws:ecs:us-east-1:', { Ref: 'AWS::AccountId' }, ':task/', { Ref: cluster }, '/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [stack.secrets.apiKeys, stack.secrets.hmac, stack.secrets.origin].map((s) => ({ Ref: idOf(s) })),
      },
    ])
  })

  it('starts without source maps (they slow every cold start)', () => {
    expect(fn().Environment.Variables.NODE_OPTIONS).toBeUndefined()
  })

  it('streams through a function URL', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE', TargetFunctionArn: arnOf(idOf(stack.edge.fn)) })
  })

  it('with egress public: runs in the isolated subnets, reaching ECS and Secrets Manager through interface endpoints', () => {
    const t = buildStack({ context: { egress: 'public' } })
    const vpc = t.stack.network.vpc
    expect(vpc.isolatedSubnets).toHaveLength(2)
    expect(propsOf(t.template, idOf(t.stack.edge.fn)).VpcConfig.SubnetIds).toEqual(vpc.isolatedSubnets.map((s) => ({ Ref: idOf(s) })))
  })
})

// Where "*" is the only resource an action takes, the statement must say why it is still narrow (a condition).
const STAR_ALLOWED: Record<string, (s: Statement) => boolean> = {
  'ecs:ListTasks': (s) => s.Condition?.ArnEquals?.['ecs:cluster'] !== undefined,
  'servicediscovery:DiscoverInstances': (s) => s.Condition?.StringEquals?.['servicediscovery:NamespaceName'] !== undefined && s.Condition?.StringEquals?.['servicediscovery:ServiceName'] !== undefined,
  'cloudwatch:PutMetricData': (s) => s.Condition?.StringEquals?.['cloudwatch:namespace'] === 'Crawlfleet',
  'ecr:GetAuthorizationToken': () => true,
}

describe('IAM across the stack', () => {
  it.each([
    ['egress nat', {}],
    ['egress public', { egress: 'public' }],
  ])('uses "*" only for actions that take no narrower resource (%s)', (_mode, context) => {
    const statements = iamStatements(buildStack({ context }).template)
    expect(statements.length).toBeGreaterThan(5)
    for (const { policy, statement } of statements) {
      const resources = [statement.Resource].flat()
      const actions = [statement.Action].flat()
      for (const action of actions) expect(action, policy).not.toMatch(/\*/)
      if (!resources.includes('*')) continue
      for (const action of actions) {
        expect(STAR_ALLOWED[action], `${policy}: ${action} on "*"`).toBeDefined()
        expect(STAR_ALLOWED[action](statement), `${policy}: ${action} on "*" without its condition`).toBe(true)
      }
    }
  })
})
