import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { METRIC_NAMESPACE } from '../../runner/contract/metric-names.ts'
import { RUNNER_PORT } from '../../infra/lib/settings.ts'
import { buildStack, idOf, propsOf } from './build-stack.ts'

const { app, stack, template } = buildStack({ context: { promoteAfterUses: 5, coldTtlSec: '120,60,30' }, runnerImage: null })
const taskDef = () => propsOf(template, idOf(stack.runners.taskDefinition))
const container = () => taskDef().ContainerDefinitions[0]

describe('RunnerService task definition', () => {
  it('sizes the task from context: 2 vCPU, 4 GiB, 30 GiB ephemeral storage, Fargate on x86', () => {
    expect(taskDef()).toMatchObject({
      Cpu: '2048',
      Memory: '4096',
      EphemeralStorage: { SizeInGiB: 30 },
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    })
  })

  it('gives the container an explicit memory limit, a 120 s stop timeout and a /health check', () => {
    expect(container()).toMatchObject({
      Memory: 4096,
      StopTimeout: 120,
      Essential: true,
      PortMappings: [{ ContainerPort: RUNNER_PORT, Protocol: 'tcp' }],
      HealthCheck: { Interval: 15, Timeout: 5, Retries: 3, StartPeriod: 60 },
    })
    const [kind, bin, flag, script] = container().HealthCheck.Command
    expect([kind, bin, flag]).toEqual(['CMD', 'node', '-e'])
    expect(script).toContain(`http://127.0.0.1:${RUNNER_PORT}/health`)
  })

  it('follows context for the size', () => {
    const t = buildStack({ context: { taskCpu: 4096, taskMemoryMiB: 8192, containerMemoryMiB: 7680 } })
    expect(propsOf(t.template, idOf(t.stack.runners.taskDefinition))).toMatchObject({ Cpu: '4096', Memory: '8192', ContainerDefinitions: [{ Memory: 7680 }] })
  })

  it('logs to a log group with retention without blocking the runner', () => {
    expect(container().LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: idOf(stack.runners.logGroup) }, mode: 'non-blocking' },
    })
    expect(propsOf(template, idOf(stack.runners.logGroup)).RetentionInDays).toBe(30)
  })

  it('passes the pool settings that were given, the fixed names, and the HMAC key as a secret', () => {
    const env = Object.fromEntries((container().Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]))
    expect(env).toMatchObject({
      CRAWLFLEET_PROMOTE_AFTER_USES: '5',
      CRAWLFLEET_COLD_TTL_SEC: '120,60,30',
      PORT: String(RUNNER_PORT),
      CRAWLFLEET_HOST: '0.0.0.0',
      CRAWLFLEET_STOP_TIMEOUT_MS: '100000',
      CRAWLFLEET_METRICS_SERVICE: 'Crawlfleet',
      CRAWLFLEET_CLOUDWATCH_PERIOD_SEC: '60',
      AWS_REGION: 'us-east-1',
    })
    expect(env).not.toHaveProperty('CRAWLFLEET_MAX_BROWSERS')
    expect(env).not.toHaveProperty('CRAWLFLEET_HMAC_SECRET')
    expect(container().Secrets).toEqual([{ Name: 'CRAWLFLEET_HMAC_SECRET', ValueFrom: { Ref: idOf(stack.secrets.hmac) } }])
  })

  it('builds its image from runner/Dockerfile at the repository root, staged without node_modules and with no Docker at synth', () => {
    const assembly = app.synth()
    const manifest = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'))
    const images = Object.values(manifest.dockerImages) as { source: { directory: string; dockerFile: string; platform: string } }[]
    expect(images).toHaveLength(1)
    expect(images[0].source).toMatchObject({ dockerFile: 'runner/Dockerfile', platform: 'linux/amd64' })
    const staged = join(assembly.directory, images[0].source.directory)
    for (const kept of ['runner/Dockerfile', 'runner/contract/metric-names.ts', 'package.json', 'package-lock.json']) expect(existsSync(join(staged, kept)), kept).toBe(true)
    for (const dropped of ['node_modules', 'infra', 'tests', 'edge', '.git']) expect(existsSync(join(staged, dropped)), dropped).toBe(false)
  })

  it('lets the runners publish metrics to the Crawlfleet namespace only', () => {
    const policy = propsOf(template, idOf(stack.runners.taskDefinition.taskRole.node.findChild('DefaultPolicy')))
    expect(policy.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } } },
    ])
  })
})

describe('RunnerService service', () => {
  it('has no DesiredCount, so a deploy keeps the count scaling reached; keeps capacity through deploys, rolls back a failed one, and stays private', () => {
    const service = propsOf(template, idOf(stack.runners.service))
    expect(service).not.toHaveProperty('DesiredCount')
    expect(service).toMatchObject({
      LaunchType: 'FARGATE',
      DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', SecurityGroups: [{ 'Fn::GetAtt': [idOf(stack.network.runnerSecurityGroup), 'GroupId'] }] } },
    })
    const privateSubnets = stack.network.vpc.privateSubnets.map((s) => ({ Ref: idOf(s) }))
    expect(service.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(privateSubnets)
  })

  it('registers every task in a private Cloud Map namespace, health passed on by ECS, for the edge to list', () => {
    const service = propsOf(template, idOf(stack.runners.service))
    const cloudMapService = stack.runners.service.cloudMapService!
    expect(service.ServiceRegistries).toEqual([{ RegistryArn: { 'Fn::GetAtt': [idOf(cloudMapService), 'Arn'] } }])
    expect(propsOf(template, idOf(cloudMapService))).toMatchObject({
      Name: 'runners',
      NamespaceId: { 'Fn::GetAtt': [idOf(stack.runners.namespace), 'Id'] },
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    })
    expect(propsOf(template, idOf(stack.runners.namespace))).toMatchObject({ Name: 'crawlfleet.internal', Vpc: { Ref: idOf(stack.network.vpc) } })
  })

  it('scales between minRunners and maxRunners: the minimum is what lifts a new service (created at 1) to its size', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' })
    const t = buildStack({ context: { minRunners: 3, maxRunners: 20 } })
    t.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 20 })
    expect(propsOf(t.template, idOf(t.stack.runners.service))).not.toHaveProperty('DesiredCount')
  })

  it('turns on Container Insights for the cluster (RunningTaskCount for the alarms)', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] })
  })
})
