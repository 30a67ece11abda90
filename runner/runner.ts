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
import { pageWorkFactory } from './session/with-page.ts'
import { createPrometheusMetrics } from './metrics/prometheus.ts'
import type { RunnerStats } from './metrics/runner-stats.ts'
import { openPageSession } from './session/page-session.ts'
import { Admission } from './pool/admission.ts'
import { capacityPlanner, DEFAULT_PER_BROWSER_BYTES, DEFAULT_PER_PAGE_BYTES, DEFAULT_RESERVE_BYTES } from './pool/capacity-plan.ts'
import { BrowserCostModel } from './pool/cost-model.ts'
import { Janitor } from './pool/janitor.ts'
import { SlotAdapter } from './pool/slot-adapter.ts'
import { loopDelaySampler } from './resources/loop-delay.ts'
import { configureContentWorkers, stopContentWorkers } from './workers/offload.ts'
import { createLoadPublisher, type LoadPublisher, type LoadStoreWriter } from './metrics/load-publisher.ts'
import { BrowserPool } from './pool/pool.ts'
import type { Launcher } from './pool/types.ts'
import type { PressureSource, Limits } from './resources/types.ts'
import { buildPageRoutes } from './routes/index.ts'
import type { Clock } from './util/clock.ts'
import type { Logger } from './util/logger.ts'
import { withDeadline } from './util/with-deadline.ts'
import type { LlmClient } from './llm/openai-client.ts'
import { browserMemorySampler } from './metrics/browser-memory.ts'
import { wireJobs } from './wire-jobs.ts'
import { collectGarbage } from './util/heap.ts'
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
  /** where this runner publishes its load, when config.loadStore is set */
  readonly loadStore?: LoadStoreWriter
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
  // Markdown, extraction and schema checks: up to one worker thread per core of the quota, started on
  // first use and ended when idle as long as spares are
  configureContentWorkers(Math.max(1, Math.ceil(limits.cpuCores)), { idleMs: config.spareIdleMs })
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
  const settings = config.pool

  const dns = createDnsResolver({ query: nodeDnsQuery(config.dns), clock, ...config.dns, lookupTimeoutMs: config.dns.timeoutMs * config.dns.tries })
  // a request's up-front checks (its URL, its proxy) get a budget each: they never wait behind another request's names;
  // off ECS, the runner is somebody's own: its refusals say which setting lets a private address through
  const policy = createUrlPolicy({
    allowCidrs: config.allowCidrs,
    resolve: (host) => dns.resolve(host, { budget: dns.budget() }),
    explainAllowCidrs: config.ecsMetadataUri === undefined,
  })
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
  const loopDelay = loopDelaySampler()
  const loadStore = config.loadStore && deps.loadStore ? { ...config.loadStore, writer: deps.loadStore } : undefined
  let loadPublisher: LoadPublisher | undefined // made once the port is known
  let pageRequests = 0
  let admission: Admission // the adapter reads the running count from it, it reads the slots from the adapter
  const slotAdapter = new SlotAdapter({
    clock,
    planned: () => planNow().pageSlots,
    running: () => admission.stats().running,
    loopDelay,
    windowMs: 1000,
    onChange: (slots, why) => log.info({ event: 'slots', slots, loopDelayP99Ms: Math.round(why.p99Ms) }, `page slots now ${slots}`),
  })
  admission = new Admission({
    clock,
    plan: planNow,
    slots: config.adaptSlots ? () => slotAdapter.slots() : undefined,
    onStart: (running) => slotAdapter.noteRunning(running),
    onRefusal: (reason) => pool.recordRefusal(reason),
  })
  const checkUrl = async (url: string, field = 'url') => void (await policy.check(url, field))
  const spares = new WarmSpares({
    perBrowser: config.warmSparesPerBrowser,
    open: (browser) => openSession(browser, {}, null),
    hasIdleSlot: () => { const a = admission.stats(); return a.running < a.pageSlots },
  })
  const pageWork = pageWorkFactory({
    pool,
    admission,
    checkProxy: async (server) => void (await policy.resolveHost(new URL(server).hostname, 'browser_config.proxy')),
    checkUrl,
    spares,
    openSession: (browser, req) => openSession(browser, req.context, req.launch.proxy),
  })

  let draining = false
  const jobs = wireJobs(config, {
    clock,
    nowWallMs: deps.nowWallMs,
    pageWork,
    pageSlots: () => planNow().pageSlots,
    llm: deps.llm,
    checkUrl,
    resolveAllowed: (hostname, field) => policy.resolveHost(hostname, field),
    memoryOk: async () => (await deps.resources.sample()).memory.percent < config.pool.memoryGatePct,
    log,
  })
  const browserMemory = browserMemorySampler(deps.measureBrowserBytes ?? (async () => 0), () => clock.now())

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
      slotLoadPct: (100 * (a.running + a.queued)) / Math.max(1, planNow().pageSlots),
      queueWaitMs: a.predictedWaitMs,
      counters: snap.counters,
      requestLatency: metrics.latencyTotals(),
    }
  }

  const metrics = createPrometheusMetrics(stats, { runnerId: config.runnerId })
  const app = createRunnerApp({
    runnerId: config.runnerId,
    hmacSecret: config.hmacSecret,
    routes: buildPageRoutes({ crawlWorkers: () => planNow().pageSlots, llm: deps.llm, limits: config.responses }),
    metrics,
    clock,
    pageWork,
    checkUrl,
    isDraining: () => draining,
    // only with a store: counting wraps every page answer's body to see when it has been sent
    onPageRequest: loadStore
      ? (storePick) => {
          pageRequests++
          if (!storePick) loadPublisher?.changed(+1)
          return () => {
            pageRequests--
            loadPublisher?.changed(-1)
          }
        }
      : undefined,
    isReady: () => !draining && pool.isPermanentUp(),
    load: () => {
      const a = admission.stats()
      // against the planned slots, not the adapted ones: the edges compare runners by it, and a busy
      // machine's loop delay would otherwise move it for reasons that are not this runner's work
      return (a.running + a.queued) / Math.max(1, planNow().pageSlots)
    },
    pressure: async () => pressureReport(await stats()),
    nowWallMs: deps.nowWallMs,
    extraRoutes: jobs.extraRoutes,
    debugEndpoints: config.debugEndpoints,
    features: { llm: deps.llm !== undefined, webhooks: config.webhook !== undefined },
    logError: (err, fields) => log.error({ err, ...fields }, 'unhandled error'),
  })

  async function pressureReport(s: RunnerStats) {
    const a = admission.stats()
    const reason = draining ? 'draining' : s.memoryPressurePct >= config.pool.memoryGatePct ? 'memory' : a.queued >= a.maxQueued || a.predictedWaitMs > planNow().queueWaitMs ? 'full' : ''
    const snap = pool.snapshot()
    const memory = await browserMemory(snap.browsers.map((b) => b.pid))
    const browsers = snap.browsers.map((b, i) => ({ ...b, memoryBytes: memory[i] }))
    return {
      runner: config.runnerId,
      instance: jobs.instance,
      /** the monotonic clock the browsers' launchedAtMs and lastUsedAtMs are read on */
      nowMs: clock.now(),
      available: reason === '',
      reason,
      memory: { used: s.memoryUsedBytes, limit: s.memoryLimitBytes, percent: round(s.memoryPressurePct) },
      cpu: { cores: limits.cpuCores, percent: s.cpuPct === null ? null : round(s.cpuPct) },
      pool: { ...snap.counts, queued: a.queued, running: a.running, spares: spares.count(), browsers },
      admission: { pageSlots: a.pageSlots, predictedWaitMs: a.predictedWaitMs, slotTimeMs: a.slotTimeMs, keptPlaces: a.keptPlaces, adaptSlots: config.adaptSlots },
      /** the runner's event-loop delay over the last second (what slot adaptation reads) */
      eventLoop: { p99DelayMs: round(slotAdapter.lastWindow().p99Ms), maxDelayMs: round(slotAdapter.lastWindow().maxMs) },
      counters: snap.counters,
      jobs: jobs.stats(),
      plan: planNow(),
      limits,
      egress: { refusals: egress.refusals(), openSessions: egress.openSessions(), dns: dns.stats() },
    }
  }

  // After each sweep: spares of browsers idle past spareIdleMs close, and once the whole runner has
  // been idle that long since its last work, one full GC returns the heap the busy period grew
  // (README, "Memory"). Not while anything runs: the collection is synchronous.
  let collectedAtMs = clock.now()
  function giveMemoryBack(): void {
    const view = pool.view()
    const now = clock.now()
    spares.prune(new Set(view.map((b) => b.id)))
    spares.release(view.filter((b) => b.leases === 0 && now - b.lastUsedAtMs >= config.spareIdleMs).map((b) => b.id))
    const a = admission.stats()
    const lastUsedAtMs = Math.max(0, ...view.map((b) => b.lastUsedAtMs))
    const idle = a.running === 0 && a.queued === 0 && view.every((b) => b.leases === 0) && jobs.stats().processing === 0
    if (idle && lastUsedAtMs > collectedAtMs && now - lastUsedAtMs >= config.spareIdleMs) {
      collectGarbage()
      collectedAtMs = now
    }
  }

  await pool.start()
  const janitor = new Janitor({
    pool,
    pressure: deps.resources,
    clock,
    settings,
    onSweep: () => giveMemoryBack(),
    log: (event: string, fields: object) => log.debug({ event, ...fields }),
  })
  pool.onPressureRising(() => janitor.nudge())
  janitor.start()
  slotAdapter.start()

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  log.info({ event: 'listening', port, runner: config.runnerId, plan: planNow() }, `runner ${config.runnerId} listening on http://${config.host}:${port}`)
  if (loadStore) {
    const id = `${loadStore.advertisedHost}:${port}`
    loadPublisher = createLoadPublisher({ id, count: () => pageRequests, writer: loadStore.writer, clock, log })
    loadPublisher.start()
    log.info({ event: 'load_store.publishing', as: id }, `publishing load to the load store as ${id}`)
  }

  let drained: Promise<void> | undefined
  const drain = () =>
    (drained ??= (async () => {
      draining = true
      jobs.drain()
      await loadPublisher?.stop() // out of the store first: edges stop picking this runner
      log.info({ event: 'draining' }, 'draining: new work gets 503, in-flight work finishes')
      // in-flight work gets the stop timeout; what is still running after it is cut short by the pool's close
      await withDeadline(admission.drain(), config.stopTimeoutMs, clock).catch(() => undefined)
      janitor.stop()
      slotAdapter.stop()
      loopDelay.stop()
      await spares.close()
      await pool.close({ graceMs: Math.max(1000, config.stopTimeoutMs / 10) })
      await egress.close()
      await stopContentWorkers()
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
