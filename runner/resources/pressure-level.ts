import type { PressureLevel } from './types.ts'

export interface PressureThresholds {
  readonly mediumPct: number
  readonly highPct: number
}

export const DEFAULT_PRESSURE_THRESHOLDS: PressureThresholds = { mediumPct: 60, highPct: 80 }

/** LOW < mediumPct ≤ MEDIUM < highPct ≤ HIGH. A NaN percent (no reading) counts as HIGH, the safe side. */
export function pressureLevel(percent: number, t: PressureThresholds = DEFAULT_PRESSURE_THRESHOLDS): PressureLevel {
  if (Number.isNaN(percent) || percent >= t.highPct) return 'HIGH'
  return percent >= t.mediumPct ? 'MEDIUM' : 'LOW'
}
