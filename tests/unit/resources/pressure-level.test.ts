import { describe, expect, it } from 'vitest'
import { pressureLevel } from '../../../runner/resources/pressure-level.ts'

describe('pressureLevel', () => {
  it('is LOW below 60, MEDIUM from 60, HIGH from 80 by default', () => {
    expect(pressureLevel(0)).toBe('LOW')
    expect(pressureLevel(59.99)).toBe('LOW')
    expect(pressureLevel(60)).toBe('MEDIUM')
    expect(pressureLevel(79.99)).toBe('MEDIUM')
    expect(pressureLevel(80)).toBe('HIGH')
    expect(pressureLevel(140)).toBe('HIGH')
  })
  it('takes other thresholds', () => {
    const t = { mediumPct: 50, highPct: 90 }
    expect(pressureLevel(49, t)).toBe('LOW')
    expect(pressureLevel(50, t)).toBe('MEDIUM')
    expect(pressureLevel(89, t)).toBe('MEDIUM')
    expect(pressureLevel(90, t)).toBe('HIGH')
  })
  it('treats a missing reading (NaN) as HIGH', () => {
    expect(pressureLevel(Number.NaN)).toBe('HIGH')
  })
})
