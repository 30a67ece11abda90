import { describe, expect, it } from 'vitest'
import { rankRunners } from '../../../edge/routing/rendezvous.ts'
import { placeRequest } from '../../../edge/routing/two-choice.ts'
import { DEFAULT_SIGNATURE } from '../../../runner/contract/signature.ts'

const ids = Array.from({ length: 100 }, (_, i) => `runner-${i}`)

describe('placeRequest', () => {
  it('keeps a launch signature on its rendezvous order whatever the load', () => {
    const order = rankRunners('0123456789abcdef', ids)
    const placed = placeRequest({ signature: '0123456789abcdef', runnerIds: ids, requestKey: 'r1', loadOf: (id) => (id === order[0] ? 99 : 0) })
    expect(placed).toEqual(order)
  })

  it('sends a default-signature request to the less loaded of its two candidates', () => {
    const base = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: 'req-7', loadOf: () => 0 })
    const [a, b] = base
    const busyA = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: 'req-7', loadOf: (id) => (id === a ? 2 : 0) })
    expect(busyA.slice(0, 2)).toEqual([b, a])
    const busyB = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: 'req-7', loadOf: (id) => (id === b ? 2 : 0) })
    expect(busyB.slice(0, 2)).toEqual([a, b])
  })

  it('spreads default-signature requests over every runner, not only two', () => {
    const firsts = new Set<string>()
    for (let i = 0; i < 2_000; i++) firsts.add(placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: `req-${i}`, loadOf: () => 0 })[0])
    expect(firsts.size).toBe(100)
  })

  it('keeps the busiest runner within 1.25× of the mean over 10,000 placements on 100 runners', () => {
    const load = new Map(ids.map((id) => [id, 0]))
    for (let i = 0; i < 10_000; i++) {
      const [first] = placeRequest({ signature: DEFAULT_SIGNATURE, runnerIds: ids, requestKey: `req-${i}`, loadOf: (id) => load.get(id)! })
      load.set(first, load.get(first)! + 1)
    }
    const max = Math.max(...load.values())
    expect(max / 100).toBeLessThanOrEqual(1.25)
  })
})
