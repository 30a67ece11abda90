import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { InvalidFieldError, isCrawlfleetError, NotFoundError } from '../runner/contract/errors.ts'
import { EDGE_METRIC } from '../runner/contract/metric-names.ts'
import type { EdgeEnv } from './edge-env.ts'
import type { EdgeLogger } from './logger.ts'
import type { EdgeMetrics } from './metrics.ts'

/** The only place an error becomes HTTP: CrawlfleetErrors carry their status, anything else is a logged 500. */
export function errorResponder(logger: EdgeLogger, metrics: EdgeMetrics) {
  return function toErrorResponse(err: Error, c: Context<EdgeEnv>): Response {
    const known = err instanceof HTTPException && err.status === 400 ? new InvalidFieldError('body', 'is not valid') : err
    if (isCrawlfleetError(known)) return c.json(known.toBody(), known.status as 400, known.headers())
    const requestId = c.get('requestId')
    logger.error({ err, requestId, path: c.req.path }, 'unexpected edge error')
    metrics.count(EDGE_METRIC.edgeErrors)
    return c.json({ success: false, error: { code: 'INTERNAL', message: `internal error (request ${requestId})` } }, 500)
  }
}

export function notFound(c: Context<EdgeEnv>): Response {
  const err = new NotFoundError(`no route ${c.req.method} ${c.req.path}`)
  return c.json(err.toBody(), 404)
}
