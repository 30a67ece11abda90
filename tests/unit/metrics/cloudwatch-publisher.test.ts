import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { METRIC, METRIC_NAMESPACE, SERVICE_DIMENSION } from '../../../runner/contract/metric-names.ts'
import {
  chunk,
  createCloudWatchPublisher,
  cloudWatchPublisherFor,
  latencyStats,
  MAX_DATA_PER_CALL,
  type CloudWatchPublisherOptions,
} from '../../../runner/metrics/cloudwatch-publisher.ts'
import { readRunnerConfig } from '../../../runner/config.ts'
import type { RunnerStats } from '../../../runner/metrics/runner-stats.ts'
import type { PoolCounters } from '../../../runner/pool/types.ts'
import type { Clock } from '../../../runner/util/clock.ts'

const cw = mockClient(CloudWatchClient)

/** Time moves only when the test says so; due sleepers wake in order, and promise chains settle between them. */
function fakeClock() {
  let nowMs = 0
  let seq = 0
  const timers: { at: number; seq: number; wake: () => void }[] = []
  const clock: Clock = {
    now: () => nowMs,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason)
        const onAbort = () => {
          timers.splice(timers.indexOf(t), 1)
          reject(signal?.reason)
        }
        const t = {
          at: nowMs + Math.max(0, ms),
          seq: seq++,
          wake: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          },
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        timers.push(t)
      }),
  }
  const settle = () => new Promise<void>((r) => setImmediate(r))
  async function advance(ms: number): Promise<void> {
    const end = nowMs + ms
    await settle()
    for (;;) {
      const next = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!next) break
      timers.splice(timers.indexOf(next), 1)
      nowMs = next.at
      next.wake()
      await settle()
    }
    nowMs = end
    await settle()
  }
  return { clock, advance, timers: () => timers.length }
}

const counters = (c: Partial<PoolCounters> = {}): PoolCounters => ({
  hits: 0, misses: 0, launches: 0, launchFailures: 0, promotions: 0, evictions: 0, retirements: 0, crashes: 0, refusals: {}, ...c,
})

const stats = (s: Partial<RunnerStats> = {}): RunnerStats => ({
  memoryPressurePct: 40,
  memoryUsedBytes: 1_600_000_000,
  memoryLimitBytes: 4_000_000_000,
  cpuPct: 55,
  browsers: { permanent: 1, hot: 2, cold: 3 },
  leasedPages: 4,
  queueDepth: 5,
  counters: counters(),
  ...s,
})

function setup(o: Partial<CloudWatchPublisherOptions> & { reads?: RunnerStats[] } = {}) {
  const fc = fakeClock()
  const warnings: { obj: object; msg: string }[] = []
  const reads = o.reads ?? [stats()]
  let i = 0
  const publisher = createCloudWatchPublisher({
    client: new CloudWatchClient({ region: 'us-east-1' }),
    read: async () => reads[Math.min(i++, reads.length - 1)],
    clock: fc.clock,
    service: 'crawlfleet-test',
    random: () => 0,
    log: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...o,
  })
  return { ...fc, publisher, warnings, readCount: () => i }
}

const calls = () => cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input)
const data = (callIndex = 0): MetricDatum[] => calls()[callIndex]?.MetricData ?? []
const named = (d: MetricDatum[], name: string, reason?: string) =>
  d.filter((x) => x.MetricName === name && x.Dimensions?.find((dim) => dim.Name === 'Reason')?.Value === reason)

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })
const serverError = () => Object.assign(new Error('Internal'), { name: 'InternalServiceFault', $metadata: { httpStatusCode: 500 } })
const connectionRefused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })

beforeEach(() => {
  cw.reset()
  cw.on(PutMetricDataCommand).resolves({})
})
afterEach(() => cw.reset())

describe('payload', () => {
  it('uses the metric names, units and namespace of the shared contract, with only the Service dimension', async () => {
    const { publisher } = setup()
    await publisher.flush()

    expect(calls()).toHaveLength(1)
    expect(calls()[0].Namespace).toBe(METRIC_NAMESPACE)
    const byName = new Map(Object.values(METRIC).map((m) => [m.cw, m]))
    for (const d of data()) {
      const m = byName.get(d.MetricName ?? '')
      expect(m, d.MetricName).toBeDefined()
      expect(d.Unit).toBe(m?.cwUnit)
      const dims = d.Dimensions ?? []
      expect(dims[0]).toEqual({ Name: SERVICE_DIMENSION, Value: 'crawlfleet-test' })
      expect(dims.slice(1).map((x) => x.Name)).toEqual(d.MetricName === METRIC.refusals.cw && dims.length > 1 ? ['Reason'] : [])
    }
    expect(named(data(), METRIC.memoryPressurePct.cw)[0].StatisticValues).toEqual({ SampleCount: 1, Sum: 40, Minimum: 40, Maximum: 40 })
    expect(named(data(), METRIC.browsersCold.cw)[0].StatisticValues).toEqual({ SampleCount: 1, Sum: 3, Minimum: 3, Maximum: 3 })
    expect(named(data(), METRIC.heartbeat.cw)).toEqual([expect.objectContaining({ Value: 1 })])
    for (const m of [METRIC.cpuPct, METRIC.memoryUsedBytes, METRIC.browsersPermanent, METRIC.browsersHot, METRIC.leasedPages, METRIC.queueDepth]) {
      expect(named(data(), m.cw), m.cw).toHaveLength(1)
    }
  })

  it('publishes the scaling gauges (slot load, queue wait) when the runner reports them, and nothing for them when it does not', async () => {
    const { publisher } = setup({ reads: [stats({ slotLoadPct: 125, queueWaitMs: 800 })] })
    await publisher.flush()
    expect(named(data(), METRIC.slotLoadPct.cw)[0]).toMatchObject({ Unit: 'Percent', StatisticValues: { SampleCount: 1, Sum: 125, Minimum: 125, Maximum: 125 } })
    expect(named(data(), METRIC.queueWaitMs.cw)[0]).toMatchObject({ Unit: 'Milliseconds', StatisticValues: { SampleCount: 1, Sum: 800, Minimum: 800, Maximum: 800 } })
    cw.resetHistory()
    const bare = setup()
    await bare.publisher.flush()
    expect(named(data(), METRIC.slotLoadPct.cw)).toEqual([])
    expect(named(data(), METRIC.queueWaitMs.cw)).toEqual([])
  })

  it('turns the samples of one period into a statistic set per gauge and publishes once per period', async () => {
    const reads = [10, 20, 30, 40, 50, 60, 90].map((memoryPressurePct) => stats({ memoryPressurePct }))
    const { publisher, advance } = setup({ reads })
    publisher.start()

    await advance(59_999)
    expect(calls()).toHaveLength(0)
    await advance(1)
    expect(calls()).toHaveLength(1)
    expect(named(data(0), METRIC.memoryPressurePct.cw)[0].StatisticValues).toEqual({ SampleCount: 6, Sum: 210, Minimum: 10, Maximum: 60 })

    await advance(60_000)
    expect(calls()).toHaveLength(2)
    expect(named(data(1), METRIC.memoryPressurePct.cw)[0].StatisticValues).toEqual({ SampleCount: 6, Sum: 540, Minimum: 90, Maximum: 90 })
    expect(named(data(1), METRIC.heartbeat.cw)).toHaveLength(1)
    await publisher.stop()
  })

  it('publishes counters as deltas since the last publish, refusals in total and by known reason', async () => {
    const reads = [
      stats({ counters: counters({ hits: 10, misses: 2, launches: 2, crashes: 1, refusals: { queue_full: 3, memory: 1 } }) }),
      stats({ counters: counters({ hits: 25, misses: 2, launches: 4, crashes: 1, refusals: { queue_full: 5, memory: 1, mystery: 2 } }) }),
    ]
    const { publisher } = setup({ reads })
    await publisher.flush()
    await publisher.flush()

    expect(named(data(0), METRIC.poolHits.cw)[0].Value).toBe(10)
    expect(named(data(1), METRIC.poolHits.cw)[0].Value).toBe(15)
    expect(named(data(1), METRIC.poolMisses.cw)[0].Value).toBe(0)
    expect(named(data(1), METRIC.launches.cw)[0].Value).toBe(2)
    expect(named(data(1), METRIC.crashes.cw)[0].Value).toBe(0)
    expect(named(data(0), METRIC.refusals.cw)[0].Value).toBe(4)
    // the unknown reason counts in the total but gets no metric of its own
    expect(named(data(1), METRIC.refusals.cw)[0].Value).toBe(4)
    expect(named(data(1), METRIC.refusals.cw, 'queue_full')[0].Value).toBe(2)
    expect(named(data(1), METRIC.refusals.cw, 'memory')[0].Value).toBe(0)
    expect(named(data(1), METRIC.refusals.cw, 'mystery')).toHaveLength(0)
  })

  it('takes its deltas from a copy, so a runner handing out its live counters still gets them right', async () => {
    const live = counters({ hits: 1 })
    const { publisher } = setup({ reads: [stats({ counters: live })] })
    await publisher.flush()
    live.hits = 4
    await publisher.flush()
    expect(named(data(1), METRIC.poolHits.cw)[0].Value).toBe(3)
  })

  it('skips NaN and Infinity instead of sending them', async () => {
    const reads = [stats({ memoryPressurePct: Number.NaN, cpuPct: Number.POSITIVE_INFINITY, queueDepth: 2 }), stats({ memoryPressurePct: 30, cpuPct: null, queueDepth: Number.NaN })]
    const { publisher, advance } = setup({ reads, periodMs: 20_000 })
    publisher.start()
    await advance(20_000)

    expect(named(data(), METRIC.memoryPressurePct.cw)[0].StatisticValues).toEqual({ SampleCount: 1, Sum: 30, Minimum: 30, Maximum: 30 })
    expect(named(data(), METRIC.queueDepth.cw)[0].StatisticValues).toEqual({ SampleCount: 1, Sum: 2, Minimum: 2, Maximum: 2 })
    expect(named(data(), METRIC.cpuPct.cw)).toHaveLength(0)
    expect(JSON.stringify(calls())).not.toMatch(/null|NaN|Infinity/)
    await publisher.stop()
  })

  it('publishes request latency as a statistic set when the runner reports it', async () => {
    const buckets = (a: number, b: number, c: number) => [{ leMs: 100, count: a }, { leMs: 500, count: b }, { leMs: 2000, count: c }]
    const reads = [
      stats({ requestLatency: { count: 4, sumMs: 400, buckets: buckets(2, 4, 4) } }),
      stats({ requestLatency: { count: 7, sumMs: 1900, buckets: buckets(2, 5, 7) } }),
    ]
    const { publisher } = setup({ reads })
    await publisher.flush()
    await publisher.flush()
    // 3 requests, 1500 ms: one in (100, 500], two in (500, 2000]
    expect(named(data(1), METRIC.requestLatency.cw)[0].StatisticValues).toEqual({ SampleCount: 3, Sum: 1500, Minimum: 100, Maximum: 2000 })
  })
})

describe('latencyStats', () => {
  it('keeps the mean inside [min, max] and falls back to the mean without buckets or above the last bucket', () => {
    expect(latencyStats(undefined, { count: 2, sumMs: 300 })).toEqual({ count: 2, sum: 300, min: 150, max: 150 })
    expect(latencyStats({ count: 2, sumMs: 300 }, { count: 2, sumMs: 300 })).toBeUndefined()
    const now = { count: 2, sumMs: 9000, buckets: [{ leMs: 100, count: 0 }, { leMs: 1000, count: 1 }] }
    expect(latencyStats(undefined, now)).toEqual({ count: 2, sum: 9000, min: 100, max: 4500 })
  })
})

describe('batching', () => {
  it('splits into calls of at most maxDataPerCall and loses nothing', async () => {
    const { publisher } = setup({ maxDataPerCall: 5 })
    await publisher.flush()
    const all = calls().flatMap((c) => c.MetricData ?? [])
    expect(calls().length).toBe(Math.ceil(all.length / 5))
    expect(calls().length).toBeGreaterThan(2)
    for (const c of calls()) expect(c.MetricData?.length).toBeLessThanOrEqual(5)
    expect(new Set(all.map((d) => d.MetricName))).toContain(METRIC.queueDepth.cw)
  })

  it('chunks at the PutMetricData limit', () => {
    expect(chunk(Array.from({ length: 2500 }, (_, i) => i), MAX_DATA_PER_CALL).map((c) => c.length)).toEqual([1000, 1000, 500])
    expect(() => setup({ maxDataPerCall: 1001 })).toThrow(/maxDataPerCall/)
  })
})

describe('failures', () => {
  it('retries throttling and 5xx with growing backoff, then succeeds', async () => {
    cw.on(PutMetricDataCommand).rejectsOnce(throttled()).rejectsOnce(serverError()).resolves({})
    const { publisher, advance, warnings } = setup({ retryBaseMs: 1000 })
    let done = false
    const flushed = publisher.flush().then(() => (done = true))

    await advance(0)
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1)
    await advance(499) // random() = 0: backoffs are 500 ms, then 1000 ms
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1)
    await advance(1)
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(2)
    await advance(1000)
    await flushed
    expect(done).toBe(true)
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(3)
    expect(warnings).toEqual([])
  })

  it('does not retry a request CloudWatch rejected as invalid', async () => {
    cw.on(PutMetricDataCommand).rejects(Object.assign(new Error('bad'), { name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } }))
    const { publisher, warnings } = setup()
    await publisher.flush()
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0].obj).toMatchObject({ event: 'cloudwatch_dropped', attempts: 1 })
  })

  it('keeps sampling and publishing every period while CloudWatch is down, throwing nothing', async () => {
    cw.on(PutMetricDataCommand).rejects(connectionRefused())
    const { publisher, advance, warnings, readCount } = setup({ maxAttempts: 3 })
    publisher.start()
    await advance(10 * 60_000 + 5_000) // past the last period's two backoffs

    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(10 * 3)
    expect(warnings.filter((w) => (w.obj as { event?: string }).event === 'cloudwatch_dropped')).toHaveLength(10)
    expect(readCount()).toBe(60)

    cw.on(PutMetricDataCommand).resolves({})
    await advance(60_000)
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(31)
    await expect(publisher.stop()).resolves.toBeUndefined()
  })

  it('bounds what it holds when sends hang: later periods are dropped, not queued', async () => {
    cw.on(PutMetricDataCommand).callsFake(() => new Promise(() => undefined))
    const { publisher, advance, warnings, timers } = setup({ attemptTimeoutMs: 3_600_000, maxPendingPeriods: 2 })
    publisher.start()
    await advance(10 * 60_000)

    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(2)
    expect(warnings.filter((w) => w.msg.includes('dropped this one'))).toHaveLength(8)
    expect(timers()).toBeLessThanOrEqual(4) // the loop's sleep and the sends' timeouts, nothing per dropped period

    const stopped = publisher.stop()
    await advance(3_600_000)
    await expect(stopped).resolves.toBeUndefined()
  })

  it('survives a read() that throws: the heartbeat still goes out and the failure is logged once', async () => {
    const fc = fakeClock()
    const warnings: string[] = []
    const publisher = createCloudWatchPublisher({
      client: new CloudWatchClient({ region: 'us-east-1' }),
      read: () => Promise.reject(new Error('cgroup gone')),
      clock: fc.clock,
      service: 's',
      log: { warn: (_o, msg) => warnings.push(msg) },
    })
    publisher.start()
    await fc.advance(120_000)
    expect(calls()).toHaveLength(2)
    expect(data(1).map((d) => d.MetricName)).toEqual([METRIC.heartbeat.cw])
    expect(warnings).toHaveLength(1)
    await publisher.stop()
  })
})

describe('lifecycle', () => {
  it('stop() publishes the last partial period and ends the loop', async () => {
    const { publisher, advance, timers } = setup()
    publisher.start()
    await advance(30_000)
    expect(calls()).toHaveLength(0)
    await publisher.stop()
    expect(calls()).toHaveLength(1)
    expect(named(data(0), METRIC.memoryPressurePct.cw)[0].StatisticValues?.SampleCount).toBe(4)
    expect(timers()).toBe(0)
    await advance(600_000)
    expect(calls()).toHaveLength(1)
  })
})

/** the publisher the runner's environment asks for */
const createCloudWatchPublisherFromEnv = (env: Record<string, string>, read: () => Promise<RunnerStats>) => cloudWatchPublisherFor(readRunnerConfig(env).cloudwatch, read)

describe('the CloudWatch settings', () => {
  const read = async () => stats()
  it('is off without an AWS region, or when turned off', () => {
    expect(createCloudWatchPublisherFromEnv({}, read)).toBeNull()
    expect(createCloudWatchPublisherFromEnv({ AWS_REGION: 'eu-west-1', CRAWLFLEET_CLOUDWATCH: 'off' }, read)).toBeNull()
  })
  it('is on with AWS_REGION or AWS_DEFAULT_REGION', () => {
    expect(createCloudWatchPublisherFromEnv({ AWS_REGION: 'eu-west-1' }, read)).not.toBeNull()
    expect(createCloudWatchPublisherFromEnv({ AWS_DEFAULT_REGION: 'eu-west-1' }, read)).not.toBeNull()
  })
  it('refuses a bad period at start-up, naming the variable', () => {
    expect(() => createCloudWatchPublisherFromEnv({ AWS_REGION: 'eu-west-1', CRAWLFLEET_CLOUDWATCH_PERIOD_SEC: 'soon' }, read)).toThrow(/CRAWLFLEET_CLOUDWATCH_PERIOD_SEC/)
  })
})
