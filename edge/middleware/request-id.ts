import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { HEADER } from '../../runner/contract/http-names.ts'
import type { EdgeEnv } from '../core/edge-env.ts'

const SAFE_ID = /^[\w\-=.:]{1,128}$/

/** Keeps a well-formed client request id (else makes one) and puts it on every answer, forwarded ones too. */
export function requestId(): MiddlewareHandler<EdgeEnv> {
  return async function requestId(c, next) {
    const given = c.req.header(HEADER.requestId)
    const id = given && SAFE_ID.test(given) ? given : randomUUID()
    c.set('requestId', id)
    await next()
    // set after the handler: a runner's streamed answer is a new Response that c.header() never saw
    c.res.headers.set(HEADER.requestId, id)
  }
}
