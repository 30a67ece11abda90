import { readSettings } from '../contract/settings/define.ts'
import { RUNNER_SETTINGS, type RunnerSettings } from '../contract/settings/runner-settings.ts'
import { DEFAULT_PRESSURE_THRESHOLDS } from '../resources/pressure-level.ts'
import type { CapacitySettings } from './capacity-plan.ts'
import type { JanitorSettings, PerLevel } from './janitor-policy.ts'

// The pool's settings: what an operator may set comes from RUNNER_SETTINGS (one table, one set of
// defaults); the rest are fixed here, each with the reason for its value.

const SECOND_MS = 1000

/** How long a browser gets to close politely before its process tree is killed. */
export const CLOSE_GRACE_MS = 5 * SECOND_MS

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

type JanitorInput = Pick<RunnerSettings, 'janitorIntervalSec' | 'coldTtlSec' | 'hotTtlSec' | 'maxPagesPerBrowser' | 'maxBrowserAgeSec'>

const perLevelMs = ([LOW, MEDIUM, HIGH]: readonly [number, number, number]): PerLevel => ({ LOW: LOW * 1000, MEDIUM: MEDIUM * 1000, HIGH: HIGH * 1000 })

// DESIGN.md "Janitor": levels LOW < 60 % ≤ MEDIUM < 80 % ≤ HIGH pick the interval and the TTLs.
export function janitorSettingsFrom(s: JanitorInput): JanitorSettings {
  return {
    ...DEFAULT_PRESSURE_THRESHOLDS,
    intervalMs: perLevelMs(s.janitorIntervalSec),
    coldTtlMs: perLevelMs(s.coldTtlSec),
    hotTtlMs: perLevelMs(s.hotTtlSec),
    maxPagesPerBrowser: s.maxPagesPerBrowser,
    maxBrowserAgeMs: s.maxBrowserAgeSec * 1000,
  }
}

export function poolSettingsFrom(s: JanitorInput & Pick<RunnerSettings, 'promoteAfterUses' | 'memoryGatePct'>): PoolSettings {
  return {
    ...janitorSettingsFrom(s),
    promoteAfterUses: s.promoteAfterUses,
    // above the janitor's HIGH level (80 %): the janitor gets aggressive before launches are refused
    memoryGatePct: s.memoryGatePct,
    memoryRetryAfterSec: 5,
    closeGraceMs: CLOSE_GRACE_MS,
    relaunchBackoffMs: { initial: 500, max: 30 * SECOND_MS },
    releasePressureSampleMs: SECOND_MS,
  }
}

export function capacitySettingsFrom(
  s: Pick<RunnerSettings, 'pagesPerCore' | 'queueWaitMs' | 'maxQueued' | 'maxQueuedPerCaller' | 'maxBrowsers'>,
): CapacitySettings {
  return { pagesPerCore: s.pagesPerCore, queueWaitMs: s.queueWaitMs, maxQueued: s.maxQueued, maxQueuedPerCaller: s.maxQueuedPerCaller, maxBrowsers: s.maxBrowsers }
}

const DEFAULTS = readSettings(RUNNER_SETTINGS, {})
export const DEFAULT_JANITOR_SETTINGS: JanitorSettings = janitorSettingsFrom(DEFAULTS)
export const DEFAULT_POOL_SETTINGS: PoolSettings = poolSettingsFrom(DEFAULTS)
export const DEFAULT_CAPACITY_SETTINGS: CapacitySettings = capacitySettingsFrom(DEFAULTS)
