import type { Clock } from '../util/clock.ts'

// The egress proxy's name resolution. Off libuv's thread pool (the query is asynchronous; a name
// that never answers holds no thread), one lookup in flight per name, answers cached within TTL
// bounds, failures cached briefly, and lookups rationed: a few in flight per budget (one budget per
// request), a cap in flight overall (this machine's DNS drops queries under concurrency), budgets
// served in turn, and a budget whose names keep going unanswered stops waiting for new ones.
// Pure apart from its two parameters: the DNS query and the clock.

export type RecordType = 'A' | 'AAAA'

/** One question to DNS; rejects with a Node DNS error code (ENOTFOUND, ENODATA, ETIMEOUT…), or when aborted. */
export type DnsQuery = (hostname: string, type: RecordType, signal: AbortSignal) => Promise<readonly { address: string; ttl: number }[]>

export type DnsFailure = 'not-found' | 'no-data' | 'timeout' | 'failed' | 'budget'

export class DnsLookupError extends Error {
  constructor(
    readonly failure: DnsFailure,
    message: string,
  ) {
    super(message)
    this.name = 'DnsLookupError'
  }
}

export interface DnsResolverOptions {
  readonly query: DnsQuery
  readonly clock: Clock
  /** TTLs are clamped into [minTtlMs, maxTtlMs] */
  readonly minTtlMs?: number
  readonly maxTtlMs?: number
  /** how long a failed lookup (no such name, no answer) is remembered */
  readonly negativeTtlMs?: number
  /** our own bound on one lookup, over whatever timeout and tries the query has */
  readonly lookupTimeoutMs?: number
  /** lookups in flight on the network, overall */
  readonly maxInFlight?: number
  /** lookups in flight on the network for one budget; the rest wait their turn */
  readonly perBudgetInFlight?: number
  /** after this many of a budget's lookups went unanswered, its new uncached names fail at once */
  readonly budgetTimeouts?: number
  /** answers kept (oldest dropped first) */
  readonly maxEntries?: number
}

export const DNS_DEFAULTS = {
  minTtlMs: 5_000,
  maxTtlMs: 300_000,
  negativeTtlMs: 15_000,
  lookupTimeoutMs: 5_000,
  maxInFlight: 24,
  perBudgetInFlight: 6,
  budgetTimeouts: 3,
  maxEntries: 10_000,
} as const

/** The lookups of one request: its share of the lookups in flight, and its patience. */
export interface DnsBudget {
  /** lookups of this budget that went unanswered */
  timeouts(): number
}

export interface DnsResolver {
  /** Every address of the name (A, or AAAA when it has no A); throws DnsLookupError, or the signal's reason. */
  resolve(hostname: string, o?: { budget?: DnsBudget; signal?: AbortSignal }): Promise<readonly string[]>
  budget(): DnsBudget
  stats(): DnsStats
}

export interface DnsStats {
  readonly cached: number
  readonly inFlight: number
  readonly queued: number
  /** lookups sent to the network, answers from the cache, callers who joined a lookup in flight */
  readonly lookups: number
  readonly hits: number
  readonly coalesced: number
}

type Outcome = { readonly addresses: readonly string[] } | { readonly error: DnsLookupError }

interface Budget extends DnsBudget {
  inFlight: number
  unanswered: number
  /** lookups waiting for a slot; start() is called with the slot taken */
  readonly queue: { start: () => void }[]
}

interface Flight {
  readonly outcome: Promise<Outcome>
  readonly controller: AbortController
  waiters: number
}

export function createDnsResolver(options: DnsResolverOptions): DnsResolver {
  const o = { ...DNS_DEFAULTS, ...options }
  const cache = new Map<string, { outcome: Outcome; expiresAtMs: number }>()
  const flights = new Map<string, Flight>()
  /** budgets with lookups waiting for a slot, served in turn */
  const waiting: Budget[] = []
  let inFlight = 0
  let queued = 0
  let lookups = 0
  let hits = 0
  let coalesced = 0

  const newBudget = (): Budget => {
    const b: Budget = { inFlight: 0, unanswered: 0, queue: [], timeouts: () => b.unanswered }
    return b
  }
  const shared = newBudget()

  function cached(name: string): Outcome | undefined {
    const entry = cache.get(name)
    if (!entry) return undefined
    if (entry.expiresAtMs <= o.clock.now()) {
      cache.delete(name)
      return undefined
    }
    cache.delete(name) // most recently used last, so eviction drops the coldest
    cache.set(name, entry)
    return entry.outcome
  }

  function remember(name: string, outcome: Outcome, ttlMs: number): void {
    cache.delete(name)
    cache.set(name, { outcome, expiresAtMs: o.clock.now() + ttlMs })
    while (cache.size > o.maxEntries) cache.delete(cache.keys().next().value!)
  }

  /** Waits for a slot (global and the budget's own), in turn with other budgets; rejects if aborted while waiting. */
  function slot(b: Budget, signal: AbortSignal): Promise<void> {
    // budgets that wait while slots are free wait for their own share: a newcomer need not queue behind them
    if (inFlight < o.maxInFlight && b.inFlight < o.perBudgetInFlight && b.queue.length === 0) {
      take(b)
      return Promise.resolve()
    }
    queued++
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          queued--
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      const onAbort = () => {
        const at = b.queue.indexOf(entry)
        if (at >= 0) b.queue.splice(at, 1)
        queued--
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      b.queue.push(entry)
      if (!waiting.includes(b)) waiting.push(b)
    })
  }

  function take(b: Budget): void {
    inFlight++
    b.inFlight++
  }

  function release(b: Budget): void {
    inFlight--
    b.inFlight--
    // a freed slot goes to the waiting budget with the fewest lookups in flight (the longest waiting among equals)
    for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]!.queue.length === 0) waiting.splice(i, 1)
    while (inFlight < o.maxInFlight) {
      let best = -1
      for (const [i, w] of waiting.entries()) {
        if (w.inFlight < o.perBudgetInFlight && (best < 0 || w.inFlight < waiting[best]!.inFlight)) best = i
      }
      if (best < 0) return
      const next = waiting.splice(best, 1)[0]!
      take(next)
      next.queue.shift()!.start()
      if (next.queue.length > 0) waiting.push(next)
    }
  }

  async function lookUp(name: string, b: Budget, signal: AbortSignal): Promise<Outcome> {
    await slot(b, signal)
    try {
      if (b.unanswered >= o.budgetTimeouts) return { error: budgetSpent(name) }
      lookups++
      const outcome = await bounded(name, signal)
      if ('error' in outcome && outcome.error.failure === 'timeout') b.unanswered++
      return outcome
    } finally {
      release(b)
    }
  }

  /** A, then AAAA when the name has no A; within lookupTimeoutMs. */
  async function bounded(name: string, signal: AbortSignal): Promise<Outcome> {
    const timer = new AbortController()
    const both = AbortSignal.any([signal, timer.signal])
    const expired = o.clock.sleep(o.lookupTimeoutMs, both).then(
      () => {
        timer.abort()
        return { error: new DnsLookupError('timeout', `${name}: no answer within ${o.lookupTimeoutMs} ms`) }
      },
      () => undefined,
    )
    const answered = (async (): Promise<Outcome> => {
      let records = await ask(name, 'A', both)
      if ('empty' in records) records = await ask(name, 'AAAA', both)
      if ('error' in records) return records
      if ('empty' in records) return { error: new DnsLookupError('no-data', `${name} has no address`) }
      const ttlMs = Math.min(...records.map((r) => r.ttl)) * 1000
      remember(name, { addresses: records.map((r) => r.address) }, clamp(ttlMs, o.minTtlMs, o.maxTtlMs))
      return { addresses: records.map((r) => r.address) }
    })()
    try {
      const first = await Promise.race([answered, expired.then((e) => e ?? answered)])
      if (signal.aborted) throw signal.reason
      if ('error' in first) remember(name, first, o.negativeTtlMs)
      return first
    } finally {
      timer.abort()
    }
  }

  async function ask(name: string, type: RecordType, signal: AbortSignal): Promise<readonly { address: string; ttl: number }[] | { empty: true } | { error: DnsLookupError }> {
    try {
      const records = await o.query(name, type, signal)
      return records.length > 0 ? records : { empty: true }
    } catch (err) {
      if (signal.aborted) throw err
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENODATA') return { empty: true }
      if (code === 'ENOTFOUND') return { error: new DnsLookupError('not-found', `${name} does not exist`) }
      if (code === 'ETIMEOUT') return { error: new DnsLookupError('timeout', `${name}: DNS did not answer`) }
      return { error: new DnsLookupError('failed', `${name}: DNS failed (${code ?? (err as Error).message})`) }
    }
  }

  return {
    async resolve(hostname, { budget, signal } = {}) {
      signal?.throwIfAborted()
      const name = hostname.toLowerCase().replace(/\.+$/, '')
      const b = (budget as Budget | undefined) ?? shared
      let outcome = cached(name)
      if (outcome) {
        hits++
      } else {
        let flight = flights.get(name)
        if (flight) {
          coalesced++
        } else {
          if (b.unanswered >= o.budgetTimeouts) throw budgetSpent(name)
          const controller = new AbortController()
          const started: Flight = { controller, waiters: 0, outcome: lookUp(name, b, controller.signal).finally(() => flights.delete(name)) }
          started.outcome.catch(() => undefined)
          flights.set(name, started)
          flight = started
        }
        outcome = await waitFor(flight, signal)
      }
      if ('error' in outcome) throw outcome.error
      return outcome.addresses
    },
    budget: newBudget,
    stats: () => ({ cached: cache.size, inFlight, queued, lookups, hits, coalesced }),
  }
}

/** The flight's outcome; a waiter that leaves early stops the lookup if it was the last one. */
async function waitFor(flight: Flight, signal: AbortSignal | undefined): Promise<Outcome> {
  flight.waiters++
  let left = false
  const leave = () => {
    if (left) return
    left = true
    if (--flight.waiters === 0) flight.controller.abort(signal?.reason)
  }
  try {
    if (!signal) return await flight.outcome
    return await new Promise<Outcome>((resolve, reject) => {
      const onAbort = () => {
        leave()
        reject(signal.reason)
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      flight.outcome.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  } finally {
    left = true
  }
}

function budgetSpent(name: string): DnsLookupError {
  return new DnsLookupError('budget', `${name}: not looked up, this request's earlier names went unanswered`)
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Number.isFinite(n) ? n : min))
}
