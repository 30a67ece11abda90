import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { UnsignedRequestError } from './errors.ts'
import { HEADER } from './http-names.ts'

// Edge → runner request signing: HMAC-SHA256 over method, path (with query), timestamp and body hash.

export const MAX_SIGNATURE_SKEW_MS = 30_000

function canonical(method: string, pathWithQuery: string, timestampMs: number, body: Uint8Array | string): string {
  const bodyHash = createHash('sha256').update(body).digest('hex')
  return `${method.toUpperCase()}\n${pathWithQuery}\n${timestampMs}\n${bodyHash}`
}

export function signRequest(secret: string, method: string, pathWithQuery: string, timestampMs: number, body: Uint8Array | string): Record<string, string> {
  const mac = createHmac('sha256', secret).update(canonical(method, pathWithQuery, timestampMs, body)).digest('hex')
  return { [HEADER.hmac]: mac, [HEADER.hmacTimestamp]: String(timestampMs) }
}

/** Throws UnsignedRequestError unless the headers carry a fresh, valid signature of this request. */
export function verifyRequest(
  secret: string,
  req: { method: string; pathWithQuery: string; body: Uint8Array | string; signature: string | undefined; timestamp: string | undefined },
  nowMs: number,
  maxSkewMs = MAX_SIGNATURE_SKEW_MS,
): void {
  if (!req.signature || !req.timestamp) throw new UnsignedRequestError('this runner only takes signed requests from the edge')
  const ts = Number(req.timestamp)
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > maxSkewMs) throw new UnsignedRequestError('the request signature is stale')
  const expected = createHmac('sha256', secret).update(canonical(req.method, req.pathWithQuery, ts, req.body)).digest()
  const given = Buffer.from(req.signature, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnsignedRequestError('the request signature does not match')
  }
}
