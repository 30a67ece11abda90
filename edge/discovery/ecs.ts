import type { EdgeLogger } from '../core/logger.ts'
import { cachedDiscovery } from './cached.ts'
import { listRunnerTasks, type EcsTaskQuery } from './ecs-tasks.ts'
import type { Discovery } from './types.ts'

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

/** ECS discovery (ListTasks + DescribeTasks) with a short-lived cache: see cachedDiscovery. */
export function ecsDiscovery(o: EcsDiscoveryOptions): Discovery {
  return cachedDiscovery({
    source: () => listRunnerTasks(o),
    name: 'ECS',
    clock: o.clock,
    logger: o.logger,
    ttlMs: o.ttlMs ?? 10_000,
    maxStaleMs: o.maxStaleMs ?? 60_000,
    retryAfterErrorMs: o.retryAfterErrorMs,
    minForcedAgeMs: o.minForcedIntervalMs,
  })
}
