import {
  BrowserCrashedError,
  CrawlfleetError,
  PageTimeoutError,
  TargetFailedError,
  type TargetFailure,
  type UrlRefusedError,
} from '../contract/errors.ts'

const NET_ERRORS: readonly [RegExp, TargetFailure, string][] = [
  [/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/, 'dns', 'the host name could not be resolved'],
  [/ERR_CONNECTION_REFUSED|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION_FAILED/, 'refused', 'the target refused the connection'],
  [/ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONTENT_LENGTH_MISMATCH/, 'reset', 'the target closed the connection'],
  [/ERR_CERT_|ERR_SSL_|ERR_BAD_SSL/, 'tls', 'the TLS handshake with the target failed'],
  [/ERR_TIMED_OUT|ERR_CONNECTION_TIMED_OUT/, 'other', 'the connection to the target timed out'],
  [/ERR_TOO_MANY_REDIRECTS/, 'http', 'the target redirected too many times'],
  [/ERR_ABORTED/, 'aborted', 'the navigation was aborted (often a download or a navigation away)'],
]

export interface FailureContext {
  /** aborted with the request's own reason (deadline → PageTimeoutError, client gone…) */
  readonly signal: AbortSignal
  /** the browser died under the request */
  readonly crashed: boolean
  /** the URL guard refused a request in this session */
  readonly refusal: UrlRefusedError | undefined
}

/** Turns whatever Playwright threw into the error the caller should see. */
export function classifyPageError(err: unknown, ctx: FailureContext): CrawlfleetError {
  if (err instanceof CrawlfleetError) return err
  if (ctx.signal.aborted && ctx.signal.reason instanceof CrawlfleetError) return ctx.signal.reason
  if (ctx.crashed) return new BrowserCrashedError(undefined, { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  if (ctx.refusal && /ERR_BLOCKED_BY_CLIENT|ERR_FAILED|net::/.test(message)) return ctx.refusal
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new PageTimeoutError(`the page did not finish in time: ${firstLine(message)}`, { cause: err })
  }
  for (const [pattern, rule, text] of NET_ERRORS) {
    if (pattern.test(message)) return new TargetFailedError(rule, `${text} (${pattern.exec(message)?.[0]})`, { cause: err })
  }
  if (/Target page, context or browser has been closed|Browser has been closed|browser has disconnected/i.test(message)) {
    return new BrowserCrashedError(undefined, { cause: err })
  }
  if (/net::ERR_/.test(message)) return new TargetFailedError('other', firstLine(message), { cause: err })
  if (/Cannot navigate to invalid URL|Protocol error \(Page\.navigate\)/.test(message)) {
    return new TargetFailedError('other', firstLine(message), { cause: err })
  }
  throw err // not a page failure we understand: let the error handler log it as INTERNAL
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}
