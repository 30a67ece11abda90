import type { Context } from 'hono'
import { asCrawlfleetError, NotFoundError } from '../runner/contract/errors.ts'
import { EDGE_METRIC } from '../runner/contract/metric-names.ts'
import type { EdgeEnv } from './core/edge-env.ts'
import type { EdgeLogger } from './core/logger.ts'
import type { EdgeMetrics } from './core/metrics.ts'

/** The only place an error becomes HTTP: every error answers for itself; what is not ours is logged and counted first. */
export function errorResponder(logger: EdgeLogger, metrics: EdgeMetrics) {
  return function toErrorResponse(err: Error, c: Context<EdgeEnv>): Response {
    const requestId = c.get('requestId')
    const known = asCrawlfleetError(err, requestId)
    if (known.code === 'INTERNAL') {
      logger.error({ err, requestId, path: c.req.path }, 'unexpected edge error')
      metrics.count(EDGE_METRIC.edgeErrors)
    }
    return known.toResponse()
  }
}

export function notFound(c: Context<EdgeEnv>): Response {
  return new NotFoundError(`no route ${c.req.method} ${c.req.path}`).toResponse()
}
