import type { Context } from 'hono'
import { asCrawlfleetError, NotFoundError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'

export type LogError = (err: unknown, fields: { requestId?: string; path: string }) => void

/** The only place an error becomes HTTP: every error answers for itself; what is not ours is logged first. */
export function errorResponder(logError: LogError) {
  return function toErrorResponse(err: Error, c: Context): Response {
    const requestId = c.req.header(HEADER.requestId)
    const known = asCrawlfleetError(err, requestId)
    if (known.code === 'INTERNAL') logError(err, { requestId, path: c.req.path })
    return known.toResponse()
  }
}

export function notFound(c: Context): Response {
  return new NotFoundError(`no route ${c.req.method} ${c.req.path}`).toResponse()
}
