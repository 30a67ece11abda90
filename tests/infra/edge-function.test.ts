import { describe, expect, it } from 'vitest'
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
      CRAWLFLEET_ORIGIN_SECRET_ARN: { Ref: idOf(stack.secrets.origin!) },
      CRAWLFLEET_REQUEST_DEADLINE_MS: '115000',
    })
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
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:', { Ref: 'AWS::AccountId' }, ':task/', { Ref: cluster }, '/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [stack.secrets.apiKeys, stack.secrets.hmac, stack.secrets.origin!].map((s) => ({ Ref: idOf(s) })),
      },
    ])
  })

  it('times out just above the edge’s deadline (115 s + 2 s grace), not minutes later', () => {
    expect(fn().Timeout).toBe(120)
    expect(() => buildStack({ context: { edgeTimeoutSec: 100 } })).toThrow(/edgeTimeoutSec 100/)
  })

  it('starts without source maps (they slow every cold start)', () => {
    expect(fn().Environment.Variables.NODE_OPTIONS).toBeUndefined()
  })

  it('streams through a function URL', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'NONE', TargetFunctionArn: arnOf(idOf(stack.edge.fn)) })
  })

  it('takes only IAM-signed calls on its URL in oac mode', () => {
    buildStack({ context: { originAccess: 'oac' } }).template.hasResourceProperties('AWS::Lambda::Url', { InvokeMode: 'RESPONSE_STREAM', AuthType: 'AWS_IAM' })
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
    ['origin-secret', {}],
    ['oac', { originAccess: 'oac' }],
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
