import type { MiddlewareHandler } from 'hono'
import { BusierThanAlternativeError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'
import { isAboveBound, parseLoadBound } from '../pool/refuse-above-load.ts'

/**
 * A page request that carries the edge's load bound is refused at once (429, not queued, not a
 * refusal in the metrics) when this runner is busier than the edge's other candidate.
 */
export function refuseAboveLoad(load: () => number): MiddlewareHandler {
  return async function refuseAboveLoad(c, next) {
    const bound = parseLoadBound(c.req.header(HEADER.refuseAboveLoad))
    if (bound !== undefined) {
      const now = load()
      if (isAboveBound(now, bound)) throw new BusierThanAlternativeError(now, bound)
    }
    await next()
  }
}
