import type { MiddlewareHandler } from 'hono'
import { isJsonMediaType } from '../../runner/contract/body-rules.ts'
import { BodyTooLargeError, UnsupportedMediaTypeError } from '../../runner/contract/errors.ts'
import type { EdgeEnv } from '../core/edge-env.ts'

/**
 * 415 unless the body is declared JSON, 413 once it passes maxBodyBytes (declared or streamed);
 * otherwise the raw bytes go to `c.var.body`, to be validated and then forwarded unchanged.
 */
export function readJsonBody(o: { maxBodyBytes: number }): MiddlewareHandler<EdgeEnv> {
  if (!Number.isInteger(o.maxBodyBytes) || o.maxBodyBytes <= 0) throw new Error(`maxBodyBytes must be a positive integer, got ${o.maxBodyBytes}`)
  return async function readJsonBody(c, next) {
    const type = c.req.header('content-type') ?? ''
    if (!isJsonMediaType(type)) {
      throw new UnsupportedMediaTypeError(`send the body as application/json (got "${type || 'nothing'}")`)
    }
    if (Number(c.req.header('content-length')) > o.maxBodyBytes) throw new BodyTooLargeError(o.maxBodyBytes)
    c.set('body', await readAtMost(c.req.raw.body, o.maxBodyBytes))
    await next()
  }
}

async function readAtMost(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!stream) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw new BodyTooLargeError(maxBytes)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}
