import { BrowserCrashedError } from '../contract/errors.ts'
import type { LaunchOptions } from '../contract/signature.ts'
import type { Clock } from '../util/clock.ts'
import { withDeadline } from '../util/with-deadline.ts'
import type { BrowserHandle, BrowserState, BrowserView, Lease, RetireReason, Tier } from './types.ts'

/** The pool's record of one running browser. Only the pool changes it. */
export class BrowserRecord<B> {
  state: BrowserState = 'active'
  tier: Tier
  readonly leases = new Set<PoolLease<B>>()
  uses = 0
  pagesServed = 0
  lastUsedAtMs: number
  measuredBytes: number | undefined
  /** set when a replacement is launching: the reason this one retires once it is up */
  pendingRetireReason: RetireReason | undefined

  constructor(
    readonly id: string,
    readonly signature: string,
    readonly launch: LaunchOptions,
    tier: Tier,
    readonly handle: BrowserHandle<B>,
    readonly launchedAtMs: number,
  ) {
    this.tier = tier
    this.lastUsedAtMs = launchedAtMs
  }

  view(): BrowserView {
    return {
      id: this.id,
      signature: this.signature,
      tier: this.tier,
      state: this.state,
      leases: this.leases.size,
      uses: this.uses,
      pagesServed: this.pagesServed,
      launchedAtMs: this.launchedAtMs,
      lastUsedAtMs: this.lastUsedAtMs,
      pid: this.handle.pid,
    }
  }
}

/** One request's claim on a browser record; ends early (its signal aborts) when the browser goes away. */
export class PoolLease<B> implements Lease<B> {
  readonly tier: Tier
  private released = false
  private readonly gone = new AbortController()

  constructor(
    readonly record: BrowserRecord<B>,
    private readonly onRelease: (lease: PoolLease<B>) => void,
  ) {
    this.tier = record.tier
  }

  get browser(): B {
    return this.record.handle.browser
  }
  get browserId(): string {
    return this.record.id
  }
  get signature(): string {
    return this.record.signature
  }
  get signal(): AbortSignal {
    return this.gone.signal
  }
  get crashed(): boolean {
    return this.gone.signal.reason instanceof BrowserCrashedError
  }

  release(): void {
    if (this.released) return
    this.released = true
    this.onRelease(this)
  }

  /** the browser went away while this lease was out */
  end(reason: Error): void {
    this.gone.abort(reason)
  }
}

/** A polite close within graceMs, then SIGKILL of the whole process tree. Never rejects. */
export function closeOrKill(handle: BrowserHandle<unknown>, graceMs: number, clock: Clock, log: (event: string, fields: object) => void): Promise<void> {
  return withDeadline(handle.close(), graceMs, clock).catch(async (err: unknown) => {
    log('browser.kill', { pid: handle.pid, why: String(err) })
    await handle.killTree().catch((e: unknown) => log('browser.kill_failed', { pid: handle.pid, error: String(e) }))
  })
}
