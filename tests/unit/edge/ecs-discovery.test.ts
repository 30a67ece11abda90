import { DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from '@aws-sdk/client-ecs'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { ecsDiscovery } from '../../../edge/discovery/ecs.ts'
import { routableAddress } from '../../../edge/discovery/ecs-tasks.ts'
import { silentLogger, type EdgeLogger } from '../../../edge/core/logger.ts'
import { NoRunnerError } from '../../../runner/contract/errors.ts'

const ecs = mockClient(ECSClient)
const arn = (i: number) => `arn:aws:ecs:eu-west-1:123456789012:task/crawlfleet/${i.toString(16).padStart(32, '0')}`
const ipOf = (i: number) => `10.0.${i >> 8}.${i & 255}`

function task(i: number, over: Partial<Task> = {}): Task {
  return {
    taskArn: arn(i),
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthStatus: 'HEALTHY',
    attachments: [{ type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'subnetId', value: 'subnet-1' }, { name: 'privateIPv4Address', value: ipOf(i) }] }],
    ...over,
  }
}

/** A fake cluster: ListTasks pages of `pageSize`, DescribeTasks from the given tasks. */
function serveCluster(tasks: Task[], pageSize = 100) {
  const describeBatches: number[] = []
  ecs.on(ListTasksCommand).callsFake((input: { nextToken?: string; desiredStatus?: string }) => {
    expect(input.desiredStatus).toBe('RUNNING')
    const start = Number(input.nextToken ?? 0)
    const page = tasks.slice(start, start + pageSize).map((t) => t.taskArn!)
    return { taskArns: page, nextToken: start + pageSize < tasks.length ? String(start + pageSize) : undefined }
  })
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
    describeBatches.push(input.tasks.length)
    return { tasks: tasks.filter((t) => input.tasks.includes(t.taskArn!)), failures: [] }
  })
  return { describeBatches }
}

function fakeClock() {
  let t = 1_000
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

const recordingLogger = () => {
  const warnings: string[] = []
  const logger: EdgeLogger = { ...silentLogger, warn: (_o, msg) => void warnings.push(msg ?? '') }
  return { logger, warnings }
}

beforeEach(() => ecs.reset())

describe('ECS discovery', () => {
  it('reads every page of ListTasks and describes tasks in batches of at most 100', async () => {
    const { describeBatches } = serveCluster(Array.from({ length: 250 }, (_, i) => task(i)), 100)
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'crawlfleet', serviceName: 'runners', runnerPort: 11235, clock: fakeClock(), logger: silentLogger })
    const runners = await d.runners()
    expect(runners).toHaveLength(250)
    expect(runners.find((r) => r.id === '10.0.0.7:11235')?.url).toBe('http://10.0.0.7:11235')
    expect(describeBatches.sort((a, b) => a - b)).toEqual([50, 100, 100])
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(3)
    expect(ecs.commandCalls(ListTasksCommand)[0].args[0].input).toMatchObject({ cluster: 'crawlfleet', serviceName: 'runners' })
  })

  it('keeps RUNNING tasks that are healthy or not yet checked; drops stopped, stopping, unhealthy and address-less ones', async () => {
    serveCluster([
      task(1),
      task(2, { healthStatus: 'UNKNOWN' }),
      task(3, { healthStatus: 'UNHEALTHY' }),
      task(4, { lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }),
      task(5, { lastStatus: 'PROVISIONING' }),
      task(6, { desiredStatus: 'STOPPED' }),
      task(7, { attachments: [{ type: 'ElasticNetworkInterface', status: 'PRECREATED', details: [] }] }),
      task(8, { attachments: [], containers: [{ networkInterfaces: [{ privateIpv4Address: '10.0.9.9' }] }] }),
    ])
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 11235, clock: fakeClock(), logger: silentLogger })
    expect((await d.runners()).map((r) => r.id)).toEqual(['10.0.0.1:11235', '10.0.0.2:11235', '10.0.9.9:11235'])
  })

  it('serves the cached list within the TTL and refreshes once after it, one refresh at a time', async () => {
    serveCluster([task(1)])
    const clock = fakeClock()
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 1, ttlMs: 10_000, clock, logger: silentLogger })
    await Promise.all([d.runners(), d.runners(), d.runners()])
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1)
    clock.advance(9_999)
    await d.runners()
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1)
    clock.advance(1)
    ecs.reset()
    const fresh = serveCluster([task(1), task(2)])
    // a stale list is served while the refresh runs in the background; concurrent callers share it
    const stale = await Promise.all([d.runners(), d.runners()])
    expect(stale.map((l) => l.length)).toEqual([1, 1])
    await expect.poll(() => ecs.commandCalls(ListTasksCommand).length).toBe(1)
    await expect.poll(async () => (await d.runners()).length).toBe(2)
    expect(fresh.describeBatches).toEqual([2])
  })

  it('keeps the last good list when ECS throttles or fails, and waits before asking again', async () => {
    serveCluster([task(1), task(2)])
    const clock = fakeClock()
    const { logger, warnings } = recordingLogger()
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 1, ttlMs: 1_000, retryAfterErrorMs: 5_000, clock, logger })
    expect(await d.runners()).toHaveLength(2)
    ecs.reset()
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })
    ecs.on(ListTasksCommand).rejects(throttled)
    clock.advance(1_000)
    expect(await d.runners()).toHaveLength(2)
    await expect.poll(() => warnings.length).toBe(1)
    expect(await d.runners()).toHaveLength(2)
    clock.advance(4_999)
    expect(await d.runners()).toHaveLength(2)
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1)
    clock.advance(1)
    await d.runners()
    await expect.poll(() => ecs.commandCalls(ListTasksCommand).length).toBe(2)
  })

  it('refreshes a list that is too old before using it (a thawed Lambda), falling back to it on error', async () => {
    serveCluster([task(1)])
    const clock = fakeClock()
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 1, ttlMs: 1_000, maxStaleMs: 60_000, clock, logger: silentLogger })
    await d.runners()
    ecs.reset()
    serveCluster([task(5), task(6)])
    clock.advance(61_000)
    expect((await d.runners()).map((r) => r.id)).toEqual(['10.0.0.5:1', '10.0.0.6:1'])
    ecs.reset()
    ecs.on(ListTasksCommand).rejects(new Error('boom'))
    clock.advance(61_000)
    expect(await d.runners()).toHaveLength(2)
  })

  it('refreshes early after invalidate() (a connection failure), at most once per interval', async () => {
    serveCluster([task(1)])
    const clock = fakeClock()
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 1, ttlMs: 60_000, minForcedIntervalMs: 1_000, clock, logger: silentLogger })
    await d.runners()
    d.invalidate()
    await d.runners()
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1) // the first read was just now
    clock.advance(1_000)
    await d.runners()
    await expect.poll(() => ecs.commandCalls(ListTasksCommand).length).toBe(2)
    await expect.poll(async () => (await d.runners(), ecs.commandCalls(ListTasksCommand).length)).toBe(2)
    clock.advance(5_000)
    await d.runners()
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(2) // no longer forced, TTL not reached
  })

  it('answers 503 NO_RUNNER when the very first read fails, and does not hammer ECS afterwards', async () => {
    ecs.on(ListTasksCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
    const clock = fakeClock()
    const d = ecsDiscovery({ client: new ECSClient({}), cluster: 'c', runnerPort: 1, retryAfterErrorMs: 2_000, clock, logger: silentLogger })
    await expect(d.runners()).rejects.toBeInstanceOf(NoRunnerError)
    const second = await d.runners().catch((e: unknown) => e)
    expect(second).toBeInstanceOf(NoRunnerError)
    expect((second as NoRunnerError).retryAfterSec).toBe(2)
    expect(ecs.commandCalls(ListTasksCommand)).toHaveLength(1)
  })
})

describe('routableAddress', () => {
  it('prefers the ENI attachment address', () => {
    expect(routableAddress(task(3))).toBe('10.0.0.3')
  })
})
