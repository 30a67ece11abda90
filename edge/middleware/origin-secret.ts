import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { NotViaEntryError } from '../../runner/contract/errors.ts'
import { HEADER } from '../../runner/contract/http-names.ts'

/** The header CloudFront adds in front of the edge (infra/lib/public-entry.ts sets the same name). */
export const ORIGIN_SECRET_HEADER = HEADER.originSecret

type Accepted = string | readonly string[] | undefined

/**
 * With an origin secret configured, only requests that came through CloudFront (which adds the
 * secret header) are served: a direct call to the function URL would skip the WAF. Any value of
 * the list is accepted, so a rotation can have CloudFront send the new value while the old one
 * still arrives from edge locations the update has not reached. No value configured: no check.
 */
export function requireOriginSecret(accepted: () => Accepted | Promise<Accepted>): MiddlewareHandler {
  return async function requireOriginSecret(c, next) {
    const values = [await accepted()].flat().filter((v): v is string => typeof v === 'string' && v !== '')
    if (values.length > 0 && !matchesAny(c.req.header(ORIGIN_SECRET_HEADER) ?? '', values)) throw new NotViaEntryError()
    await next()
  }
}

function matchesAny(presented: string, values: readonly string[]): boolean {
  // digests have equal length, so the comparison time says nothing about either value; every value is compared
  const digest = sha256(presented)
  let found = false
  for (const v of values) found = timingSafeEqual(digest, sha256(v)) || found
  return found
}

const sha256 = (text: string) => createHash('sha256').update(text).digest()
