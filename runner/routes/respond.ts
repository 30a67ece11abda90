import type { Context } from 'hono'
import { ResponseTooLargeError } from '../contract/errors.ts'

/** What a page route may send: CRAWLFLEET_MAX_RESPONSE_BYTES for one page, CRAWLFLEET_MAX_CRAWL_BYTES for a /crawl answer. */
export interface ResponseLimits {
  readonly maxResponseBytes: number
  readonly maxCrawlBytes: number
}

/** JSON with the file base64-encoded (crawl4ai's shape), or the raw bytes when the caller asks for them. */
export function fileResponse(c: Context, bytes: Buffer, mediaType: string, jsonField: 'screenshot' | 'pdf', limits: ResponseLimits, headers: Record<string, string> = {}): Response {
  const raw = (c.req.header('accept') ?? '').includes(mediaType)
  const sizeBytes = raw ? bytes.length : Math.ceil(bytes.length / 3) * 4
  if (sizeBytes > limits.maxResponseBytes) throw new ResponseTooLargeError('CRAWLFLEET_MAX_RESPONSE_BYTES', limits.maxResponseBytes)
  if (raw) return c.body(new Uint8Array(bytes), 200, { ...headers, 'content-type': mediaType, 'content-length': String(bytes.length) })
  return c.json({ success: true, [jsonField]: bytes.toString('base64') }, 200, headers)
}
