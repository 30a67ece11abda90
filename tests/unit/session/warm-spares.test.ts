import type { Browser } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { WarmSpares } from '../../../runner/session/warm-spares.ts'
import type { PageSession } from '../../../runner/session/page-session.ts'
import { deferred, flushPromises, type Deferred } from '../../helpers/fake-clock.ts'

function fakeSession(name: string) {
  let closed = false
  return {
    name,
    page: { isClosed: () => closed },
    close: async () => void (closed = true),
  } as unknown as PageSession & { name: string }
}

function setup(o: { idle?: () => boolean } = {}) {
  const opening: Deferred<PageSession>[] = []
  let connected = true
  const browser = { isConnected: () => connected } as unknown as Browser
  const spares = new WarmSpares({
    perBrowser: 1,
    hasIdleSlot: o.idle ?? (() => true),
    open: () => {
      const d = deferred<PageSession>()
      opening.push(d)
      return d.promise
    },
  })
  return { spares, opening, browser, disconnect: () => (connected = false) }
}

describe('warm spares', () => {
  it('hands a ready spare out once', async () => {
    const { spares, opening, browser } = setup()
    spares.replenish('b1', browser)
    opening[0]!.resolve(fakeSession('s1'))
    await flushPromises()
    expect(spares.count()).toBe(1)
    expect(((await spares.take('b1')) as unknown as { name: string }).name).toBe('s1')
    expect(await spares.take('b1')).toBeUndefined()
    expect(await spares.take('other')).toBeUndefined()
  })

  it('gives a request the spare still being made instead of letting it make a second page', async () => {
    const { spares, opening, browser } = setup()
    spares.replenish('b1', browser)
    const taking = spares.take('b1')
    expect(await Promise.race([taking, flushPromises().then(() => 'waiting')])).toBe('waiting')
    opening[0]!.resolve(fakeSession('s1'))
    expect(((await taking) as unknown as { name: string }).name).toBe('s1')
    expect(spares.count()).toBe(0) // claimed, never listed as ready
    expect(await spares.take('b1')).toBeUndefined()
  })

  it('makes one spare at a time per browser, and none while every slot is busy', async () => {
    let idle = false
    const { spares, opening, browser } = setup({ idle: () => idle })
    spares.replenish('b1', browser)
    expect(opening).toHaveLength(0)
    idle = true
    spares.replenish('b1', browser)
    spares.replenish('b1', browser)
    expect(opening).toHaveLength(1)
  })

  it('closes spares of browsers that left the pool, and a spare made for a browser that died', async () => {
    const { spares, opening, browser, disconnect } = setup()
    spares.replenish('b1', browser)
    const s1 = fakeSession('s1')
    opening[0]!.resolve(s1)
    await flushPromises()
    spares.prune(new Set(['b2']))
    expect(s1.page.isClosed()).toBe(true)
    expect(spares.count()).toBe(0)

    spares.replenish('b1', browser)
    disconnect()
    const s2 = fakeSession('s2')
    opening[1]!.resolve(s2)
    await flushPromises()
    expect(s2.page.isClosed()).toBe(true)
    expect(spares.count()).toBe(0)
  })

  it('releases the spares of idle browsers, and makes them again on the next use', async () => {
    const { spares, opening, browser } = setup()
    spares.replenish('b1', browser)
    spares.replenish('b2', browser)
    const [s1, s2] = [fakeSession('s1'), fakeSession('s2')]
    opening[0]!.resolve(s1)
    opening[1]!.resolve(s2)
    await flushPromises()
    expect(spares.release(['b1', 'unknown'])).toBe(1)
    expect(s1.page.isClosed()).toBe(true)
    expect(s2.page.isClosed()).toBe(false)
    expect(spares.count()).toBe(1)
    expect(await spares.take('b1')).toBeUndefined()
    spares.replenish('b1', browser)
    expect(opening).toHaveLength(3)
  })
})
