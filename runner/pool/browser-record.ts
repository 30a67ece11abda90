import type { LaunchOptions } from '../contract/signature.ts'
import type { Clock } from '../util/clock.ts'
import { withDeadline } from '../util/with-deadline.ts'
import type { PoolLease } from './lease.ts'
import type { BrowserHandle, BrowserState, BrowserView, RetireReason, Tier } from './types.ts'

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

/** A polite close within graceMs, then SIGKILL of the whole process tree. Never rejects. */
export function closeOrKill(handle: BrowserHandle<unknown>, graceMs: number, clock: Clock, log: (event: string, fields: object) => void): Promise<void> {
  return withDeadline(handle.close(), graceMs, clock).catch(async (err: unknown) => {
    log('browser.kill', { pid: handle.pid, why: String(err) })
    await handle.killTree().catch((e: unknown) => log('browser.kill_failed', { pid: handle.pid, error: String(e) }))
  })
}
