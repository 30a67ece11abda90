import type { ContextOptions, LaunchOptions } from '../contract/signature.ts'
import type { CapacityPlan } from './capacity-plan.ts'

// The pool's vocabulary. The pool is generic over B (a Playwright Browser in production, a fake in
// unit tests): it never calls into B itself, it only hands it out in leases.

export type Tier = 'permanent' | 'hot' | 'cold'
export type BrowserState = 'active' | 'retired' | 'closed'
export type RetireReason = 'ttl' | 'max-pages' | 'max-age' | 'memory' | 'capacity' | 'crash' | 'recycle' | 'shutdown'

/** One running browser process, as a Launcher made it. */
export interface BrowserHandle<B = unknown> {
  readonly browser: B
  /** the browser's main process id, when known (for memory measurement and the kill) */
  readonly pid: number | undefined
  /** called once when the browser goes away unexpectedly (crash, killed process) */
  onDisconnected(listener: () => void): void
  /** polite close; may hang, which is why killTree exists */
  close(): Promise<void>
  /** SIGKILL the browser's whole process tree */
  killTree(): Promise<void>
}

export interface Launcher<B = unknown> {
  /** `tier`: the permanent browser serves the default signature; hot and cold ones, the launch variants */
  launch(options: LaunchOptions, signal: AbortSignal, tier: Tier): Promise<BrowserHandle<B>>
}

/** A claim on one browser for one request. release() is idempotent. */
export interface Lease<B = unknown> {
  readonly browser: B
  readonly browserId: string
  readonly signature: string
  readonly tier: Tier
  /**
   * Aborted when the browser goes away before release(): with a BrowserCrashedError when it
   * crashed, a DrainingError when shutdown closed it after the grace period. Pass it to page work.
   */
  readonly signal: AbortSignal
  /** true once the browser behind this lease has crashed: the page layer answers with a retryable 503 */
  readonly crashed: boolean
  release(): void
}

export interface BrowserView {
  readonly id: string
  readonly signature: string
  readonly tier: Tier
  readonly state: BrowserState
  readonly leases: number
  readonly uses: number
  readonly pagesServed: number
  readonly launchedAtMs: number
  readonly lastUsedAtMs: number
  readonly pid: number | undefined
}

export interface PoolCounters {
  hits: number
  misses: number
  launches: number
  launchFailures: number
  promotions: number
  evictions: number
  retirements: number
  crashes: number
  refusals: Record<string, number>
}

/** The one read model that /pressure, /metrics and the janitor consume. */
export interface PoolSnapshot {
  readonly browsers: readonly BrowserView[]
  readonly counts: { permanent: number; hot: number; cold: number; launching: number; retired: number; leased: number }
  readonly counters: Readonly<PoolCounters>
  /** the capacity plan in force, for /pressure */
  readonly plan?: CapacityPlan
}

export type { ContextOptions, LaunchOptions }
