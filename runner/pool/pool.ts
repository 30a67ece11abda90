import { BrowserCrashedError, DrainingError, MemoryPressureError } from '../contract/errors.ts'
import { REFUSAL_REASONS, type RefusalReason } from '../contract/metric-names.ts'
import { DEFAULT_LAUNCH, DEFAULT_SIGNATURE, type LaunchOptions } from '../contract/signature.ts'
import { pressureLevel } from '../resources/pressure-level.ts'
import type { PressureLevel, PressureSource } from '../resources/types.ts'
import type { Clock } from '../util/clock.ts'
import { abortable } from '../util/with-deadline.ts'
import { BrowserRecord, closeOrKill, PoolLease } from './browser-record.ts'
import { DEFAULT_PER_BROWSER_BYTES, type CapacityPlan } from './capacity-plan.ts'
import { BrowserCostModel } from './cost-model.ts'
import { isHigherLevel, recycleReason, type SweepPlan } from './janitor-policy.ts'
import { planLaunchGate } from './launch-gate.ts'
import { RelaunchBackoff } from './relaunch-backoff.ts'
import { LaunchTurns } from './launch-turns.ts'
import type { PoolSettings } from './pool-settings.ts'
import { initialTier, tierAfterUse } from './tiering.ts'
import type { BrowserHandle, BrowserView, Launcher, Lease, PoolCounters, PoolSnapshot, RetireReason, Tier } from './types.ts'

export interface AcquireRequest {
  readonly launch: LaunchOptions
  readonly signature: string
}

export interface BrowserPoolOptions<B> {
  readonly launcher: Launcher<B>
  readonly clock: Clock
  readonly pressure: PressureSource
  readonly settings: PoolSettings
  readonly plan: () => CapacityPlan
  /** measures a freshly launched browser, off the request path; feeds the cost model */
  readonly measureBrowserBytes?: (handle: BrowserHandle<B>) => Promise<number>
  /** @default a model starting at DEFAULT_PER_BROWSER_BYTES; pass the one the capacity planner reads */
  readonly costModel?: BrowserCostModel
  /** told the new per-browser estimate after each measurement, to recompute the plan */
  readonly onCostChange?: (perBrowserBytes: number) => void
  readonly log?: (event: string, fields: object) => void
}

const DEFAULT_REQUEST: AcquireRequest = { launch: DEFAULT_LAUNCH, signature: DEFAULT_SIGNATURE }
const EVICTION_REASONS: ReadonlySet<RetireReason> = new Set(['ttl', 'memory', 'capacity'])

/**
 * Long-lived browsers keyed by launch signature. Invariants: at most one *active* browser per
 * signature (it takes new leases); a browser with open leases is only ever retired, and closes at
 * its last release; no lock is held across a launch or a close (single flight per signature).
 */
export class BrowserPool<B> {
  readonly costModel: BrowserCostModel
  private readonly s: PoolSettings
  private readonly clock: Clock
  /** every browser not yet closed: active and retired */
  private readonly records = new Map<string, BrowserRecord<B>>()
  private readonly active = new Map<string, BrowserRecord<B>>()
  private readonly inflight = new Map<string, Promise<BrowserRecord<B>>>()
  private readonly closings = new Set<Promise<void>>()
  private readonly shutdown = new AbortController()
  private readonly pressureRising = new Set<() => void>()
  private readonly counters: PoolCounters = {
    hits: 0, misses: 0, launches: 0, launchFailures: 0, promotions: 0, evictions: 0, retirements: 0, crashes: 0,
    refusals: Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])),
  }
  /** hot/cold launches that passed the memory gate and are not up yet */
  private launchingPooled = 0
  private readonly launchTurns = new LaunchTurns(() => this.o.plan().concurrentLaunches)
  private readonly permanentBackoff: RelaunchBackoff
  private supervisor: Promise<void> | undefined
  private relaunching = false
  private lastLevel: PressureLevel = 'LOW'
  private lastReleaseSampleMs = -Infinity
  private nextId = 0
  private draining = false
  private closing: Promise<void> | undefined
  private onEmpty: (() => void) | undefined

  constructor(private readonly o: BrowserPoolOptions<B>) {
    this.s = o.settings
    this.clock = o.clock
    this.costModel = o.costModel ?? new BrowserCostModel(DEFAULT_PER_BROWSER_BYTES)
    this.permanentBackoff = new RelaunchBackoff(o.clock, o.settings.relaunchBackoffMs)
  }

  /** Launches the permanent browser; rejects if it cannot be launched. */
  async start(): Promise<void> {
    await this.launchFor(DEFAULT_REQUEST)
  }

  isPermanentUp(): boolean {
    return this.active.has(DEFAULT_SIGNATURE)
  }

  async acquire(req: AcquireRequest, signal: AbortSignal): Promise<Lease<B>> {
    signal.throwIfAborted()
    if (this.draining) throw new DrainingError()
    const current = this.active.get(req.signature)
    if (current) {
      const recycle = recycleReason(current.view(), this.clock.now(), this.s)
      if (recycle) this.recycle(current, recycle) // a permanent keeps serving until its replacement is up
      if (current.state === 'active') {
        this.counters.hits++
        return this.lease(current)
      }
    }
    this.counters.misses++
    try {
      const rec = await abortable(this.launchFor(req), signal)
      if (rec.state !== 'active') throw new BrowserCrashedError('the browser went away right after its launch')
      return this.lease(rec)
    } catch (err) {
      if (err instanceof MemoryPressureError) this.recordRefusal('memory')
      throw err
    }
  }

  view(): BrowserView[] {
    return [...this.records.values()].map((r) => r.view())
  }

  snapshot(): PoolSnapshot {
    const browsers = this.view()
    const activeIn = (tier: string) => browsers.filter((b) => b.state === 'active' && b.tier === tier).length
    return {
      browsers,
      counts: {
        permanent: activeIn('permanent'),
        hot: activeIn('hot'),
        cold: activeIn('cold'),
        launching: this.inflight.size,
        retired: browsers.filter((b) => b.state === 'retired').length,
        leased: browsers.reduce((n, b) => n + b.leases, 0),
      },
      counters: { ...this.counters, refusals: { ...this.counters.refusals } },
      plan: this.o.plan(),
    }
  }

  /** Applies a janitor sweep: evictions close idle browsers; recycling replaces the permanent first. */
  apply(plan: SweepPlan): void {
    for (const { id, reason } of plan.retire) {
      const rec = this.records.get(id)
      if (!rec || rec.state !== 'active') continue
      if (!EVICTION_REASONS.has(reason)) {
        this.recycle(rec, reason)
        continue
      }
      if (rec.tier === 'permanent' || (reason === 'ttl' && rec.leases.size > 0)) continue
      this.counters.evictions++
      this.retire(rec, reason)
    }
  }

  recordRefusal(reason: RefusalReason): void {
    this.counters.refusals[reason] = (this.counters.refusals[reason] ?? 0) + 1
    if (reason !== 'draining') this.emitPressureRising()
  }

  /** Called when a refusal, or a release that sampled a higher pressure level, suggests sweeping now. */
  onPressureRising(listener: () => void): () => void {
    this.pressureRising.add(listener)
    return () => this.pressureRising.delete(listener)
  }

  /** Retires every browser, waits up to graceMs for leases to return, then closes (and kills) the rest. */
  close(opts: { graceMs: number }): Promise<void> {
    this.closing ??= this.shutDown(opts.graceMs)
    return this.closing
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.draining = true
    this.shutdown.abort(new DrainingError())
    for (const rec of [...this.records.values()]) this.retire(rec, 'shutdown')
    if (this.records.size > 0) {
      const timer = new AbortController()
      const empty = new Promise<void>((resolve) => (this.onEmpty = resolve))
      await Promise.race([empty, this.clock.sleep(graceMs, timer.signal).catch(() => undefined)])
      timer.abort()
    }
    for (const rec of [...this.records.values()]) {
      for (const lease of rec.leases) lease.end(new DrainingError())
      this.closeRecord(rec)
    }
    await Promise.allSettled([...this.inflight.values(), this.supervisor])
    while (this.closings.size > 0) await Promise.allSettled([...this.closings])
    this.log('pool.closed', { counters: this.counters })
  }

  private launchFor(req: AcquireRequest): Promise<BrowserRecord<B>> {
    const pending = this.inflight.get(req.signature)
    if (pending) return pending
    const launching = this.launchNew(req).finally(() => this.inflight.delete(req.signature))
    this.inflight.set(req.signature, launching)
    return launching
  }

  private async launchNew(req: AcquireRequest): Promise<BrowserRecord<B>> {
    const tier = initialTier(req.signature)
    if (tier === 'permanent') return this.launchAs(req, tier)
    return this.launchTurns.inTurn(async () => {
      if (this.draining) throw new DrainingError()
      await this.passLaunchGate() // on this launch's turn: the gate sees what the launches before it use
      return this.launchAs(req, tier)
    })
  }

  private async launchAs(req: AcquireRequest, tier: Tier): Promise<BrowserRecord<B>> {
    if (tier === 'permanent' && this.permanentBackoff.remainingMs() > 0) throw new BrowserCrashedError('the default browser is down and being relaunched')
    const startedMs = this.clock.now()
    let handle: BrowserHandle<B>
    try {
      handle = await this.o.launcher.launch(req.launch, this.shutdown.signal, tier)
    } catch (err) {
      if (this.draining) throw new DrainingError()
      this.counters.launchFailures++
      if (tier === 'permanent') this.permanentBackoff.failed()
      this.log('browser.launch_failed', { signature: req.signature, tier, error: String(err) })
      throw new BrowserCrashedError('the browser could not be launched', { cause: err })
    } finally {
      if (tier !== 'permanent') this.launchingPooled--
    }
    if (this.draining) {
      this.track(this.closeHandle(handle))
      throw new DrainingError()
    }
    this.counters.launches++
    if (tier === 'permanent') this.permanentBackoff.succeeded()
    const rec = new BrowserRecord(`b${++this.nextId}`, req.signature, req.launch, tier, handle, this.clock.now())
    handle.onDisconnected(() => this.onDisconnected(rec))
    this.records.set(rec.id, rec)
    const previous = this.active.get(req.signature)
    this.active.set(req.signature, rec)
    if (previous) this.retire(previous, previous.pendingRetireReason ?? 'recycle')
    this.log('browser.launched', { id: rec.id, signature: rec.signature, tier, pid: handle.pid, launchMs: rec.launchedAtMs - startedMs })
    void this.measure(rec)
    return rec
  }

  /** The memory gate: evict idle hot/cold browsers until there is room, or refuse the launch. */
  private async passLaunchGate(): Promise<void> {
    const sample = await this.o.pressure.sample().catch((err: unknown) => {
      this.log('pressure.failed', { error: String(err) }) // fail open on memory; the browser count still bounds
      return undefined
    })
    if (sample) this.notePressure(sample.memory.percent)
    const estimateBytes = this.costModel.estimateBytes()
    const limitBytes = sample?.memory.limitBytes ?? Infinity
    const views = this.view()
    const decision = planLaunchGate(
      views,
      {
        usedPct: (sample?.memory.percent ?? 0) + ((this.launchingPooled * estimateBytes) / limitBytes) * 100,
        limitBytes,
        gatePct: this.s.memoryGatePct,
        browsers: views.filter((b) => b.tier !== 'permanent').length + this.launchingPooled,
        maxBrowsers: this.o.plan().maxBrowsers,
      },
      (b) => this.records.get(b.id)?.measuredBytes ?? estimateBytes,
    )
    for (const { id, reason } of decision.evict) {
      const rec = this.records.get(id)
      if (!rec) continue
      this.counters.evictions++
      this.retire(rec, reason)
    }
    if (!decision.admit) {
      throw new MemoryPressureError('the runner has no memory for another browser', this.s.memoryRetryAfterSec)
    }
    this.launchingPooled++ // in the same synchronous step as the decision, so concurrent gates see it
  }

  private lease(rec: BrowserRecord<B>): Lease<B> {
    rec.uses++
    rec.lastUsedAtMs = this.clock.now()
    const tier = tierAfterUse(rec.tier, rec.uses, this.s.promoteAfterUses)
    if (tier !== rec.tier) {
      this.counters.promotions++
      this.log('browser.promoted', { id: rec.id, from: rec.tier, to: tier })
      rec.tier = tier
    }
    const lease = new PoolLease(rec, (l) => this.release(l))
    rec.leases.add(lease)
    return lease
  }

  private release(lease: PoolLease<B>): void {
    const rec = lease.record
    rec.leases.delete(lease)
    if (rec.state === 'closed') return // crashed or force-closed: nothing to give back
    rec.pagesServed++
    rec.lastUsedAtMs = this.clock.now()
    if (rec.state === 'retired') {
      if (rec.leases.size === 0) this.closeRecord(rec)
      return
    }
    const recycle = recycleReason(rec.view(), this.clock.now(), this.s)
    if (recycle) this.recycle(rec, recycle)
    void this.sampleAfterRelease()
  }

  private recycle(rec: BrowserRecord<B>, reason: RetireReason): void {
    if (rec.tier !== 'permanent') return this.retire(rec, reason)
    // the permanent stays active until its replacement is up; launchNew retires it then
    rec.pendingRetireReason = reason
    if (this.draining || this.inflight.has(rec.signature) || this.permanentBackoff.remainingMs() > 0) return
    void this.launchFor(DEFAULT_REQUEST).catch(() => undefined) // counted and logged in launchNew; retried on the next trigger
  }

  private retire(rec: BrowserRecord<B>, reason: RetireReason): void {
    if (rec.state !== 'active') return
    rec.state = 'retired'
    if (this.active.get(rec.signature) === rec) this.active.delete(rec.signature)
    this.counters.retirements++
    this.log('browser.retired', { id: rec.id, tier: rec.tier, reason, leases: rec.leases.size })
    if (rec.leases.size === 0) this.closeRecord(rec)
  }

  private closeRecord(rec: BrowserRecord<B>): void {
    if (rec.state === 'closed') return
    rec.state = 'closed' // before close(): the disconnect it causes is not a crash
    this.forget(rec)
    this.track(this.closeHandle(rec.handle))
  }

  private closeHandle(handle: BrowserHandle<B>): Promise<void> {
    return closeOrKill(handle, this.s.closeGraceMs, this.clock, (event, fields) => this.log(event, fields))
  }

  private onDisconnected(rec: BrowserRecord<B>): void {
    if (rec.state === 'closed') return
    rec.state = 'closed'
    this.counters.crashes++
    this.forget(rec)
    for (const lease of rec.leases) lease.end(new BrowserCrashedError())
    this.log('browser.crashed', { id: rec.id, tier: rec.tier, leases: rec.leases.size })
    // renderers and zygotes the dead browser may have left behind
    this.track(rec.handle.killTree().catch((e: unknown) => this.log('browser.kill_failed', { pid: rec.handle.pid, error: String(e) })))
    if (rec.tier === 'permanent' && !this.draining && !this.isPermanentUp() && !this.relaunching) this.supervisor = this.relaunchPermanent()
  }

  private async relaunchPermanent(): Promise<void> {
    this.relaunching = true
    try {
      while (!this.draining && !this.isPermanentUp()) {
        const waitMs = this.permanentBackoff.remainingMs()
        if (waitMs > 0) await this.clock.sleep(waitMs, this.shutdown.signal).catch(() => undefined)
        if (this.draining) break
        await this.launchFor(DEFAULT_REQUEST).catch(() => undefined) // a failure sets the next backoff
      }
    } finally {
      this.relaunching = false
    }
  }

  private async measure(rec: BrowserRecord<B>): Promise<void> {
    if (!this.o.measureBrowserBytes) return
    try {
      rec.measuredBytes = await this.o.measureBrowserBytes(rec.handle)
      this.costModel.record(rec.measuredBytes)
      this.o.onCostChange?.(this.costModel.estimateBytes())
    } catch (err) {
      this.log('browser.measure_failed', { id: rec.id, error: String(err) })
    }
  }

  private async sampleAfterRelease(): Promise<void> {
    const now = this.clock.now()
    if (this.pressureRising.size === 0 || now - this.lastReleaseSampleMs < this.s.releasePressureSampleMs) return
    this.lastReleaseSampleMs = now
    try {
      this.notePressure((await this.o.pressure.sample()).memory.percent)
    } catch (err) {
      this.log('pressure.failed', { error: String(err) })
    }
  }

  private notePressure(pct: number): void {
    const level = pressureLevel(pct, this.s)
    if (isHigherLevel(level, this.lastLevel)) this.emitPressureRising()
    this.lastLevel = level
  }

  private emitPressureRising(): void {
    for (const listener of this.pressureRising) listener()
  }

  private forget(rec: BrowserRecord<B>): void {
    this.records.delete(rec.id)
    if (this.active.get(rec.signature) === rec) this.active.delete(rec.signature)
    if (this.records.size === 0) this.onEmpty?.()
  }

  private track(closing: Promise<void>): void {
    const tracked = closing.finally(() => this.closings.delete(tracked))
    this.closings.add(tracked)
  }

  private log(event: string, fields: object): void {
    this.o.log?.(event, fields)
  }
}
