import type { CapacitySettings } from './capacity-plan.ts'
import type { JanitorSettings } from './janitor-policy.ts'

const MB = 1024 * 1024
const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS

/** How long a browser gets to close politely before its process tree is killed. */
export const CLOSE_GRACE_MS = 5 * SECOND_MS

// DESIGN.md "Browser build": Chromium's headless shell measured ≈ 90 MB PSS per browser and
// ≈ 17 MB PSS per open context (Playwright 1.65, Debian Chromium, 2 cores). The per-browser figure
// is only the starting estimate: the cost model replaces it with measurements from this machine.
export const DEFAULT_PER_BROWSER_BYTES = 90 * MB
export const DEFAULT_PER_PAGE_BYTES = 17 * MB
/** the runner's own Node process (~100 MB) plus headroom for spikes while pages render */
export const DEFAULT_RESERVE_BYTES = 256 * MB

export const DEFAULT_CAPACITY_SETTINGS: CapacitySettings = {
  // DESIGN.md: unthrottled concurrency collapses throughput (0.42 pages/s at 50 pages on 2 cores),
  // so pages in flight track the cores; 2 per core keeps a core busy while the other page waits on I/O
  pagesPerCore: 2,
  queuePerSlot: 4,
  // a queued request spends its client's deadline; after this the edge does better elsewhere
  queueWaitMs: 10 * SECOND_MS,
}

// DESIGN.md "Janitor": levels LOW < 60 % ≤ MEDIUM < 80 % ≤ HIGH pick the interval and the TTLs.
export const DEFAULT_JANITOR_SETTINGS: JanitorSettings = {
  mediumPct: 60,
  highPct: 80,
  intervalMs: { LOW: 60 * SECOND_MS, MEDIUM: 30 * SECOND_MS, HIGH: 10 * SECOND_MS },
  coldTtlMs: { LOW: 300 * SECOND_MS, MEDIUM: 60 * SECOND_MS, HIGH: 30 * SECOND_MS },
  hotTtlMs: { LOW: 600 * SECOND_MS, MEDIUM: 300 * SECOND_MS, HIGH: 120 * SECOND_MS },
  // memory grows in long-lived Chromium; a relaunch costs ~0.2 s, so recycling often is cheap
  maxPagesPerBrowser: 500,
  maxBrowserAgeMs: 30 * MINUTE_MS,
}

export interface PoolSettings extends JanitorSettings {
  /** a cold browser becomes hot on this use */
  readonly promoteAfterUses: number
  /** no launch at or above this memory %, after evicting what is idle */
  readonly memoryGatePct: number
  readonly memoryRetryAfterSec: number
  readonly closeGraceMs: number
  /** a permanent browser that keeps failing to launch is retried after initial, 2×initial, … up to max */
  readonly relaunchBackoffMs: { readonly initial: number; readonly max: number }
  /** releases sample pressure at most this often, to nudge the janitor when it rises */
  readonly releasePressureSampleMs: number
}

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  ...DEFAULT_JANITOR_SETTINGS,
  promoteAfterUses: 3,
  // above the janitor's HIGH level (80 %): the janitor gets aggressive before launches are refused
  memoryGatePct: 85,
  memoryRetryAfterSec: 5,
  closeGraceMs: CLOSE_GRACE_MS,
  relaunchBackoffMs: { initial: 500, max: 30 * SECOND_MS },
  releasePressureSampleMs: SECOND_MS,
}
