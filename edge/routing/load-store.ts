import type { Redis } from 'ioredis'
import { raceTimeout } from '../../runner/contract/deadlines.ts'
import { LOAD_STORE_KEYS, LOAD_STORE_STALE_MS, PICK_RUNNER_SCRIPT, RELEASE_PICK_SCRIPT, WITHDRAW_SCRIPT, redisClassOf } from '../../runner/contract/load-store.ts'
import type { EdgeClock } from '../core/clock.ts'
import type { EdgeLogger } from '../core/logger.ts'

/** The edge's side of the load store (runner/contract/load-store.ts). */
export interface LoadStore {
  /**
   * The least loaded runner the store knows, not one of `exclude`, its count raised by one for
   * the request about to go there; undefined when the store knows none, or is not answering (then
   * the caller places the request another way).
   */
  pick(exclude: readonly string[]): Promise<string | undefined>
  /** a pick the edge does not use (a runner its discovery does not know): its count goes back down (best effort) */
  release(runnerId: string): void
  /**
   * the picked runner could not be reached: out of the store, so no other instance picks it in the
   * seconds before it would go stale (in a VPC a dead task's address does not refuse, it times
   * out); a live runner puts itself back with its next write, a heartbeat later at most
   */
  drop(runnerId: string): void
}

export interface RedisLoadStoreOptions {
  /** redis://host:port or rediss://host:port (TLS: ElastiCache Serverless) */
  readonly url: string
  /** a pick that takes longer is given up (the request is placed by probing instead) */
  readonly timeoutMs: number
  /** after a failed pick, the store is not asked again for this long */
  readonly retryAfterMs: number
  readonly clock: EdgeClock
  readonly logger: EdgeLogger
  /** connect now, not on the first pick: a Lambda instance connects during its init, beside the first request's other reads */
  readonly connectAtStart?: boolean
}

/**
 * ioredis is imported only where a store is set, after the edge's own import. One connection per
 * process, opened at the start (connectAtStart) or on the first pick and kept while the instance
 * lives; commands never wait in a queue for a connection that is down. A pick that finds the
 * connection still being made goes without the store rather than wait.
 */
export function redisLoadStore(o: RedisLoadStoreOptions): LoadStore & { close(): Promise<void> } {
  let client: Promise<StoreClient> | undefined
  let pausedUntilMs = -Infinity
  const connect = async (): Promise<StoreClient> => {
    const Redis = redisClassOf(await import('ioredis'))
    const redis = new Redis(o.url, {
      lazyConnect: true,
      connectTimeout: Math.max(o.timeoutMs, 1000),
      commandTimeout: o.timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null, // a new pick after the pause opens a new connection
    })
    redis.on('error', () => undefined) // a failed pick reports it; the event would only repeat it
    redis.defineCommand('crawlfleetPick', { numberOfKeys: 2, lua: PICK_RUNNER_SCRIPT })
    redis.defineCommand('crawlfleetRelease', { numberOfKeys: 1, lua: RELEASE_PICK_SCRIPT })
    redis.defineCommand('crawlfleetDrop', { numberOfKeys: 2, lua: WITHDRAW_SCRIPT })
    await redis.connect()
    return redis as StoreClient
  }
  const open = (): Promise<StoreClient> => {
    const connecting = connect()
    connecting.catch((err: unknown) => {
      if (client === connecting) failed(err)
    })
    return connecting
  }
  const failed = (err: unknown): undefined => {
    pausedUntilMs = o.clock.now() + o.retryAfterMs
    const broken = client
    client = undefined
    void broken?.then((r) => r.disconnect(), () => undefined)
    o.logger.warn({ err: (err as Error).message, retryInMs: o.retryAfterMs }, 'load store not answering; placing by probes')
    return undefined
  }
  if (o.connectAtStart) client = open()
  return {
    async pick(exclude) {
      if (o.clock.now() < pausedUntilMs) return undefined
      const connecting = (client ??= open())
      let redis: StoreClient
      try {
        redis = await raceTimeout(connecting, o.timeoutMs, () => new Error(`no connection within ${o.timeoutMs} ms`))
      } catch {
        // still connecting (a cold instance's first TLS handshake): this request goes without it;
        // a connection that failed has already paused the store (open)
        return undefined
      }
      try {
        const picked = await redis.crawlfleetPick(LOAD_STORE_KEYS.load, LOAD_STORE_KEYS.seen, String(LOAD_STORE_STALE_MS), ...exclude)
        return typeof picked === 'string' ? picked : undefined
      } catch (err) {
        return failed(err)
      }
    },
    release(runnerId) {
      void client?.then((r) => r.crawlfleetRelease(LOAD_STORE_KEYS.load, runnerId)).catch(() => undefined)
    },
    drop(runnerId) {
      void client?.then((r) => r.crawlfleetDrop(LOAD_STORE_KEYS.load, LOAD_STORE_KEYS.seen, runnerId)).catch(() => undefined)
    },
    async close() {
      const c = client
      client = undefined
      await c?.then((r) => r.quit(), () => undefined).catch(() => undefined)
    },
  }
}

/** the client with the scripts defined on it (defineCommand adds them at run time) */
type StoreClient = Redis & {
  crawlfleetPick(load: string, seen: string, staleMs: string, ...exclude: string[]): Promise<string | null>
  crawlfleetRelease(load: string, runnerId: string): Promise<unknown>
  crawlfleetDrop(load: string, seen: string, runnerId: string): Promise<unknown>
}
