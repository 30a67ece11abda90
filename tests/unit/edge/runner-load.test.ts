import { describe, expect, it } from 'vitest'
import { RunnerLoad } from '../../../edge/routing/runner-load.ts'

describe('RunnerLoad', () => {
  it('is the reported load, fading by half per half-life, plus this edge’s requests in flight', () => {
    const l = new RunnerLoad(1_000)
    l.report('r', '0.800', 0)
    expect(l.loadOf('r', 0)).toBeCloseTo(0.8)
    expect(l.loadOf('r', 1_000)).toBeCloseTo(0.4)
    l.begin('r')
    l.begin('r')
    expect(l.loadOf('r', 1_000)).toBeCloseTo(2.4)
    l.end('r')
    expect(l.inflightTo('r')).toBe(1)
    l.end('r')
    expect(l.inflightTo('r')).toBe(0)
  })

  it('ignores a missing or malformed header and keeps the last good report', () => {
    const l = new RunnerLoad(1_000)
    l.report('r', '0.5', 0)
    for (const bad of [null, '', 'abc', '-1', 'Infinity']) l.report('r', bad, 0)
    expect(l.loadOf('r', 0)).toBeCloseTo(0.5)
    expect(l.loadOf('unknown', 0)).toBe(0)
  })
})
