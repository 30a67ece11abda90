import type { PressureLevel } from '../resources/types.ts'
import type { BrowserView, RetireReason } from './types.ts'

// Which browsers to retire, as a function of the browsers, the memory pressure and the time.
// The loop around it (janitor.ts) and the pool's memory gate only apply what these decide.

export type PerLevel = Readonly<Record<PressureLevel, number>>

export interface JanitorSettings {
  /** pressure below mediumPct is LOW, below highPct MEDIUM, else HIGH */
  readonly mediumPct: number
  readonly highPct: number
  readonly intervalMs: PerLevel
  /** idle time (since last use) after which a browser is closed */
  readonly coldTtlMs: PerLevel
  readonly hotTtlMs: PerLevel
  /** long-lived Chromium grows: recycle after this many pages or this age */
  readonly maxPagesPerBrowser: number
  readonly maxBrowserAgeMs: number
}

export interface Retirement {
  readonly id: string
  readonly reason: RetireReason
}

export interface SweepPlan {
  readonly retire: readonly Retirement[]
  readonly nextIntervalMs: number
  readonly level: PressureLevel
}

const LEVEL_RANK: Readonly<Record<PressureLevel, number>> = { LOW: 0, MEDIUM: 1, HIGH: 2 }

export function pressureLevel(pressurePct: number, s: Pick<JanitorSettings, 'mediumPct' | 'highPct'>): PressureLevel {
  return pressurePct >= s.highPct ? 'HIGH' : pressurePct >= s.mediumPct ? 'MEDIUM' : 'LOW'
}

export function isHigherLevel(a: PressureLevel, b: PressureLevel): boolean {
  return LEVEL_RANK[a] > LEVEL_RANK[b]
}

/** Why a browser should be replaced regardless of pressure, if it should. */
export function recycleReason(b: BrowserView, nowMs: number, s: Pick<JanitorSettings, 'maxPagesPerBrowser' | 'maxBrowserAgeMs'>): 'max-pages' | 'max-age' | undefined {
  if (b.pagesServed >= s.maxPagesPerBrowser) return 'max-pages'
  if (nowMs - b.launchedAtMs >= s.maxBrowserAgeMs) return 'max-age'
  return undefined
}

export function planSweep(browsers: readonly BrowserView[], pressurePct: number, nowMs: number, s: JanitorSettings): SweepPlan {
  const level = pressureLevel(pressurePct, s)
  const retire: Retirement[] = []
  for (const b of browsers) {
    if (b.state !== 'active') continue
    // recycling applies to leased browsers too: retired means no new leases, closed at the last release
    const recycle = recycleReason(b, nowMs, s)
    if (recycle) {
      retire.push({ id: b.id, reason: recycle })
      continue
    }
    if (b.tier === 'permanent' || b.leases > 0) continue
    const ttlMs = b.tier === 'hot' ? s.hotTtlMs[level] : s.coldTtlMs[level]
    if (nowMs - b.lastUsedAtMs >= ttlMs) retire.push({ id: b.id, reason: 'ttl' })
  }
  return { retire, nextIntervalMs: s.intervalMs[level], level }
}

export interface GateState {
  /** memory in use, including browsers still launching, as % of the limit */
  readonly usedPct: number
  readonly limitBytes: number
  readonly gatePct: number
  /** hot and cold browsers alive or launching (the permanent's share is reserved apart) */
  readonly browsers: number
  readonly maxBrowsers: number
}

export interface GateDecision {
  readonly evict: readonly Retirement[]
  readonly admit: boolean
}

/**
 * The memory gate before a launch: while memory is at or above the gate or the browser count at
 * the plan's maximum, evict idle cold then idle hot browsers, least recently used first, counting
 * each one's estimated cost as freed (closing is asynchronous, a new sample would not show it yet).
 */
export function planLaunchGate(browsers: readonly BrowserView[], g: GateState, costBytes: (b: BrowserView) => number): GateDecision {
  const idle = browsers
    .filter((b) => b.state === 'active' && b.leases === 0 && b.tier !== 'permanent')
    .sort((a, b) => (a.tier === b.tier ? a.lastUsedAtMs - b.lastUsedAtMs : a.tier === 'cold' ? -1 : 1))
  const evict: Retirement[] = []
  let usedPct = g.usedPct
  let count = g.browsers
  const blocked = () => usedPct >= g.gatePct || count >= g.maxBrowsers
  for (const b of idle) {
    if (!blocked()) break
    evict.push({ id: b.id, reason: usedPct >= g.gatePct ? 'memory' : 'capacity' })
    usedPct -= (costBytes(b) / g.limitBytes) * 100
    count -= 1
  }
  return { evict, admit: !blocked() }
}
