import type { MiddlewareHandler } from 'hono'
import { hmacKeys, verifyRequest } from '../contract/request-hmac.ts'
import { HEADER } from '../contract/http-names.ts'

/**
 * Refuses requests not signed by the edge, when a secret is configured; open otherwise. The
 * secret may be a list (comma-separated): a request signed by any of its keys is taken.
 */
export function requireHmac(o: { secret: string | readonly string[] | undefined; nowMs: () => number; maxSkewMs?: number }): MiddlewareHandler {
  const keys = hmacKeys(o.secret)
  return async function requireHmac(c, next) {
    if (keys.length > 0) {
      const url = new URL(c.req.url)
      const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? '' : new Uint8Array(await c.req.arrayBuffer())
      verifyRequest(
        keys,
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
