import { pressureLevel, type PressureThresholds } from '../resources/pressure-level.ts'
import type { PressureLevel } from '../resources/types.ts'
import type { BrowserView, RetireReason } from './types.ts'

// Which browsers to retire, as a function of the browsers, the memory pressure and the time.
// The loop around it (janitor.ts) only applies what this decides.

export type PerLevel = Readonly<Record<PressureLevel, number>>

export interface JanitorSettings extends PressureThresholds {
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
