import { timingSafeEqual, createHash } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { UnsignedRequestError } from '../../runner/contract/errors.ts'
import { HEADER } from '../../runner/contract/http-names.ts'

/** The header CloudFront adds in origin-secret mode (infra/lib/public-entry.ts sets the same name). */
export const ORIGIN_SECRET_HEADER = HEADER.originSecret

/**
 * With an origin secret configured, only requests that came through CloudFront (which adds the
 * secret header) are served: a direct call to the function URL would skip the WAF's rate limit.
 */
export function requireOriginSecret(secret: () => string | undefined | Promise<string | undefined>): MiddlewareHandler {
  return async function requireOriginSecret(c, next) {
    const expected = await secret()
    if (expected !== undefined && !sameText(c.req.header(ORIGIN_SECRET_HEADER) ?? '', expected)) {
      throw new UnsignedRequestError('requests must come through the public entry point')
    }
    await next()
  }
}

function sameText(a: string, b: string): boolean {
  // digests have equal length, so the comparison time says nothing about either value
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}
