import { describe, expect, it } from 'vitest'
import { planLaunchGate, type GateState } from '../../../runner/pool/launch-gate.ts'
import type { BrowserView } from '../../../runner/pool/types.ts'
import { browser, NOW } from './browser-view.ts'


describe('planLaunchGate', () => {
  const MB = 1024 * 1024
  const gate = (over: Partial<GateState>): GateState => ({ usedPct: 50, limitBytes: 1000 * MB, gatePct: 85, browsers: 4, maxBrowsers: 10, ...over })
  const cost = () => 100 * MB // 10 % of the limit each
  const pool = [
    browser({ id: 'hot-old', tier: 'hot', lastUsedAtMs: 1 }),
    browser({ id: 'cold-new', lastUsedAtMs: 300 }),
    browser({ id: 'cold-old', lastUsedAtMs: 100 }),
    browser({ id: 'cold-leased', leases: 1, lastUsedAtMs: 0 }),
    browser({ id: 'perm', tier: 'permanent', lastUsedAtMs: 0 }),
  ]

  it('admits without evicting when memory and count are under their limits', () => {
    expect(planLaunchGate(pool, gate({}), cost)).toEqual({ evict: [], admit: true })
  })

  it('evicts idle cold before idle hot, least recently used first, until memory is under the gate', () => {
    expect(planLaunchGate(pool, gate({ usedPct: 100 }), cost)).toEqual({
      evict: [
        { id: 'cold-old', reason: 'memory' },
        { id: 'cold-new', reason: 'memory' },
      ],
      admit: true,
    })
    expect(planLaunchGate(pool, gate({ usedPct: 110 }), cost).evict.map((e) => e.id)).toEqual(['cold-old', 'cold-new', 'hot-old'])
  })

  it('refuses when evicting every idle browser is not enough; leased and permanent ones are never evicted', () => {
    const d = planLaunchGate(pool, gate({ usedPct: 130 }), cost)
    expect(d.admit).toBe(false)
    expect(d.evict.map((e) => e.id)).toEqual(['cold-old', 'cold-new', 'hot-old'])
  })

  it('makes room by count when the plan has no browser left, even with memory to spare', () => {
    expect(planLaunchGate(pool, gate({ browsers: 10 }), cost)).toEqual({ evict: [{ id: 'cold-old', reason: 'capacity' }], admit: true })
    expect(planLaunchGate(pool, gate({ browsers: 14 }), cost).admit).toBe(false)
    expect(planLaunchGate([], gate({ maxBrowsers: 0, browsers: 0 }), cost).admit).toBe(false)
  })

  it("counts each evicted browser's own cost", () => {
    const measured = (b: BrowserView) => (b.id === 'cold-old' ? 400 * MB : 10 * MB)
    expect(planLaunchGate(pool, gate({ usedPct: 120 }), measured).evict.map((e) => e.id)).toEqual(['cold-old'])
  })
})
