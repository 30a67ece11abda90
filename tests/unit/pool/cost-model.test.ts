import { describe, expect, it } from 'vitest'
import { BrowserCostModel } from '../../../runner/pool/cost-model.ts'

describe('BrowserCostModel', () => {
  it('answers the default until the first measurement, then the mean of measurements', () => {
    const m = new BrowserCostModel(90)
    expect(m.estimateBytes()).toBe(90)
    m.record(120)
    expect(m.estimateBytes()).toBe(120)
    m.record(80)
    expect(m.estimateBytes()).toBe(100)
    expect(m.measurements).toBe(2)
  })

  it('forgets measurements older than its window', () => {
    const m = new BrowserCostModel(90, 2)
    m.record(1000)
    m.record(100)
    m.record(200)
    expect(m.estimateBytes()).toBe(150)
  })

  it('ignores measurements of browsers that were already gone', () => {
    const m = new BrowserCostModel(90)
    m.record(0)
    m.record(Number.NaN)
    m.record(-5)
    expect(m.estimateBytes()).toBe(90)
  })

  it('rejects a default that is not a positive size', () => {
    expect(() => new BrowserCostModel(0)).toThrow(/defaultBytes/)
  })
})
