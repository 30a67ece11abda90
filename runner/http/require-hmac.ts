import type { MiddlewareHandler } from 'hono'
import { verifyRequest } from '../contract/request-hmac.ts'
import { HEADER } from '../contract/http-names.ts'

/** Refuses requests not signed by the edge, when a secret is configured; open otherwise. */
export function requireHmac(o: { secret: string | undefined; nowMs: () => number; maxSkewMs?: number }): MiddlewareHandler {
  return async function requireHmac(c, next) {
    if (o.secret) {
      const url = new URL(c.req.url)
      const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : new Uint8Array(await c.req.arrayBuffer())
      verifyRequest(
        o.secret,
        {
          method: c.req.method,
          pathWithQuery: url.pathname + url.search,
          body,
          signature: c.req.header(HEADER.hmac),
          timestamp: c.req.header(HEADER.hmacTimestamp),
        },
        o.nowMs(),
        o.maxSkewMs,
      )
    }
    await next()
  }
}
