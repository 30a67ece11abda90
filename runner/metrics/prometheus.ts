import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { METRIC, REFUSAL_REASONS } from '../contract/metric-names.ts'
import type { LatencyTotals, RunnerStats } from './runner-stats.ts'

export interface PrometheusMetrics {
  readonly registry: Registry
  observeRequest(route: string, status: number, seconds: number): void
  /** every page request's duration so far, for the CloudWatch publisher */
  latencyTotals(): LatencyTotals
}

const LATENCY_BUCKETS_SEC = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10, 30, 60]

/** /metrics: gauges and counters are read from RunnerStats at scrape time; latency is observed per request. */
export function createPrometheusMetrics(readStats: () => Promise<RunnerStats>, o: { runnerId: string; defaultMetrics?: boolean }): PrometheusMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ runner: o.runnerId })
  if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'crawlfleet_runner_' })

  // One read per scrape, shared by every collector of that scrape.
  let pending: Promise<RunnerStats> | undefined
  const stats = () => (pending ??= readStats().finally(() => queueMicrotask(() => (pending = undefined))))

  const gauge = (name: { prom: string; help: string }, pick: (s: RunnerStats) => number | null) =>
    new Gauge({
      name: name.prom,
      help: name.help,
      registers: [registry],
      async collect() {
        const v = pick(await stats())
        if (v !== null && Number.isFinite(v)) this.set(v)
      },
    })
  gauge(METRIC.memoryPressurePct, (s) => s.memoryPressurePct)
  gauge(METRIC.memoryUsedBytes, (s) => s.memoryUsedBytes)
  gauge(METRIC.cpuPct, (s) => s.cpuPct)
  gauge(METRIC.browsersPermanent, (s) => s.browsers.permanent)
  gauge(METRIC.browsersHot, (s) => s.browsers.hot)
  gauge(METRIC.browsersCold, (s) => s.browsers.cold)
  gauge(METRIC.leasedPages, (s) => s.leasedPages)
  gauge(METRIC.queueDepth, (s) => s.queueDepth)
  gauge(METRIC.slotLoadPct, (s) => s.slotLoadPct ?? null)
  gauge(METRIC.queueWaitMs, (s) => s.queueWaitMs ?? null)

  // Pool counters only grow; each scrape adds what grew since the last one.
  const counter = (name: { prom: string; help: string }, pick: (s: RunnerStats) => number) => {
    let seen = 0
    return new Counter({
      name: name.prom,
      help: name.help,
      registers: [registry],
      async collect() {
        const now = pick(await stats())
        if (now > seen) this.inc(now - seen)
        seen = Math.max(seen, now)
      },
    })
  }
  counter(METRIC.poolHits, (s) => s.counters.hits)
  counter(METRIC.poolMisses, (s) => s.counters.misses)
  counter(METRIC.launches, (s) => s.counters.launches)
  counter(METRIC.promotions, (s) => s.counters.promotions)
  counter(METRIC.evictions, (s) => s.counters.evictions)
  counter(METRIC.crashes, (s) => s.counters.crashes)

  const seenRefusals = new Map<string, number>()
  new Counter({
    name: METRIC.refusals.prom,
    help: METRIC.refusals.help,
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const refusals = (await stats()).counters.refusals
      for (const reason of new Set([...REFUSAL_REASONS, ...Object.keys(refusals)])) {
        const now = refusals[reason] ?? 0
        const seen = seenRefusals.get(reason) ?? 0
        this.inc({ reason }, Math.max(0, now - seen))
        seenRefusals.set(reason, Math.max(seen, now))
      }
    },
  })

  const latency = new Histogram({
    name: METRIC.requestLatency.prom,
    help: METRIC.requestLatency.help,
    labelNames: ['route', 'status'],
    buckets: LATENCY_BUCKETS_SEC,
    registers: [registry],
  })

  let count = 0
  let sumMs = 0
  const bucketCounts = LATENCY_BUCKETS_SEC.map(() => 0)
  return {
    registry,
    observeRequest: (route, status, seconds) => {
      latency.observe({ route, status: String(status) }, seconds)
      count++
      sumMs += seconds * 1000
      LATENCY_BUCKETS_SEC.forEach((le, i) => {
        if (seconds <= le) bucketCounts[i]!++
      })
    },
    latencyTotals: () => ({ count, sumMs, buckets: LATENCY_BUCKETS_SEC.map((le, i) => ({ leMs: le * 1000, count: bucketCounts[i]! })) }),
  }
}
