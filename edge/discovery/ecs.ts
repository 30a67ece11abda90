import { NoRunnerError } from '../../runner/contract/errors.ts'
import type { EdgeLogger } from '../core/logger.ts'
import { listRunnerTasks, type EcsTaskQuery } from './ecs-tasks.ts'
import type { Discovery, RunnerEndpoint } from './types.ts'

export interface EcsDiscoveryOptions extends EcsTaskQuery {
  readonly clock: { now(): number }
  readonly logger: EdgeLogger
  /** a list younger than this is used as is */
  readonly ttlMs?: number
  /** an older list is refreshed before use (Lambda instances thaw after minutes); younger ones in the background */
  readonly maxStaleMs?: number
  /** after a failed refresh (API error, throttling) the next try waits this long */
  readonly retryAfterErrorMs?: number
  /** forced refreshes (after connection failures) come at most this often */
  readonly minForcedIntervalMs?: number
}

/**
 * ECS discovery with a short-lived cache. One refresh runs at a time; on an API error or
 * throttling the last good list stays in use. A stale list is served while it refreshes.
 */
export function ecsDiscovery(o: EcsDiscoveryOptions): Discovery {
  const ttlMs = o.ttlMs ?? 10_000
  const maxStaleMs = o.maxStaleMs ?? 60_000
  const retryAfterErrorMs = o.retryAfterErrorMs ?? 2_000
  const minForcedIntervalMs = o.minForcedIntervalMs ?? 1_000
  let list: readonly RunnerEndpoint[] | undefined
  let fetchedAtMs = -Infinity
  let attemptedAtMs = -Infinity
  let lastFailed = false
  let forced = false
  let inflight: Promise<readonly RunnerEndpoint[]> | undefined

  function refresh(): Promise<readonly RunnerEndpoint[]> {
    inflight ??= (async () => {
      attemptedAtMs = o.clock.now()
      try {
        const fresh = await listRunnerTasks(o)
        list = Object.freeze(fresh)
        fetchedAtMs = o.clock.now()
        lastFailed = false
        forced = false
        return list
      } catch (err) {
        lastFailed = true
        o.logger.warn({ err, cluster: o.cluster, keptRunners: list?.length ?? 0 }, 'ECS discovery failed; keeping the last list')
        throw err
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }

  function dueForRefresh(nowMs: number): boolean {
    if (inflight) return false
    const sinceAttemptMs = nowMs - attemptedAtMs
    if (lastFailed && sinceAttemptMs < retryAfterErrorMs) return false
    if (forced) return sinceAttemptMs >= minForcedIntervalMs
    return nowMs - fetchedAtMs >= ttlMs
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
