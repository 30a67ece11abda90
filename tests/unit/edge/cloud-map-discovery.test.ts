import { DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs'
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cloudDeps } from '../../../edge/cloud-deps.ts'
import { readEdgeConfig } from '../../../edge/config.ts'
import { cachedDiscovery, withFallback } from '../../../edge/discovery/cached.ts'
import { listCloudMapRunners } from '../../../edge/discovery/cloud-map.ts'
import { silentLogger } from '../../../edge/core/logger.ts'
import { createEdgeApp } from '../../../edge/app.ts'
import { startFakeRunner, type FakeRunner } from './support.ts'

const sd = mockClient(ServiceDiscoveryClient)
const ecs = mockClient(ECSClient)
const instance = (ip: string, port?: number) => ({
  InstanceId: `task-${ip}`,
  HealthStatus: 'HEALTHY' as const,
  Attributes: { AWS_INSTANCE_IPV4: ip, ...(port ? { AWS_INSTANCE_PORT: String(port) } : {}), ECS_CLUSTER_NAME: 'crawlfleet' },
})
const fakeClock = () => {
  let t = 1_000
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}
const runners: FakeRunner[] = []

beforeEach(() => {
  sd.reset()
  ecs.reset()
})
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()))
})
afterAll(() => {
  sd.restore()
  ecs.restore()
})

describe('Cloud Map discovery', () => {
  it('lists the healthy instances of the service with one DiscoverInstances call, port from the instance or the setting', async () => {
    sd.on(DiscoverInstancesCommand).resolves({ Instances: [instance('10.0.1.9', 8000), instance('10.0.1.7'), { InstanceId: 'no-ip', Attributes: {} }] })
    const list = await listCloudMapRunners({ client: async () => new ServiceDiscoveryClient({}), namespace: 'crawlfleet.internal', service: 'runners', runnerPort: 11235 })
    expect(list).toEqual([
      { id: '10.0.1.7:11235', url: 'http://10.0.1.7:11235' },
      { id: '10.0.1.9:8000', url: 'http://10.0.1.9:8000' },
    ])
    const calls = sd.commandCalls(DiscoverInstancesCommand)
    expect(calls).toHaveLength(1)
    expect(calls[0].args[0].input).toEqual({ NamespaceName: 'crawlfleet.internal', ServiceName: 'runners', HealthStatus: 'HEALTHY_OR_ELSE_ALL', MaxResults: 1000 })
  })

  it('reads the registry once per TTL, however many requests ask, with the refresh time jittered per instance', async () => {
    let calls = 0
    const clock = fakeClock()
    const source = async () => (calls++, [{ id: 'a:1', url: 'http://a:1' }])
    const d = cachedDiscovery({ source, name: 'test', clock, logger: silentLogger, ttlMs: 300_000, jitter: 0.1, random: () => 1 })
    for (let i = 0; i < 50; i++) await d.runners()
    expect(calls).toBe(1)
    clock.advance(329_999) // random() = 1: this instance refreshes at ttl × 1.1
    await d.runners()
    expect(calls).toBe(1)
    clock.advance(1)
    await d.runners()
    await expect.poll(() => calls).toBe(2)
  })

  it('asks again after invalidate() only when the list is old enough: a dead runner does not cost every instance a call', async () => {
    let calls = 0
    const clock = fakeClock()
    const d = cachedDiscovery({ source: async () => (calls++, []), name: 'test', clock, logger: silentLogger, ttlMs: 300_000, minForcedAgeMs: 30_000 })
    await d.runners()
    d.invalidate()
    clock.advance(29_999)
    await d.runners()
    expect(calls).toBe(1)
    clock.advance(1)
    await d.runners()
    await expect.poll(() => calls).toBe(2)
  })

  it('falls back when Cloud Map fails, is empty, or has not answered within the wait', async () => {
    const fallbackList = [{ id: 'f:1', url: 'http://f:1' }]
    const fallback = async () => fallbackList
    const o = { waitMs: 50, logger: silentLogger, name: 'Cloud Map' }
    expect(await withFallback(async () => Promise.reject(new Error('RequestLimitExceeded')), fallback, o)()).toBe(fallbackList)
    expect(await withFallback(async () => [], fallback, o)()).toBe(fallbackList)
    const hanging = () => new Promise<never>(() => {})
    const started = performance.now()
    expect(await withFallback(hanging, fallback, o)()).toBe(fallbackList)
    expect(performance.now() - started).toBeLessThan(5_000)
    const primaryList = [{ id: 'p:1', url: 'http://p:1' }]
    expect(await withFallback(async () => primaryList, fallback, o)()).toBe(primaryList)
  })
})

describe('the cloud edge with Cloud Map', () => {
  const env = (over: Record<string, string> = {}) =>
    readEdgeConfig({
      CRAWLFLEET_DISCOVERY: 'cloudmap',
      CRAWLFLEET_CLOUDMAP_NAMESPACE: 'crawlfleet.internal',
      CRAWLFLEET_CLOUDMAP_SERVICE: 'runners',
      CRAWLFLEET_API_KEYS: 'k',
      CRAWLFLEET_LOG_LEVEL: 'silent',
      ...over,
    })
  const post = (app: ReturnType<typeof createEdgeApp>) =>
    app.request('/html', { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify({ url: 'http://93.184.215.14/' }) })
  const fakeRunner = async (id: string) => {
    const r = await startFakeRunner((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-runner-id': id, 'x-crawlfleet-load': '0.000' })
      res.end(req.url === '/ready' ? '{"ready":true}' : '{"success":true}')
    })
    runners.push(r)
    return r
  }

  it('routes to a runner that Cloud Map lists', async () => {
    const runner = await fakeRunner('from-cloud-map')
    sd.on(DiscoverInstancesCommand).resolves({ Instances: [instance('127.0.0.1', Number(new URL(runner.url).port))] })
    const app = createEdgeApp(cloudDeps(env(), { serviceDiscovery: new ServiceDiscoveryClient({}), logger: silentLogger }))
    const res = await post(app)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe('from-cloud-map')
  })

  it('serves a cold instance from ECS when Cloud Map does not answer within the cold wait', async () => {
    const runner = await fakeRunner('from-ecs')
    sd.on(DiscoverInstancesCommand).callsFake(() => new Promise(() => {}))
    ecs.on(ListTasksCommand).resolves({ taskArns: ['arn:task/1'] })
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: 'arn:task/1', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '127.0.0.1' }] }] }],
    })
    const config = env({ CRAWLFLEET_ECS_CLUSTER: 'crawlfleet', CRAWLFLEET_RUNNER_PORT: new URL(runner.url).port, CRAWLFLEET_DISCOVERY_COLD_WAIT_MS: '100' })
    const app = createEdgeApp(cloudDeps(config, { serviceDiscovery: new ServiceDiscoveryClient({}), ecs: new ECSClient({}), logger: silentLogger }))
    const res = await post(app)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe('from-ecs')
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1)
  })

  it('falls back to the static list when Cloud Map fails and no ECS cluster is set', async () => {
    const runner = await fakeRunner('from-static')
    sd.on(DiscoverInstancesCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' }))
    const app = createEdgeApp(cloudDeps(env({ CRAWLFLEET_RUNNERS: runner.url }), { serviceDiscovery: new ServiceDiscoveryClient({}), logger: silentLogger }))
    const res = await post(app)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-runner-id')).toBe('from-static')
  })
})
