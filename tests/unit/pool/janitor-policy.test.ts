import { describe, expect, it } from 'vitest'
import { planSweep, recycleReason } from '../../../runner/pool/janitor-policy.ts'
import { pressureLevel } from '../../../runner/resources/pressure-level.ts'
import { DEFAULT_JANITOR_SETTINGS as S } from '../../../runner/pool/pool-settings.ts'
import type { BrowserView } from '../../../runner/pool/types.ts'
import { browser, NOW } from './browser-view.ts'

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
