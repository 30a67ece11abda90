import type { Redis } from 'ioredis'
import { LOAD_STORE_HEARTBEAT_MS, LOAD_STORE_KEYS, PUBLISH_LOAD_SCRIPT, WITHDRAW_SCRIPT, redisClassOf } from '../contract/load-store.ts'
import type { Clock } from '../util/clock.ts'

/** What the publisher needs of the store: its writes of this runner's count, and its withdrawal. */
export interface LoadStoreWriter {
  /** adds `delta` to the store's count of `id` (sets it to `own` if the store does not hold it); returns the store's count */
  publish(id: string, delta: number, own: number): Promise<number>
  withdraw(id: string): Promise<void>
  close(): Promise<void>
}

export interface LoadPublisherOptions {
  /** this runner as edge discovery names it (`<ip>:<port>`) */
  readonly id: string
  /** the page requests this runner holds now: what the store's count should come to */
  readonly count: () => number
  readonly writer: LoadStoreWriter
  readonly clock: Clock
  /** @default LOAD_STORE_HEARTBEAT_MS */
  readonly heartbeatMs?: number
  readonly log: { warn(obj: object, msg: string): void }
}

export interface LoadPublisher {
  /** this runner's count changed by `delta` (+1: a request the store did not count arrived; -1: a request ended) */
  changed(delta: number): void
  start(): void
  /** resolves when every change so far is in the store (or its write failed) */
  flushed(): Promise<void>
  /** no more writes; the runner leaves the store (edges stop picking it) */
  stop(): Promise<void>
}

/**
 * Writes this runner's count changes to the load store (runner/contract/load-store.ts), at most one
 * write in flight: changes made during a write go out together right after it. A heartbeat write
 * every `heartbeatMs` keeps the runner fresh in the store and repairs its count: picks on their way
 * here make the store's count differ from the runner's for a few ms, a pick lost with its edge
 * makes it differ for good, so the same difference at two heartbeats in a row is corrected. A
 * failing store costs a warning a minute and nothing else: edges then place without it.
 */
export function createLoadPublisher(o: LoadPublisherOptions): LoadPublisher {
  const heartbeatMs = o.heartbeatMs ?? LOAD_STORE_HEARTBEAT_MS
  let writing: Promise<void> | undefined
  let unsent = 0
  let stopped = false
  let warnedAtMs = -Infinity
  /** the store's count minus the runner's at the last heartbeat */
  let lastDifference = 0
  const beat = new AbortController()

  const write = (heartbeat = false): void => {
    if (stopped || writing) return
    const delta = unsent
    unsent = 0
    const own = o.count()
    writing = o.writer
      .publish(o.id, delta, own)
      .then((stored) => {
        if (!heartbeat) return
        const difference = stored - own
        if (difference !== 0 && difference === lastDifference) {
          unsent -= difference
          lastDifference = 0
        } else lastDifference = difference
      })
      .catch((err: unknown) => {
        unsent += delta
        if (o.clock.now() - warnedAtMs < 60_000) return
        warnedAtMs = o.clock.now()
        o.log.warn({ event: 'load_store.write_failed', err: (err as Error).message }, 'writing the load to the load store failed')
      })
      .finally(() => {
        writing = undefined
        if (unsent !== 0) write()
      })
  }

  const heartbeat = async () => {
    while (!stopped) {
      await o.clock.sleep(heartbeatMs, beat.signal).catch(() => undefined)
      write(true) // skipped while a write is in flight
    }
  }

  return {
    changed(delta) {
      unsent += delta
      write()
    },
    start() {
      write()
      void heartbeat()
    },
    async flushed() {
      while (writing) await writing
    },
    async stop() {
      stopped = true
      beat.abort()
      await writing
      await o.writer.withdraw(o.id).catch(() => undefined)
      await o.writer.close().catch(() => undefined)
    },
  }
}

/** The writer on Redis or Valkey; ioredis is imported only where a store is set. */
export async function redisLoadStoreWriter(url: string): Promise<LoadStoreWriter> {
  const Redis = redisClassOf(await import('ioredis'))
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    // a write waits for the connection (the publisher has one write in flight at most, so the queue holds one)
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2000),
  })
  redis.on('error', () => undefined) // a failed write reports it
  redis.defineCommand('crawlfleetPublish', { numberOfKeys: 2, lua: PUBLISH_LOAD_SCRIPT })
  redis.defineCommand('crawlfleetWithdraw', { numberOfKeys: 2, lua: WITHDRAW_SCRIPT })
  redis.connect().catch(() => undefined) // writes fail until it connects; the heartbeat retries
  const commands = redis as Redis & {
    crawlfleetPublish(load: string, seen: string, id: string, delta: string, own: string): Promise<string>
    crawlfleetWithdraw(load: string, seen: string, id: string): Promise<unknown>
  }
  return {
    publish: async (id, delta, own) => Number(await commands.crawlfleetPublish(LOAD_STORE_KEYS.load, LOAD_STORE_KEYS.seen, id, String(delta), String(own))),
    withdraw: async (id) => void (await commands.crawlfleetWithdraw(LOAD_STORE_KEYS.load, LOAD_STORE_KEYS.seen, id)),
    close: async () => void (await redis.quit().catch(() => redis.disconnect())),
  }
}

/**
 * The address edges know this runner by, when none is configured: the first IPv4 address that is
 * not loopback (in an ECS task with awsvpc networking, its ENI's: the address Cloud Map registers).
 */
export function firstExternalIPv4(interfaces: NodeJS.Dict<readonly { readonly address: string; readonly family: string | number; readonly internal: boolean }[]>): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (!a.internal && (a.family === 'IPv4' || a.family === 4)) return a.address
  }
  return undefined
}
