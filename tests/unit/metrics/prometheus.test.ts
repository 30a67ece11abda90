import { describe, expect, it } from 'vitest'
import { createPrometheusMetrics } from '../../../runner/metrics/prometheus.ts'
import type { RunnerStats } from '../../../runner/metrics/runner-stats.ts'

function stats(over: Partial<RunnerStats> = {}): RunnerStats {
  return {
    memoryPressurePct: 42.5,
    memoryUsedBytes: 1000,
    memoryLimitBytes: 4000,
    cpuPct: null,
    browsers: { permanent: 1, hot: 2, cold: 3 },
    leasedPages: 4,
    queueDepth: 5,
    counters: { hits: 10, misses: 2, launches: 3, launchFailures: 0, promotions: 1, evictions: 1, retirements: 1, crashes: 0, refusals: { queue_full: 7 } },
    ...over,
  }
}

describe('Prometheus metrics', () => {
  it('reads gauges and counters from the runner stats at scrape time, and counts only growth', async () => {
    let current = stats()
    const m = createPrometheusMetrics(async () => current, { runnerId: 'r1', defaultMetrics: false })
    let text = await m.registry.metrics()
    expect(text).toMatch(/^crawlfleet_memory_pressure_percent\{runner="r1"\} 42\.5$/m)
    expect(text).toMatch(/^crawlfleet_browsers_hot\{runner="r1"\} 2$/m)
    expect(text).toMatch(/^crawlfleet_pool_hits_total\{runner="r1"\} 10$/m)
    expect(text).toMatch(/^crawlfleet_refusals_total\{reason="queue_full",runner="r1"\} 7$/m)
    expect(text).not.toMatch(/NaN/) // an unknown CPU figure (the first sample) is never written as NaN
    current = stats({ counters: { ...current.counters, hits: 15, refusals: { queue_full: 7, memory: 2 } } })
    text = await m.registry.metrics()
    expect(text).toMatch(/^crawlfleet_pool_hits_total\{runner="r1"\} 15$/m)
    expect(text).toMatch(/^crawlfleet_refusals_total\{reason="memory",runner="r1"\} 2$/m)
  })

  it('keeps cumulative latency totals for the CloudWatch publisher', () => {
    const m = createPrometheusMetrics(async () => stats(), { runnerId: 'r1', defaultMetrics: false })
    m.observeRequest('/html', 200, 0.08)
    m.observeRequest('/html', 504, 3)
    const t = m.latencyTotals()
    expect(t.count).toBe(2)
    expect(t.sumMs).toBeCloseTo(3080)
    expect(t.buckets!.find((b) => b.leMs === 100)!.count).toBe(1)
    expect(t.buckets!.find((b) => b.leMs === 5000)!.count).toBe(2)
  })
})
