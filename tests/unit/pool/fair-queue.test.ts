import { describe, expect, it } from 'vitest'
import { FairQueue } from '../../../runner/pool/fair-queue.ts'
import { KeptPlaces } from '../../../runner/pool/kept-places.ts'
import { predictWaitMs, retryAfterSec, waitBudgetMs } from '../../../runner/pool/predicted-wait.ts'

describe('FairQueue', () => {
  it('serves callers round-robin and each caller first come first served', () => {
    const q = new FairQueue<string>()
    for (const x of ['a1', 'a2', 'a3']) q.push('a', x)
    q.push('b', 'b1')
    q.push('c', 'c1')
    q.push('c', 'c2')
    const out: (string | undefined)[] = []
    while (q.length) out.push(q.shift())
    expect(out).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3'])
  })

  it('continues the rotation after a caller whose queue emptied, and after one served without queueing', () => {
    const q = new FairQueue<string>()
    q.noteServed('a')
    q.push('a', 'a1')
    q.push('b', 'b1')
    expect(q.shift()).toBe('b1')
    q.push('c', 'c1')
    expect(q.shift()).toBe('a1')
    expect(q.shift()).toBe('c1')
  })

  it('lists its waiters in the order it serves them, wherever the rotation stands', () => {
    // a seeded walk through pushes, shifts, removals and slots taken without queueing
    let seed = 7
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let trial = 0; trial < 50; trial++) {
      const q = new FairQueue<string>()
      const items: [string, string][] = []
      for (let step = 0; step < 30; step++) {
        const caller = 'abcd'[next(4)]!
        const op = next(10)
        if (op < 6) {
          const item = `${caller}${step}`
          q.push(caller, item)
          items.push([caller, item])
        } else if (op < 8) q.shift()
        else if (op < 9) q.noteServed(caller)
        else if (items.length > 0) q.remove(...items[next(items.length)]!)
      }
      const listed = [...q.inServiceOrder()].map(([, item]) => item)
      const served: string[] = []
      while (q.length) served.push(q.shift()!)
      expect(listed).toEqual(served)
    }
  })

  it('puts a waiter given its place earlier (a kept place, claimed) before the caller’s waiters that queued after it', () => {
    const q = new FairQueue<string>()
    q.push('a', 'a1', 1000)
    q.push('a', 'a2', 3000)
    q.push('a', 'a3', 4000)
    q.push('a', 'claimed', 2000)
    q.push('a', 'claimed-later', 2500)
    q.push('a', 'a4')
    const out: (string | undefined)[] = []
    while (q.length) out.push(q.shift())
    expect(out).toEqual(['a1', 'claimed', 'claimed-later', 'a2', 'a3', 'a4'])
  })

  it('counts what is ahead of a newcomer: its own queue and, from each other caller, one more than that', () => {
    const q = new FairQueue<string>()
    for (let i = 0; i < 500; i++) q.push('flood', `f${i}`)
    q.push('b', 'b1')
    expect(q.aheadOf('quiet')).toBe(2)
    expect(q.aheadOf('b')).toBe(1 + 2)
    expect(q.aheadOf('flood')).toBe(500 + 1)
    expect(q.remove('flood', 'f3')).toBe(true)
    expect(q.queuedBy('flood')).toBe(499)
  })
})

describe('predicted wait', () => {
  it('is none with a free slot and nobody ahead, else the work ahead plus this one through the slots', () => {
    expect(predictWaitMs({ ahead: 0, running: 3, slots: 4, serviceMs: 400 })).toBe(0)
    expect(predictWaitMs({ ahead: 0, running: 4, slots: 4, serviceMs: 400 })).toBe(100)
    expect(predictWaitMs({ ahead: 99, running: 4, slots: 4, serviceMs: 400 })).toBe(10_000)
  })

  it('caps the budget by what the deadline leaves after the work itself', () => {
    expect(waitBudgetMs(10_000, undefined, 500)).toBe(10_000)
    expect(waitBudgetMs(10_000, 3000, 500)).toBe(2500)
  })

  it('gives Retry-After in whole seconds, at least 1', () => {
    expect(retryAfterSec({ promisedAhead: 0, slots: 8, serviceMs: 300 })).toBe(1)
    expect(retryAfterSec({ promisedAhead: 199, slots: 8, serviceMs: 400 })).toBe(10)
  })
})

describe('KeptPlaces', () => {
  it('lets the caller claim its place from a second before the promised time until it expires', () => {
    const k = new KeptPlaces({ earlyMs: 1000, lateMs: 5000 })
    k.keep('a', 10_000, 4_000)
    k.keep('a', 12_000, 5_000)
    expect(k.claim('b', 10_000)).toBeUndefined()
    expect(k.claim('a', 8_500)).toBeUndefined()
    expect(k.dueBefore(11_000, 9_000)).toBe(1)
    expect(k.claim('a', 9_000)).toEqual({ madeAtMs: 4_000 })
    expect(k.count(9_000)).toBe(1)
    // the second place expires unclaimed
    expect(k.count(17_001)).toBe(0)
    expect(k.claim('a', 17_001)).toBeUndefined()
  })
})
