// Metric names, defined once: the runner's /metrics, the CloudWatch publisher and the CDK alarms
// all import them from here, so an alarm can never watch a name nobody publishes.

export const METRIC_NAMESPACE = 'Crawlfleet'
/** The one CloudWatch dimension: per-service, never per-task (a task dimension multiplies cost). */
export const SERVICE_DIMENSION = 'Service'

export type MetricKind = 'gauge' | 'counter' | 'histogram'

export interface MetricName {
  /** Prometheus name on /metrics */
  readonly prom: string
  /** CloudWatch metric name */
  readonly cw: string
  readonly kind: MetricKind
  readonly cwUnit: 'Percent' | 'Count' | 'Milliseconds' | 'Bytes' | 'None'
  readonly help: string
}

const m = (prom: string, cw: string, kind: MetricKind, cwUnit: MetricName['cwUnit'], help: string): MetricName => ({ prom, cw, kind, cwUnit, help })

export const METRIC = {
  memoryPressurePct: m('crawlfleet_memory_pressure_percent', 'MemoryPressurePct', 'gauge', 'Percent', 'working set as a percentage of the memory limit'),
  memoryUsedBytes: m('crawlfleet_memory_used_bytes', 'MemoryUsedBytes', 'gauge', 'Bytes', 'working set (usage minus inactive file cache)'),
  cpuPct: m('crawlfleet_cpu_percent', 'CpuPct', 'gauge', 'Percent', 'CPU used as a percentage of the CPU quota'),
  browsersPermanent: m('crawlfleet_browsers_permanent', 'BrowsersPermanent', 'gauge', 'Count', 'permanent browsers up (0 means the default browser is down)'),
  browsersHot: m('crawlfleet_browsers_hot', 'BrowsersHot', 'gauge', 'Count', 'browsers in the hot pool'),
  browsersCold: m('crawlfleet_browsers_cold', 'BrowsersCold', 'gauge', 'Count', 'browsers in the cold pool'),
  leasedPages: m('crawlfleet_leased_pages', 'LeasedPages', 'gauge', 'Count', 'pages (leases) open now'),
  queueDepth: m('crawlfleet_queue_depth', 'QueueDepth', 'gauge', 'Count', 'requests waiting for a page slot'),
  slotLoadPct: m('crawlfleet_slot_load_percent', 'SlotLoadPct', 'gauge', 'Percent', '(running + queued) / page slots × 100: 100 means every slot busy, more means a queue'),
  queueWaitMs: m('crawlfleet_queue_wait_ms', 'QueueWaitMs', 'gauge', 'Milliseconds', 'predicted wait of a request admitted now'),
  poolHits: m('crawlfleet_pool_hits_total', 'PoolHits', 'counter', 'Count', 'acquires served by a running browser'),
  poolMisses: m('crawlfleet_pool_misses_total', 'PoolMisses', 'counter', 'Count', 'acquires that needed a launch'),
  launches: m('crawlfleet_browser_launches_total', 'Launches', 'counter', 'Count', 'browser launches'),
  promotions: m('crawlfleet_browser_promotions_total', 'Promotions', 'counter', 'Count', 'cold browsers promoted to hot'),
  evictions: m('crawlfleet_browser_evictions_total', 'Evictions', 'counter', 'Count', 'idle browsers closed by the janitor or the memory gate'),
  refusals: m('crawlfleet_refusals_total', 'Refusals', 'counter', 'Count', 'requests refused (label/dimension reason)'),
  crashes: m('crawlfleet_browser_crashes_total', 'Crashes', 'counter', 'Count', 'browsers that disconnected unexpectedly'),
  requestLatency: m('crawlfleet_request_duration_seconds', 'RequestLatency', 'histogram', 'Milliseconds', 'page request duration'),
  heartbeat: m('crawlfleet_heartbeat', 'Heartbeat', 'gauge', 'Count', 'one per publishing period per runner; missing means no runner is reporting'),
} as const

export type MetricKey = keyof typeof METRIC

export const REFUSAL_REASONS = ['queue_full', 'memory', 'draining', 'queue_timeout'] as const
export type RefusalReason = (typeof REFUSAL_REASONS)[number]

/** The `Service` dimension value of the edge's own metrics. */
export const EDGE_SERVICE = 'edge'

/** Edge-side metric names (published by the edge's logs / Lambda metrics, watched by alarms). */
export const EDGE_METRIC = {
  noHealthyRunner: 'NoHealthyRunner',
  edgeErrors: 'EdgeErrors',
  /** a default-signature request placed without the load store (not set up, not answering, or knows no usable runner) */
  loadStoreFallback: 'LoadStoreFallback',
} as const
