import { NoRunnerError } from '../../runner/contract/errors.ts'
import { raceTimeout } from '../../runner/contract/deadlines.ts'
import type { EdgeLogger } from '../core/logger.ts'
import type { Discovery, RunnerEndpoint } from './types.ts'

/** One full read of the runner list from a registry (Cloud Map, ECS…). */
export type ListSource = () => Promise<readonly RunnerEndpoint[]>

export interface CachedDiscoveryOptions {
  readonly source: ListSource
  /** what the log lines call the source */
  readonly name: string
  readonly clock: { now(): number }
  readonly logger: EdgeLogger
  /** a list younger than this is used as is */
  readonly ttlMs: number
  /**
   * each refresh comes after ttlMs × (1 ± jitter), drawn anew per refresh: instances started
   * together (a burst of cold starts) do not refresh together. 0 in tests.
   */
  readonly jitter?: number
  readonly random?: () => number
  /** an older list is refreshed before use (Lambda instances thaw after minutes); younger ones in the background */
  readonly maxStaleMs?: number
  /** after a failed refresh (API error, throttling) the next try waits this long */
  readonly retryAfterErrorMs?: number
  /** invalidate() (a runner that could not be reached) refreshes a list at least this old, never a younger one */
  readonly minForcedAgeMs?: number
}

/**
 * A registry read through a cache, stale-while-revalidate: one refresh at a time; on an API error
 * or throttling the last good list stays in use; a stale list is served while it refreshes. The
 * registry is read at most once per TTL per instance, however many requests the instance serves.
 */
export function cachedDiscovery(o: CachedDiscoveryOptions): Discovery {
  const jitter = o.jitter ?? 0
  const random = o.random ?? Math.random
  const maxStaleMs = o.maxStaleMs ?? Math.max(60_000, o.ttlMs * 2)
  const retryAfterErrorMs = o.retryAfterErrorMs ?? 2_000
  const minForcedAgeMs = o.minForcedAgeMs ?? 1_000
  let list: readonly RunnerEndpoint[] | undefined
  let fetchedAtMs = -Infinity
  let dueAtMs = -Infinity
  let attemptedAtMs = -Infinity
  let lastFailed = false
  let forced = false
  let inflight: Promise<readonly RunnerEndpoint[]> | undefined

  function refresh(): Promise<readonly RunnerEndpoint[]> {
    inflight ??= (async () => {
      attemptedAtMs = o.clock.now()
      try {
        const fresh = await o.source()
        list = Object.freeze([...fresh])
        fetchedAtMs = o.clock.now()
        dueAtMs = fetchedAtMs + o.ttlMs * (1 + jitter * (2 * random() - 1))
        lastFailed = false
        forced = false
        return list
      } catch (err) {
        lastFailed = true
        o.logger.warn({ err, source: o.name, keptRunners: list?.length ?? 0 }, 'runner discovery failed; keeping the last list')
        throw err
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }

  function dueForRefresh(nowMs: number): boolean {
    if (inflight) return false
    if (lastFailed && nowMs - attemptedAtMs < retryAfterErrorMs) return false
    if (forced && nowMs - fetchedAtMs >= minForcedAgeMs) return true
    return nowMs >= dueAtMs
  }

  return {
    async runners() {
      const nowMs = o.clock.now()
      if (list === undefined) {
        if (!inflight && lastFailed && nowMs - attemptedAtMs < retryAfterErrorMs) {
          throw new NoRunnerError('runner discovery is failing; retrying shortly', retryAfterErrorMs / 1000)
        }
        try {
          return await (inflight ?? refresh())
        } catch (err) {
          throw new NoRunnerError(`runner discovery failed: ${(err as Error).message}`)
        }
      }
      if (dueForRefresh(nowMs)) {
        const pending = refresh()
        if (nowMs - fetchedAtMs > maxStaleMs) return pending.catch(() => list!)
        pending.catch(() => {}) // logged in refresh; the caller keeps the current list
      }
      return list
    },
    invalidate() {
      forced = true
    },
  }
}

/**
 * The primary registry, or the fallback when the primary fails or has not answered within
 * waitMs (a cold instance must not hang on a slow registry): the answer is never worse than the
 * fallback's. A late primary answer is dropped; the next refresh asks it again.
 */
export function withFallback(primary: ListSource, fallback: ListSource, o: { waitMs: number; logger: EdgeLogger; name: string }): ListSource {
  return async () => {
    try {
      const found = await raceTimeout(primary(), o.waitMs, () => new Error(`${o.name} did not answer within ${o.waitMs} ms`))
      if (found.length > 0) return found
      throw new Error(`${o.name} lists no runner`)
    } catch (err) {
      o.logger.warn({ err: (err as Error).message }, `${o.name} unavailable; reading the fallback registry`)
      return fallback()
    }
  }
}
