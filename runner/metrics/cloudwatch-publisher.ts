import { CloudWatchClient, PutMetricDataCommand, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch'
import { METRIC, METRIC_NAMESPACE, REFUSAL_REASONS, SERVICE_DIMENSION, type MetricName } from '../contract/metric-names.ts'
import type { PoolCounters } from '../pool/types.ts'
import { systemClock, type Clock } from '../util/clock.ts'
import { DeadlineExceededError, withTimeout } from '../util/with-deadline.ts'
import type { LatencyTotals, RunnerStats } from './runner-stats.ts'

/** PutMetricData accepts at most this many data per call. */
export const MAX_DATA_PER_CALL = 1000

export interface PublisherLog {
  warn(obj: object, msg: string): void
}

export interface CloudWatchPublisherOptions {
  readonly client: CloudWatchClient
  readonly read: () => Promise<RunnerStats>
  readonly clock: Clock
  /** the value of the one dimension, SERVICE_DIMENSION: the fleet, never the task */
  readonly service: string
  /** @default 60_000 */
  readonly periodMs?: number
  /** @default 10_000 - six samples per minute feed each gauge's statistic set */
  readonly sampleEveryMs?: number
  /** @default 4 - then the batch is dropped */
  readonly maxAttempts?: number
  /** @default 1_000 - doubled per attempt, with jitter */
  readonly retryBaseMs?: number
  /** @default 10_000 */
  readonly attemptTimeoutMs?: number
  /** @default MAX_DATA_PER_CALL */
  readonly maxDataPerCall?: number
  /** periods still being sent when the next one is ready; beyond it a period is dropped, so memory stays bounded. @default 2 */
  readonly maxPendingPeriods?: number
  /** @default Math.random */
  readonly random?: () => number
  readonly log?: PublisherLog
}

export interface CloudWatchPublisher {
  start(): void
  /** samples once more, publishes what is left and waits (one attempt per batch) for the sends */
  stop(): Promise<void>
  /** samples, publishes now and waits for every pending send */
  flush(): Promise<void>
}

const GAUGES: readonly (readonly [MetricName, (s: RunnerStats) => number | null])[] = [
  [METRIC.memoryPressurePct, (s) => s.memoryPressurePct],
  [METRIC.memoryUsedBytes, (s) => s.memoryUsedBytes],
  [METRIC.cpuPct, (s) => s.cpuPct],
  [METRIC.browsersPermanent, (s) => s.browsers.permanent],
  [METRIC.browsersHot, (s) => s.browsers.hot],
  [METRIC.browsersCold, (s) => s.browsers.cold],
  [METRIC.leasedPages, (s) => s.leasedPages],
  [METRIC.queueDepth, (s) => s.queueDepth],
  [METRIC.slotLoadPct, (s) => s.slotLoadPct ?? null],
  [METRIC.queueWaitMs, (s) => s.queueWaitMs ?? null],
]

const COUNTERS: readonly (readonly [MetricName, (c: Readonly<PoolCounters>) => number])[] = [
  [METRIC.poolHits, (c) => c.hits],
  [METRIC.poolMisses, (c) => c.misses],
  [METRIC.launches, (c) => c.launches],
  [METRIC.promotions, (c) => c.promotions],
  [METRIC.evictions, (c) => c.evictions],
  [METRIC.crashes, (c) => c.crashes],
]

export interface StatSet {
  count: number
  sum: number
  min: number
  max: number
}

/** One period's worth of samples, turned into PutMetricData entries by toMetricData. */
export interface PeriodData {
  readonly service: string
  readonly gauges: ReadonlyMap<MetricName, StatSet>
  /** counters at the previous publish and now; deltas are published, never totals */
  readonly counters: { readonly before: Readonly<PoolCounters>; readonly now: Readonly<PoolCounters> } | undefined
  readonly latency: { readonly before: LatencyTotals | undefined; readonly now: LatencyTotals } | undefined
}

export function toMetricData(p: PeriodData): MetricDatum[] {
  const dims = [{ Name: SERVICE_DIMENSION, Value: p.service }]
  const out: MetricDatum[] = [{ MetricName: METRIC.heartbeat.cw, Dimensions: dims, Unit: unit(METRIC.heartbeat), Value: 1 }]
  const stat = (m: MetricName, s: StatSet) => {
    if (s.count > 0 && [s.sum, s.min, s.max].every(Number.isFinite)) {
      out.push({ MetricName: m.cw, Dimensions: dims, Unit: unit(m), StatisticValues: { SampleCount: s.count, Sum: s.sum, Minimum: s.min, Maximum: s.max } })
    }
  }
  const delta = (m: MetricName, d: number, extraDims: typeof dims = []) => {
    // negative: the counters restarted under us; publishing nothing beats publishing nonsense
    if (Number.isFinite(d) && d >= 0) out.push({ MetricName: m.cw, Dimensions: [...dims, ...extraDims], Unit: unit(m), Value: d })
  }
  for (const [m, s] of p.gauges) stat(m, s)
  if (p.counters) {
    const { before, now } = p.counters
    for (const [m, pick] of COUNTERS) delta(m, pick(now) - pick(before))
    const reasons = new Set([...Object.keys(now.refusals), ...Object.keys(before.refusals)])
    const refused = (r: string) => (now.refusals[r] ?? 0) - (before.refusals[r] ?? 0)
    delta(METRIC.refusals, [...reasons].reduce((sum, r) => sum + refused(r), 0))
    // only the known reasons get their own metric: an open-ended dimension value is an open-ended bill
    for (const r of REFUSAL_REASONS) delta(METRIC.refusals, refused(r), [{ Name: 'Reason', Value: r }])
  }
  if (p.latency) {
    const s = latencyStats(p.latency.before, p.latency.now)
    if (s) stat(METRIC.requestLatency, s)
  }
  return out
}

/** A period's latency from two cumulative reads: exact count and sum; min and max bounded by the buckets when there are any. */
export function latencyStats(before: LatencyTotals | undefined, now: LatencyTotals): StatSet | undefined {
  const count = now.count - (before?.count ?? 0)
  const sum = now.sumMs - (before?.sumMs ?? 0)
  if (!(count > 0) || !Number.isFinite(sum) || sum < 0) return undefined
  const mean = sum / count
  let lo = mean
  let hi = mean
  const b = now.buckets ?? []
  const prev = before?.buckets ?? []
  if (b.length > 0 && (prev.length === 0 || prev.length === b.length)) {
    const grew = b.map((x, i) => x.count - (prev[i]?.count ?? 0))
    const first = grew.findIndex((g) => g > 0)
    const all = grew.findIndex((g) => g >= count)
    if (first >= 0) lo = Math.min(mean, first === 0 ? 0 : b[first - 1].leMs)
    // some observations above the last bound: the mean is the only honest maximum we have
    if (all >= 0) hi = Math.max(mean, b[all].leMs)
  }
  return { count, sum, min: lo, max: hi }
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export function createCloudWatchPublisher(o: CloudWatchPublisherOptions): CloudWatchPublisher {
  const periodMs = o.periodMs ?? 60_000
  const sampleEveryMs = o.sampleEveryMs ?? 10_000
  const maxAttempts = o.maxAttempts ?? 4
  const retryBaseMs = o.retryBaseMs ?? 1_000
  const attemptTimeoutMs = o.attemptTimeoutMs ?? 10_000
  const maxDataPerCall = o.maxDataPerCall ?? MAX_DATA_PER_CALL
  const maxPendingPeriods = o.maxPendingPeriods ?? 2
  const random = o.random ?? Math.random
  const { clock, log } = o
  if (!o.service) throw new Error('service must be a non-empty string')
  if (!(periodMs > 0 && sampleEveryMs > 0 && sampleEveryMs <= periodMs)) throw new Error(`need 0 < sampleEveryMs ≤ periodMs, got ${sampleEveryMs} and ${periodMs}`)
  if (!(maxDataPerCall >= 1 && maxDataPerCall <= MAX_DATA_PER_CALL)) throw new Error(`maxDataPerCall must be 1..${MAX_DATA_PER_CALL}, got ${maxDataPerCall}`)
  if (!(maxAttempts >= 1)) throw new Error(`maxAttempts must be ≥ 1, got ${maxAttempts}`)

  let gauges = new Map<MetricName, StatSet>()
  let latest: Totals | undefined
  let published: Totals | undefined
  let readFailing = false
  const pending = new Set<Promise<void>>()
  const stopping = new AbortController()
  let loop: { abort: AbortController; done: Promise<void> } | undefined

  async function sample(): Promise<void> {
    try {
      const s = await withTimeout(() => o.read(), sampleEveryMs, clock)
      for (const [m, pick] of GAUGES) {
        const v = pick(s)
        if (v === null || !Number.isFinite(v)) continue
        const acc = gauges.get(m)
        if (acc) {
          acc.count++
          acc.sum += v
          acc.min = Math.min(acc.min, v)
          acc.max = Math.max(acc.max, v)
        } else gauges.set(m, { count: 1, sum: v, min: v, max: v })
      }
      latest = copyTotals(s)
      readFailing = false
    } catch (err) {
      if (!readFailing) log?.warn({ event: 'cloudwatch_read_failed', err: describe(err) }, 'cloudwatch: reading runner stats failed; skipping samples until it works')
      readFailing = true
    }
  }

  function publish(): void {
    const data = toMetricData({
      service: o.service,
      gauges,
      counters: latest ? { before: published?.counters ?? ZERO_COUNTERS, now: latest.counters } : undefined,
      latency: latest?.latency ? { before: published?.latency, now: latest.latency } : undefined,
    })
    gauges = new Map()
    published = latest
    if (pending.size >= maxPendingPeriods) {
      log?.warn({ event: 'cloudwatch_dropped', metrics: data.length, pending: pending.size }, 'cloudwatch: earlier periods still sending; dropped this one')
      return
    }
    const p = sendAll(chunk(data, maxDataPerCall)).finally(() => pending.delete(p))
    pending.add(p)
  }

  async function sendAll(batches: MetricDatum[][]): Promise<void> {
    for (const batch of batches) await sendWithRetry(batch)
  }

  async function sendWithRetry(batch: MetricDatum[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await withTimeout((signal) => o.client.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: batch }), { abortSignal: signal }), attemptTimeoutMs, clock)
        return
      } catch (err) {
        if (!isRetryable(err) || attempt >= maxAttempts || stopping.signal.aborted) {
          log?.warn({ event: 'cloudwatch_dropped', err: describe(err), attempts: attempt, metrics: batch.length }, 'cloudwatch: PutMetricData failed; dropped the batch')
          return
        }
        // equal jitter: a fleet throttled together does not retry together
        const backoffMs = retryBaseMs * 2 ** (attempt - 1) * (0.5 + random() / 2)
        await clock.sleep(backoffMs, stopping.signal).catch(() => undefined)
      }
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    let publishAt = clock.now() + periodMs
    while (!signal.aborted) {
      try {
        await clock.sleep(Math.max(0, Math.min(sampleEveryMs, publishAt - clock.now())), signal)
      } catch {
        return
      }
      await sample()
      if (clock.now() >= publishAt) {
        publishAt = Math.max(publishAt + periodMs, clock.now() + 1)
        publish()
      }
    }
  }

  return {
    start() {
      if (loop || stopping.signal.aborted) return
      const abort = new AbortController()
      loop = { abort, done: run(abort.signal) }
    },
    async stop() {
      if (stopping.signal.aborted) return
      stopping.abort()
      loop?.abort.abort()
      await loop?.done
      await sample()
      publish()
      await Promise.all(pending)
    },
    async flush() {
      await sample()
      publish()
      await Promise.all(pending)
    },
  }
}

/** null (publishing off) when the config has no CloudWatch part (no AWS region, or CRAWLFLEET_CLOUDWATCH=off). */
export function cloudWatchPublisherFor(
  config: { readonly region: string; readonly service: string; readonly periodMs: number } | undefined,
  read: () => Promise<RunnerStats>,
  log?: PublisherLog,
): CloudWatchPublisher | null {
  if (!config) return null
  return createCloudWatchPublisher({
    // the SDK's own retries would multiply ours
    client: new CloudWatchClient({ region: config.region, maxAttempts: 1 }),
    read,
    clock: systemClock,
    service: config.service,
    periodMs: config.periodMs,
    log,
  })
}

/** copied, not kept by reference: a runner may hand out its live counters, and a delta against itself is always 0 */
interface Totals {
  readonly counters: PoolCounters
  readonly latency: LatencyTotals | undefined
}

function copyTotals(s: RunnerStats): Totals {
  const l = s.requestLatency
  return {
    counters: { ...s.counters, refusals: { ...s.counters.refusals } },
    latency: l && { count: l.count, sumMs: l.sumMs, buckets: l.buckets?.map((b) => ({ ...b })) },
  }
}

const ZERO_COUNTERS: PoolCounters = { hits: 0, misses: 0, launches: 0, launchFailures: 0, promotions: 0, evictions: 0, retirements: 0, crashes: 0, refusals: {} }

const unit = (m: MetricName) => m.cwUnit as StandardUnit

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'LimitExceededException'])

function isRetryable(err: unknown): boolean {
  if (err instanceof DeadlineExceededError) return true
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined
  if (e?.name && THROTTLING.has(e.name)) return true
  const status = e?.$metadata?.httpStatusCode
  // no status: no answer reached us (connection refused, reset, DNS), so another try may work
  return status === undefined || status === 429 || status >= 500
}

function describe(err: unknown): { name?: string; message: string; status?: number } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined
  return { name: e?.name, message: String(e?.message ?? err), status: e?.$metadata?.httpStatusCode }
}
