import type { Hono } from 'hono'
import type { UrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import type { EdgeClock } from '../core/clock.ts'
import type { EdgeEnv } from '../core/edge-env.ts'
import type { EdgeLogger } from '../core/logger.ts'
import type { Forward } from '../forward.ts'
import type { ApiKeyAuth } from '../middleware/api-key.ts'
import { mountMcp } from '../mcp/mcp-route.ts'
import { mountFleetRoutes, type FleetDeps } from './fleet-routes.ts'
import { mountJobRoutes } from './job-routes.ts'

export interface FleetFeatureDeps {
  readonly fleet: FleetDeps
  readonly auth: ApiKeyAuth
  readonly urlPolicy: UrlPolicy
  readonly forward: Forward
  readonly clock: EdgeClock
  readonly logger: EdgeLogger
  readonly maxBodyBytes: number
}

/** What the edge serves beyond page requests: fleet operations and the dashboard, jobs by task id, MCP. */
export function mountFleetFeatures(app: Hono<EdgeEnv>, deps: FleetFeatureDeps): void {
  mountFleetRoutes(app, { fleet: deps.fleet, auth: deps.auth })
  mountJobRoutes(app, { ...deps, caller: deps.fleet.caller, wallMs: () => deps.clock.wallMs() })
  mountMcp(app, { ...deps, caller: deps.fleet.caller, version: '0.1.0' })
}
