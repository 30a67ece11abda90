import { describe, expect, it } from 'vitest'
import { createDnsResolver, DnsLookupError, type DnsQuery, type DnsResolverOptions, type RecordType } from '../../../runner/egress/dns-resolver.ts'
import { FakeClock, flushPromises } from '../../helpers/fake-clock.ts'

/** A DNS that answers when the test says so; every question is recorded. */
function scriptedDns() {
  const asked: { name: string; type: RecordType; signal: AbortSignal; answer(records: { address: string; ttl: number }[]): void; fail(code: string): void }[] = []
  const query: DnsQuery = (name, type, signal) =>
    new Promise((resolve, reject) => {
      const fail = (code: string) => reject(Object.assign(new Error(code), { code }))
      asked.push({ name, type, signal, answer: resolve, fail })
      signal.addEventListener('abort', () => fail('ECANCELLED'), { once: true })
    })
  const pending = () => asked.filter((q) => !q.signal.aborted)
  const last = (name: string, type: RecordType = 'A') => [...asked].reverse().find((q) => q.name === name && q.type === type)!
  return { query, asked, pending, last }
}

function setup(o: Partial<DnsResolverOptions> = {}) {
  const clock = new FakeClock()
  const dns = scriptedDns()
  const resolver = createDnsResolver({ query: dns.query, clock, ...o })
  return { clock, dns, resolver }
}

const failureOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof DnsLookupError ? e.failure : String(e)))

describe('DNS resolver', () => {
  it('answers from the cache within the TTL, clamped to its bounds, and asks again after it', async () => {
    const { clock, dns, resolver } = setup({ minTtlMs: 5_000, maxTtlMs: 60_000 })
    const first = resolver.resolve('Example.COM.')
    await flushPromises()
    dns.last('example.com').answer([{ address: '203.0.113.1', ttl: 0 }])
    expect(await first).toEqual(['203.0.113.1'])
    await clock.advance(4_999)
    expect(await resolver.resolve('example.com')).toEqual(['203.0.113.1']) // a TTL of 0 is held for the 5 s floor
    expect(dns.asked).toHaveLength(1)
    await clock.advance(1)
    const again = resolver.resolve('example.com')
    await flushPromises()
    expect(dns.asked).toHaveLength(2)
    dns.last('example.com').answer([{ address: '203.0.113.2', ttl: 86_400 }])
    expect(await again).toEqual(['203.0.113.2'])
    await clock.advance(59_999)
    expect(await resolver.resolve('example.com')).toEqual(['203.0.113.2']) // a day's TTL is held for the 60 s ceiling
    await clock.advance(1)
    void resolver.resolve('example.com').catch(() => undefined)
    await flushPromises()
    expect(dns.asked).toHaveLength(3)
    expect(resolver.stats().hits).toBe(2)
  })

  it('asks for AAAA only when the name has no A record, and not after NXDOMAIN', async () => {
    const { dns, resolver } = setup()
    const v6 = resolver.resolve('v6.example')
    await flushPromises()
    dns.last('v6.example').fail('ENODATA')
    await flushPromises()
    dns.last('v6.example', 'AAAA').answer([{ address: '2001:db8::1', ttl: 60 }])
    expect(await v6).toEqual(['2001:db8::1'])

    const missing = failureOf(resolver.resolve('missing.example'))
    await flushPromises()
    dns.last('missing.example').fail('ENOTFOUND')
    expect(await missing).toBe('not-found')
    expect(dns.asked.filter((q) => q.name === 'missing.example').map((q) => q.type)).toEqual(['A'])
  })

  it('remembers a failure for the negative TTL only', async () => {
    const { clock, dns, resolver } = setup({ negativeTtlMs: 10_000 })
    const first = failureOf(resolver.resolve('gone.example'))
    await flushPromises()
    dns.last('gone.example').fail('ENOTFOUND')
    expect(await first).toBe('not-found')
    expect(await failureOf(resolver.resolve('gone.example'))).toBe('not-found')
    expect(dns.asked).toHaveLength(1)
    await clock.advance(10_000)
    void resolver.resolve('gone.example').catch(() => undefined)
    await flushPromises()
    expect(dns.asked).toHaveLength(2)
  })

  it('sends one question for concurrent callers of the same name', async () => {
    const { dns, resolver } = setup()
    const all = Promise.all(Array.from({ length: 5 }, () => resolver.resolve('shared.example', { budget: resolver.budget() })))
    await flushPromises()
    expect(dns.asked).toHaveLength(1)
    dns.last('shared.example').answer([{ address: '203.0.113.5', ttl: 60 }])
    expect(await all).toEqual(Array(5).fill(['203.0.113.5']))
    expect(resolver.stats()).toMatchObject({ lookups: 1, coalesced: 4 })
  })

  it('cancels the question when its last caller leaves, not before', async () => {
    const { dns, resolver } = setup()
    const a = new AbortController()
    const b = new AbortController()
    const pa = resolver.resolve('slow.example', { signal: a.signal })
    const pb = resolver.resolve('slow.example', { signal: b.signal })
    await flushPromises()
    const question = dns.last('slow.example')
    a.abort(new Error('caller a left'))
    await expect(pa).rejects.toThrow('caller a left')
    expect(question.signal.aborted).toBe(false)
    b.abort(new Error('caller b left'))
    await expect(pb).rejects.toThrow('caller b left')
    expect(question.signal.aborted).toBe(true)
    // a cancelled lookup is not an answer: the next caller asks again
    void resolver.resolve('slow.example').catch(() => undefined)
    await flushPromises()
    expect(dns.asked).toHaveLength(2)
  })

  it('gives up on a name after its lookup timeout and stops the question', async () => {
    const { clock, dns, resolver } = setup({ lookupTimeoutMs: 2_000 })
    const p = failureOf(resolver.resolve('silent.example'))
    await clock.whenSleeping()
    await clock.advance(2_000)
    expect(await p).toBe('timeout')
    expect(dns.last('silent.example').signal.aborted).toBe(true)
  })

  it("keeps one request's unanswered names to its own share, so another request's name is asked at once", async () => {
    const { dns, resolver } = setup({ perBudgetInFlight: 3, maxInFlight: 10 })
    const attacker = resolver.budget()
    const dead = Array.from({ length: 50 }, (_, i) => resolver.resolve(`dead-${i}.example`, { budget: attacker }).catch(() => undefined))
    await flushPromises()
    expect(dns.pending()).toHaveLength(3)
    const victim = resolver.resolve('victim.example', { budget: resolver.budget() })
    await flushPromises()
    expect(dns.pending().map((q) => q.name)).toContain('victim.example')
    dns.last('victim.example').answer([{ address: '203.0.113.7', ttl: 60 }])
    expect(await victim).toEqual(['203.0.113.7'])
    expect(resolver.stats()).toMatchObject({ inFlight: 3, queued: 47 })
    void dead
  })

  it('caps lookups in flight overall and serves waiting requests in turn', async () => {
    const { dns, resolver } = setup({ perBudgetInFlight: 2, maxInFlight: 3 })
    const budgets = [resolver.budget(), resolver.budget(), resolver.budget()]
    for (const [i, budget] of budgets.entries()) for (let n = 0; n < 3; n++) void resolver.resolve(`b${i}-${n}.example`, { budget }).catch(() => undefined)
    await flushPromises()
    expect(dns.pending().map((q) => q.name)).toEqual(['b0-0.example', 'b0-1.example', 'b1-0.example'])
    dns.last('b0-0.example').answer([{ address: '203.0.113.1', ttl: 60 }])
    await flushPromises()
    // the freed slot goes to the budget that has waited with nothing in flight, not back to b0
    expect(dns.pending().map((q) => q.name)).toEqual(['b0-1.example', 'b1-0.example', 'b2-0.example'])
  })

  it("stops looking up a request's new names once several of its names went unanswered", async () => {
    const { clock, dns, resolver } = setup({ perBudgetInFlight: 2, budgetTimeouts: 2, lookupTimeoutMs: 1_000 })
    const budget = resolver.budget()
    const cachedAnswer = resolver.resolve('known.example', { budget })
    await flushPromises()
    dns.last('known.example').answer([{ address: '203.0.113.9', ttl: 600 }])
    await cachedAnswer
    const first = [failureOf(resolver.resolve('dead-1.example', { budget })), failureOf(resolver.resolve('dead-2.example', { budget }))]
    const third = failureOf(resolver.resolve('dead-3.example', { budget }))
    const fourth = failureOf(resolver.resolve('dead-4.example', { budget }))
    await clock.whenSleeping(2)
    await clock.advance(1_000)
    expect(await Promise.all(first)).toEqual(['timeout', 'timeout'])
    // dead-3 took the slot dead-1 freed, with one name unanswered; dead-4 came up after the second
    expect(await fourth).toBe('budget')
    await clock.advance(1_000)
    expect(await third).toBe('timeout')
    expect(await failureOf(resolver.resolve('new.example', { budget }))).toBe('budget')
    expect(await resolver.resolve('known.example', { budget })).toEqual(['203.0.113.9'])
    expect(budget.timeouts()).toBe(3)
    expect(dns.asked.map((q) => q.name)).not.toContain('new.example')
    // another request is not affected
    const other = resolver.resolve('new.example', { budget: resolver.budget() })
    await flushPromises()
    dns.last('new.example').answer([{ address: '203.0.113.10', ttl: 60 }])
    expect(await other).toEqual(['203.0.113.10'])
  })

  it('drops a queued lookup whose caller left, without sending it', async () => {
    const { dns, resolver } = setup({ perBudgetInFlight: 1 })
    const budget = resolver.budget()
    void resolver.resolve('first.example', { budget }).catch(() => undefined)
    const leave = new AbortController()
    const second = resolver.resolve('second.example', { budget, signal: leave.signal })
    await flushPromises()
    leave.abort(new Error('gone'))
    await expect(second).rejects.toThrow('gone')
    expect(resolver.stats().queued).toBe(0)
    dns.last('first.example').answer([{ address: '203.0.113.1', ttl: 60 }])
    await flushPromises()
    expect(dns.asked.map((q) => q.name)).toEqual(['first.example'])
  })

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const { dns, resolver } = setup({ maxEntries: 2 })
    for (const name of ['a.example', 'b.example']) {
      const p = resolver.resolve(name)
      await flushPromises()
      dns.last(name).answer([{ address: '203.0.113.1', ttl: 60 }])
      await p
    }
    await resolver.resolve('a.example') // a is now the most recent
    const c = resolver.resolve('c.example')
    await flushPromises()
    dns.last('c.example').answer([{ address: '203.0.113.3', ttl: 60 }])
    await c
    expect(resolver.stats().cached).toBe(2)
    await resolver.resolve('a.example')
    void resolver.resolve('b.example').catch(() => undefined)
    await flushPromises()
    expect(dns.asked.filter((q) => q.name === 'b.example')).toHaveLength(2)
  })
})
