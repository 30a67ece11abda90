import { describe, expect, it } from 'vitest'
import { planLaunchGate, planSweep, pressureLevel, recycleReason, type GateState } from '../../../runner/pool/janitor-policy.ts'
import { DEFAULT_JANITOR_SETTINGS as S } from '../../../runner/pool/pool-settings.ts'
import type { BrowserView } from '../../../runner/pool/types.ts'

const NOW = 10_000_000
const browser = (over: Partial<BrowserView> & Pick<BrowserView, 'id'>): BrowserView => ({
  signature: `sig-${over.id}`,
  tier: 'cold',
  state: 'active',
  leases: 0,
  uses: 1,
  pagesServed: 1,
  launchedAtMs: NOW - 60_000,
  lastUsedAtMs: NOW,
  pid: undefined,
  ...over,
})
const idleFor = (ms: number) => NOW - ms

describe('pressureLevel', () => {
  it('is LOW below 60 %, MEDIUM below 80 %, HIGH from 80 %', () => {
    expect([0, 59.9, 60, 79.9, 80, 100].map((p) => pressureLevel(p, S))).toEqual(['LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH'])
  })
})

describe('planSweep', () => {
  it('picks the interval from the level: 60 / 30 / 10 s', () => {
    expect(planSweep([], 10, NOW, S)).toMatchObject({ level: 'LOW', nextIntervalMs: 60_000 })
    expect(planSweep([], 70, NOW, S)).toMatchObject({ level: 'MEDIUM', nextIntervalMs: 30_000 })
    expect(planSweep([], 90, NOW, S)).toMatchObject({ level: 'HIGH', nextIntervalMs: 10_000 })
  })

  it.each([
    ['LOW', 10, 300_000, 600_000],
    ['MEDIUM', 70, 60_000, 300_000],
    ['HIGH', 90, 30_000, 120_000],
  ])('at %s (%i %%) retires cold and hot browsers idle for their TTL since last use', (_level, pct, coldTtlMs, hotTtlMs) => {
    const browsers = [
      browser({ id: 'cold-fresh', lastUsedAtMs: idleFor(coldTtlMs - 1) }),
      browser({ id: 'cold-stale', lastUsedAtMs: idleFor(coldTtlMs), launchedAtMs: idleFor(coldTtlMs + 1) }),
      browser({ id: 'hot-fresh', tier: 'hot', lastUsedAtMs: idleFor(hotTtlMs - 1) }),
      browser({ id: 'hot-stale', tier: 'hot', lastUsedAtMs: idleFor(hotTtlMs) }),
    ]
    expect(planSweep(browsers, pct, NOW, S).retire).toEqual([
      { id: 'cold-stale', reason: 'ttl' },
      { id: 'hot-stale', reason: 'ttl' },
    ])
  })

  it('never retires the permanent browser or a leased one by TTL', () => {
    const browsers = [
      browser({ id: 'perm', tier: 'permanent', lastUsedAtMs: idleFor(3_600_000) }),
      browser({ id: 'leased', leases: 1, lastUsedAtMs: idleFor(3_600_000) }),
    ]
    expect(planSweep(browsers, 95, NOW, S).retire).toEqual([])
  })

  it('skips browsers already retired', () => {
    expect(planSweep([browser({ id: 'r', state: 'retired', lastUsedAtMs: idleFor(3_600_000) })], 95, NOW, S).retire).toEqual([])
  })

  it('recycles any browser past its page count or age, the permanent and leased ones included', () => {
    const browsers = [
      browser({ id: 'perm-pages', tier: 'permanent', pagesServed: S.maxPagesPerBrowser }),
      browser({ id: 'leased-old', leases: 2, launchedAtMs: NOW - S.maxBrowserAgeMs }),
      browser({ id: 'young', pagesServed: S.maxPagesPerBrowser - 1, launchedAtMs: NOW - S.maxBrowserAgeMs + 1 }),
    ]
    expect(planSweep(browsers, 10, NOW, S).retire).toEqual([
      { id: 'perm-pages', reason: 'max-pages' },
      { id: 'leased-old', reason: 'max-age' },
    ])
  })

  it('uses configured thresholds and TTLs', () => {
    const s = { ...S, mediumPct: 20, coldTtlMs: { LOW: 1, MEDIUM: 5, HIGH: 1 }, intervalMs: { LOW: 7, MEDIUM: 8, HIGH: 9 } }
    const plan = planSweep([browser({ id: 'a', lastUsedAtMs: idleFor(5) })], 25, NOW, s)
    expect(plan).toEqual({ level: 'MEDIUM', nextIntervalMs: 8, retire: [{ id: 'a', reason: 'ttl' }] })
  })
})

describe('recycleReason', () => {
  it('names pages before age and nothing for a young browser', () => {
    const s = { maxPagesPerBrowser: 10, maxBrowserAgeMs: 1000 }
    expect(recycleReason(browser({ id: 'a', pagesServed: 10, launchedAtMs: NOW - 1000 }), NOW, s)).toBe('max-pages')
    expect(recycleReason(browser({ id: 'a', pagesServed: 9, launchedAtMs: NOW - 1000 }), NOW, s)).toBe('max-age')
    expect(recycleReason(browser({ id: 'a', pagesServed: 9, launchedAtMs: NOW - 999 }), NOW, s)).toBeUndefined()
  })
})

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
