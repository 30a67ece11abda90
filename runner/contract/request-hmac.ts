import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { UnsignedRequestError } from './errors.ts'
import { HEADER } from './http-names.ts'

// Edge → runner request signing: HMAC-SHA256 over method, path (with query), timestamp and body hash.
// Keys rotate without downtime: a setting holds a list, the first key signs and every key verifies.

export const MAX_SIGNATURE_SKEW_MS = 30_000

/**
 * The keys in a CRAWLFLEET_HMAC_SECRET value (or its secret): separated by commas or new lines,
 * blanks dropped, order kept. The first one signs; all of them verify.
 */
export function hmacKeys(value: string | readonly string[] | undefined): string[] {
  const items = value === undefined ? [] : typeof value === 'string' ? value.split(/[,\n]/) : value
  return items.map((k) => k.trim()).filter(Boolean)
}

/** The key the edge signs with: the first of the list, undefined when there is none. */
export function signingKey(value: string | readonly string[] | undefined): string | undefined {
  return hmacKeys(value)[0]
}

function canonical(method: string, pathWithQuery: string, timestampMs: number, body: Uint8Array | string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex')
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestampMs}\n${bodyHash}`
}

export function signRequest(secret: string, method: string, pathWithQuery: string, timestampMs: number, body: Uint8Array | string): Record<string, string> {
  const mac = createHmac('sha256', secret).update(canonical(method, pathWithQuery, timestampMs, body)).digest('hex')
  return { [HEADER.hmac]: mac, [HEADER.hmacTimestamp]: String(timestampMs) }
}

/**
 * Throws UnsignedRequestError unless the headers carry a fresh, valid signature of this request
 * by one of `keys` (a key, or the list a rotation has in flight). Every key is tried, so the time
 * taken does not say which one matched.
 */
export function verifyRequest(
  keys: string | readonly string[],
  req: { method: string; pathWithQuery: string; body: Uint8Array | string; signature: string | undefined; timestamp: string | undefined },
  nowMs: number,
  maxSkewMs = MAX_SIGNATURE_SKEW_MS,
): void {
  const list = typeof keys === 'string' ? [keys] : keys
  if (list.length === 0) throw new Error('verifyRequest needs at least one key')
  if (!req.signature || !req.timestamp) throw new UnsignedRequestError('this runner only takes signed requests from the edge')
  const ts = Number(req.timestamp)
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > maxSkewMs) throw new UnsignedRequestError('the request signature is stale')
  const text = canonical(req.method, req.pathWithQuery, ts, req.body)
  const given = Buffer.from(req.signature, 'hex')
  let matched = false
  for (const key of list) {
    const expected = createHmac('sha256', key).update(text).digest()
    matched = (given.length === expected.length && timingSafeEqual(given, expected)) || matched
  }
  if (!matched) throw new UnsignedRequestError('the request signature does not match')
}
