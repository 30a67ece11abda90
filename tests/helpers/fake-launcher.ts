import { launchOptionsFrom, signatureOf, type LaunchOptions } from '../../runner/contract/signature.ts'
import type { CapacityPlan } from '../../runner/pool/capacity-plan.ts'
import { BrowserPool, type AcquireRequest } from '../../runner/pool/pool.ts'
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from '../../runner/pool/pool-settings.ts'
import type { BrowserHandle, Launcher } from '../../runner/pool/types.ts'
import type { PressureSource, ResourceSample } from '../../runner/resources/types.ts'
import type { Clock } from '../../runner/util/clock.ts'
import { deferred, FakeClock, type Deferred } from './fake-clock.ts'

/** What a lease hands out in unit tests: enough to tell browsers apart. */
export interface FakeBrowser {
  readonly n: number
  readonly options: LaunchOptions
}

export type CloseMode = 'ok' | 'hang' | 'fail'

export class FakeHandle implements BrowserHandle<FakeBrowser> {
  closeMode: CloseMode = 'ok'
  closeCalls = 0
  killCalls = 0
  private readonly gone = deferred()
  private readonly listeners: (() => void)[] = []
  private disconnected = false

  constructor(
    readonly browser: FakeBrowser,
    readonly pid: number,
  ) {}

  /** the process is gone: closed, killed or crashed */
  get exited(): boolean {
    return this.disconnected
  }

  onDisconnected(listener: () => void): void {
    this.listeners.push(listener)
  }

  close(): Promise<void> {
    this.closeCalls++
    if (this.closeMode === 'fail') return Promise.reject(new Error('close failed'))
    if (this.closeMode === 'hang') return this.gone.promise // a hung browser's close returns once it is killed
    this.disconnect()
    return Promise.resolve()
  }

  killTree(): Promise<void> {
    this.killCalls++
    this.gone.resolve()
    this.disconnect()
    return Promise.resolve()
  }

  /** the process dies on its own */
  crash(): void {
    this.disconnect()
  }

  private disconnect(): void {
    if (this.disconnected) return
    this.disconnected = true
    for (const l of this.listeners) l()
  }
}

export type LaunchMode = 'ok' | 'fail' | 'hang' | 'manual'

/** One launch call. 'manual' launches wait for succeed() or fail(); 'hang' ones wait for the abort. */
export class PendingLaunch {
  private readonly outcome: Deferred<FakeHandle> = deferred()
  handle: FakeHandle | undefined
  settled = false

  constructor(
    readonly options: LaunchOptions,
    readonly signal: AbortSignal,
    private readonly make: () => FakeHandle,
  ) {}

  get promise(): Promise<FakeHandle> {
    return this.outcome.promise
  }

  succeed(): FakeHandle {
    if (this.settled) throw new Error('launch already settled')
    this.settled = true
    this.handle = this.make()
    this.outcome.resolve(this.handle)
    return this.handle
  }

  fail(err: Error = new Error('chromium exited during launch')): void {
    if (this.settled) throw new Error('launch already settled')
    this.settled = true
    this.outcome.reject(err)
  }
}

/** A Launcher that records its calls and launches, fails, hangs or waits on demand. */
export class FakeLauncher implements Launcher<FakeBrowser> {
  /** behaviour of the next launches, first first; `mode` once the script runs out */
  script: LaunchMode[] = []
  mode: LaunchMode = 'ok'
  /** false: a pending launch ignores its abort signal and may still deliver a browser */
  honourAbort = true
  readonly launches: PendingLaunch[] = []
  private count = 0
  private waiters: { n: number; resolve: () => void }[] = []

  get handles(): FakeHandle[] {
    return this.launches.flatMap((l) => (l.handle ? [l.handle] : []))
  }

  launch(options: LaunchOptions, signal: AbortSignal): Promise<FakeHandle> {
    const n = ++this.count
    const pending = new PendingLaunch(options, signal, () => new FakeHandle({ n, options }, 10_000 + n))
    this.launches.push(pending)
    const mode = this.script.shift() ?? this.mode
    if (mode === 'ok') pending.succeed()
    if (mode === 'fail') pending.fail()
    signal.addEventListener('abort', () => this.honourAbort && !pending.settled && pending.fail(signal.reason as Error), { once: true })
    this.waiters = this.waiters.filter((w) => (w.n <= this.launches.length ? (w.resolve(), false) : true))
    return pending.promise
  }

  /** resolves once `n` launches have been asked for */
  whenLaunched(n: number): Promise<void> {
    if (this.launches.length >= n) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ n, resolve }))
  }
}

/** The pool's other input: memory pressure the test sets, with a record of when it was read. */
export class FakePressure implements PressureSource {
  percent = 10
  limitBytes = 4 * 1024 ** 3
  failNext = false
  readonly sampledAtMs: number[] = []

  constructor(private readonly clock: Clock) {}

  async sample(): Promise<ResourceSample> {
    this.sampledAtMs.push(this.clock.now())
    if (this.failNext) {
      this.failNext = false
      throw new Error('cgroup unreadable')
    }
    const usedBytes = Math.round((this.percent / 100) * this.limitBytes)
    return { memory: { usedBytes, limitBytes: this.limitBytes, percent: this.percent }, cpu: { cores: 2, percent: null }, atMs: this.clock.now() }
  }
}

const MB = 1024 * 1024

/** A BrowserPool over the fakes, with a fixed plan the test may change, and its log. */
export function fakePool(settings: Partial<PoolSettings> = {}, plan: Partial<CapacityPlan> = {}) {
  const clock = new FakeClock()
  const launcher = new FakeLauncher()
  const pressure = new FakePressure(clock)
  const events: { event: string; fields: object }[] = []
  const currentPlan: { -readonly [K in keyof CapacityPlan]: CapacityPlan[K] } = {
    maxBrowsers: 8, concurrentLaunches: 8, pageSlots: 4, maxQueued: 64, maxQueuedPerCaller: 32, queueWaitMs: 10_000,
    memoryBudgetBytes: 3840 * MB, perBrowserBytes: 100 * MB, perPageBytes: 17 * MB, ...plan,
  }
  const pool = new BrowserPool<FakeBrowser>({
    launcher, clock, pressure,
    settings: { ...DEFAULT_POOL_SETTINGS, ...settings },
    plan: () => currentPlan,
    log: (event, fields) => events.push({ event, fields }),
  })
  return { clock, launcher, pressure, events, plan: currentPlan, pool }
}

/** An acquire request for a signature of its own, made from extra Chromium flags. */
export function requestWith(...extraArgs: string[]): AcquireRequest {
  const launch = launchOptionsFrom(extraArgs.length ? { extra_args: extraArgs } : undefined)
  return { launch, signature: signatureOf(launch) }
}
