import { describe, expect, it } from 'vitest'
import { RunnerBackoff } from '../../../edge/routing/runner-backoff.ts'

describe('RunnerBackoff', () => {
  it('skips a failed runner for a time that doubles with each failure, up to the cap', () => {
    const b = new RunnerBackoff({ baseMs: 100, maxMs: 350 })
    b.failed('r', 0)
    expect(b.isSkipped('r', 99)).toBe(true)
    expect(b.isSkipped('r', 100)).toBe(false)
    b.failed('r', 100)
    expect(b.isSkipped('r', 299)).toBe(true)
    expect(b.isSkipped('r', 300)).toBe(false)
    b.failed('r', 300)
    expect(b.retryInMs(['r'], 300)).toBe(350)
    b.failed('r', 650)
    expect(b.retryInMs(['r'], 650)).toBe(350)
  })

  it('honours a longer Retry-After, still capped', () => {
    const b = new RunnerBackoff({ baseMs: 100, maxMs: 3_000 })
    b.failed('r', 0, 2_000)
    expect(b.retryInMs(['r'], 0)).toBe(2_000)
    b.failed('s', 0, 60_000)
    expect(b.retryInMs(['s'], 0)).toBe(3_000)
  })

  it('forgets the failures after one success', () => {
    const b = new RunnerBackoff({ baseMs: 100, maxMs: 10_000 })
    for (let i = 0; i < 5; i++) b.failed('r', 0)
    b.succeeded('r')
    expect(b.isSkipped('r', 0)).toBe(false)
    b.failed('r', 0)
    expect(b.retryInMs(['r'], 0)).toBe(100)
  })

  it('tells when the first of several runners may be tried again', () => {
    const b = new RunnerBackoff({ baseMs: 100, maxMs: 10_000 })
    b.failed('a', 0)
    b.failed('b', 0)
    b.failed('b', 0)
    expect(b.retryInMs(['a', 'b'], 50)).toBe(50)
    expect(b.retryInMs(['a', 'c'], 50)).toBe(0)
  })

  it('refuses settings that make no sense', () => {
    expect(() => new RunnerBackoff({ baseMs: 0, maxMs: 10 })).toThrow(/baseMs/)
    expect(() => new RunnerBackoff({ baseMs: 20, maxMs: 10 })).toThrow(/maxMs/)
  })
})
