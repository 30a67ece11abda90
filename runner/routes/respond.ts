import type { Context } from 'hono'

/** JSON with the file base64-encoded (crawl4ai's shape), or the raw bytes when the caller asks for them. */
export function fileResponse(c: Context, bytes: Buffer, mediaType: string, jsonField: 'screenshot' | 'pdf'): Response {
  if ((c.req.header('accept') ?? '').includes(mediaType)) {
    return c.body(new Uint8Array(bytes), 200, { 'content-type': mediaType, 'content-length': String(bytes.length) })
  }
  return c.json({ success: true, [jsonField]: bytes.toString('base64') })
}
