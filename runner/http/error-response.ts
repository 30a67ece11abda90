import type { Context } from 'hono'
import { isCrawlfleetError } from '../contract/errors.ts'
import { HEADER } from '../contract/http-names.ts'

export type LogError = (err: unknown, fields: { requestId?: string; path: string }) => void

/** The only place an error becomes HTTP: CrawlfleetErrors carry their status; anything else is a logged 500. */
export function errorResponder(logError: LogError) {
  return function toErrorResponse(err: Error, c: Context): Response {
    if (isCrawlfleetError(err)) {
      return c.json(err.toBody(), err.status as 400, err.headers())
    }
    const requestId = c.req.header(HEADER.requestId)
    logError(err, { requestId, path: c.req.path })
    return c.json(
      { success: false, error: { code: 'INTERNAL', message: `internal error${requestId ? ` (request ${requestId})` : ''}` } },
      500,
    )
  }
}
