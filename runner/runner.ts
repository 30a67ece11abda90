import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { createRunnerApp } from './http/app.ts'
import type { RunnerConfig } from './config.ts'
import { createUrlPolicy } from './contract/url-policy/check-url.ts'
import { createDnsResolver } from './egress/dns-resolver.ts'
import { startEgressProxy } from './egress/egress-proxy.ts'
import { nodeDnsQuery } from './egress/node-dns-query.ts'
import { WarmSpares } from './session/warm-spares.ts'
import { createWithPage } from './session/with-page.ts'
import { createPrometheusMetrics } from './metrics/prometheus.ts'
import type { RunnerStats } from './metrics/runner-stats.ts'
import { openPageSession } from './session/page-session.ts'
import { Admission } from './pool/admission.ts'
import { capacityPlanner } from './pool/capacity-plan.ts'
import { BrowserCostModel } from './pool/cost-model.ts'
import { DEFAULT_PER_BROWSER_BYTES, DEFAULT_PER_PAGE_BYTES, DEFAULT_POOL_SETTINGS, DEFAULT_RESERVE_BYTES, type PoolSettings } from './pool/pool-settings.ts'
import { Janitor } from './pool/janitor.ts'
import { BrowserPool } from './pool/pool.ts'
import type { Launcher } from './pool/types.ts'
import type { PressureSource, Limits } from './resources/types.ts'
import { buildPageRoutes } from './routes/index.ts'
import type { Clock } from './util/clock.ts'
import type { Logger } from './util/logger.ts'
import type { LlmClient } from './llm/openai-client.ts'
import type { ContextOptions, ProxySettings } from './contract/signature.ts'

export interface RunnerDeps {
  readonly clock: Clock
  /** the launcher, given the egress proxy: every browser's only way out */
  readonly launcher: (o: { egressProxyUrl: string }) => Launcher<Browser>
  readonly resources: PressureSource & { limits(): Promise<Limits> }
  readonly measureBrowserBytes?: (pid: number | undefined) => Promise<number>
  readonly log: Logger
  readonly nowWallMs: () => number
  /** undefined when no LLM is configured */
  readonly llm?: LlmClient
}

export interface RunningRunner {
  readonly url: string
  readonly port: number
  readonly pool: BrowserPool<Browser>
  readonly admission: Admission
  stats(): Promise<RunnerStats>
  /** SIGTERM's work: readiness false, new work 503, in-flight work finishes, browsers close */
  drain(): Promise<void>
  /** drain, then stop listening */
  stop(): Promise<void>
}

/** Wires a runner from its config and its world (clock, launcher, resources) and starts listening. */
export async function startRunner(config: RunnerConfig, deps: RunnerDeps): Promise<RunningRunner> {
  const { clock, log } = deps
  const limits = await deps.resources.limits()
  const costModel = new BrowserCostModel(DEFAULT_PER_BROWSER_BYTES)
  const planNow = capacityPlanner(
    {
      memoryLimitBytes: limits.memoryLimitBytes,
      cpuCores: limits.cpuCores,
      perPageBytes: DEFAULT_PER_PAGE_BYTES,
      reserveBytes: DEFAULT_RESERVE_BYTES,
      settings: config.capacity,
    },
    costModel,
  )
  const settings: PoolSettings = {
    ...DEFAULT_POOL_SETTINGS,
    ...config.pool,
    intervalMs: config.janitor.intervalMs,
    coldTtlMs: config.janitor.coldTtlMs,
    hotTtlMs: config.janitor.hotTtlMs,
  }

  const dns = createDnsResolver({ query: nodeDnsQuery(config.dns), clock, ...config.dns, lookupTimeoutMs: config.dns.timeoutMs * config.dns.tries })
  // a request's up-front checks (its URL, its proxy) get a budget each: they never wait behind another request's names
  const policy = createUrlPolicy({ allowCidrs: config.allowCidrs, resolve: (host) => dns.resolve(host, { budget: dns.budget() }) })
  const egress = await startEgressProxy({ policy, dns, log: (event, fields) => log.debug({ event, ...fields }) })
  const openSession = async (browser: Browser, context: ContextOptions, upstream: ProxySettings | null) =>
    openPageSession(browser, context, await egress.openSession({ upstream }))
  const pool = new BrowserPool<Browser>({
    launcher: deps.launcher({ egressProxyUrl: egress.url }),
    clock,
    pressure: deps.resources,
    plan: planNow,
    settings,
    costModel,
    measureBrowserBytes: deps.measureBrowserBytes ? (h) => deps.measureBrowserBytes!(h.pid) : undefined,
    log: (event: string, fields: object) => log.info({ event, ...fields }),
  })
  const admission = new Admission({ clock, plan: planNow, onRefusal: (reason) => pool.recordRefusal(reason) })
  const checkUrl = async (url: string, field = 'url') => void (await policy.check(url, field))
  const spares = new WarmSpares({
    perBrowser: config.warmSparesPerBrowser,
    open: (browser) => openSession(browser, {}, null),
    hasIdleSlot: () => admission.stats().running < planNow().pageSlots,
  })
  const withPage = createWithPage({
    pool,
    admission,
    checkProxy: async (server) => void (await policy.resolveHost(new URL(server).hostname, 'browser_config.proxy')),
    spares,
    openSession: (browser, req) => openSession(browser, req.context, req.launch.proxy),
  })

  let draining = false

  async function stats(): Promise<RunnerStats> {
    const s = await deps.resources.sample()
    const snap = pool.snapshot()
    const a = admission.stats()
    return {
      memoryPressurePct: s.memory.percent,
      memoryUsedBytes: s.memory.usedBytes,
      memoryLimitBytes: s.memory.limitBytes,
      cpuPct: s.cpu.percent,
      browsers: { permanent: snap.counts.permanent, hot: snap.counts.hot, cold: snap.counts.cold },
      leasedPages: snap.counts.leased,
      queueDepth: a.queued,
      counters: snap.counters,
      requestLatency: metrics.latencyTotals(),
    }
  }

  const metrics = createPrometheusMetrics(stats, { runnerId: config.runnerId })
  const app = createRunnerApp({
    runnerId: config.runnerId,
    hmacSecret: config.hmacSecret,
    routes: buildPageRoutes({ crawlWorkers: () => planNow().pageSlots, llm: deps.llm }) as never,
    metrics,
    clock,
    withPage,
    checkUrl,
    isDraining: () => draining,
    isReady: () => !draining && pool.isPermanentUp(),
    load: () => {
      const a = admission.stats()
      return (a.running + a.queued) / Math.max(1, planNow().pageSlots)
    },
    pressure: async () => pressureReport(await stats()),
    nowWallMs: deps.nowWallMs,
    logError: (err, fields) => log.error({ err, ...fields }, 'unhandled error'),
  })

  function pressureReport(s: RunnerStats) {
    const a = admission.stats()
    const reason = draining ? 'draining' : s.memoryPressurePct >= config.pool.memoryGatePct ? 'memory' : a.queued >= planNow().queueLength ? 'full' : ''
    const snap = pool.snapshot()
    return {
      runner: config.runnerId,
      available: reason === '',
      reason,
      memory: { used: s.memoryUsedBytes, limit: s.memoryLimitBytes, percent: round(s.memoryPressurePct) },
      cpu: { cores: limits.cpuCores, percent: s.cpuPct === null ? null : round(s.cpuPct) },
      pool: { ...snap.counts, queued: a.queued, running: a.running, spares: spares.count(), browsers: snap.browsers },
      counters: snap.counters,
      plan: planNow(),
      limits,
      egress: { refusals: egress.refusals(), openSessions: egress.openSessions(), dns: dns.stats() },
    }
  }

  await pool.start()
  const janitor = new Janitor({
    pool,
    pressure: deps.resources,
    clock,
    settings,
    onSweep: () => spares.prune(new Set(pool.view().map((b) => b.id))),
    log: (event: string, fields: object) => log.debug({ event, ...fields }),
  })
  pool.onPressureRising(() => janitor.nudge())
  janitor.start()

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  log.info({ event: 'listening', port, runner: config.runnerId, plan: planNow() }, `runner ${config.runnerId} listening on http://${config.host}:${port}`)

  let drained: Promise<void> | undefined
  const drain = () =>
    (drained ??= (async () => {
      draining = true
      log.info({ event: 'draining' }, 'draining: new work gets 503, in-flight work finishes')
      await withTimeout(admission.drain(), config.stopTimeoutMs)
      janitor.stop()
      await spares.close()
      await pool.close({ graceMs: Math.max(1000, config.stopTimeoutMs / 10) })
      await egress.close()
    })())

  return {
    url: `http://${config.host}:${port}`,
    port,
    pool,
    admission,
    stats,
    drain,
    stop: async () => {
      await drain()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer))
}
