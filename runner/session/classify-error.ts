import {
  BrowserCrashedError,
  CrawlfleetError,
  InvalidFieldError,
  PageTimeoutError,
  TargetFailedError,
  UrlRefusedError,
  type TargetFailure,
} from '../contract/errors.ts'
import type { EgressOutcome } from '../egress/egress-proxy.ts'

const NET_ERRORS: readonly [RegExp, TargetFailure, string][] = [
  [/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/, 'dns', 'the host name could not be resolved'],
  [/ERR_CONNECTION_REFUSED|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION_FAILED/, 'refused', 'the target refused the connection'],
  [/ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_CONTENT_LENGTH_MISMATCH/, 'reset', 'the target closed the connection'],
  [/ERR_CERT_|ERR_SSL_|ERR_BAD_SSL/, 'tls', 'the TLS handshake with the target failed'],
  [/ERR_TIMED_OUT|ERR_CONNECTION_TIMED_OUT/, 'other', 'the connection to the target timed out'],
  [/ERR_TOO_MANY_REDIRECTS/, 'http', 'the target redirected too many times'],
  [/ERR_ABORTED/, 'aborted', 'the navigation was aborted (often a download or a navigation away)'],
]

/** Context options the schema lets through but Chromium refuses when the page is made: the caller's error, not ours. */
const CONTEXT_OPTION_ERRORS: readonly [RegExp, string, string][] = [
  [/Invalid timezone ID/, 'timezone_id', 'is not a time zone Chromium knows'],
  [/setLocaleOverride\): Invalid locale/, 'locale', 'is not a locale Chromium accepts'],
  [/setExtraHTTPHeaders\): Invalid header name/, 'headers', 'holds a header name that is not a valid HTTP token'],
  [/setExtraHTTPHeaders\): Invalid header value/, 'headers', 'holds a header value that is not valid in HTTP'],
  [/setUserAgentOverride\): Invalid characters/, 'user_agent', 'holds characters a user agent may not contain'],
]

const SOCKET_ERRORS: Readonly<Record<string, readonly [TargetFailure, string]>> = {
  ECONNREFUSED: ['refused', 'the target refused the connection'],
  ENOTFOUND: ['dns', 'the host name could not be resolved'],
  EAI_AGAIN: ['dns', 'the host name could not be resolved'],
  ECONNRESET: ['reset', 'the target closed the connection'],
  EPIPE: ['reset', 'the target closed the connection'],
  ETIMEDOUT: ['other', 'the connection to the target timed out'],
  EHOSTUNREACH: ['refused', 'the target host is unreachable'],
  ENETUNREACH: ['refused', 'the target network is unreachable'],
}

/** A failure the egress proxy saw while connecting for the browser (a Node socket error code). */
export function targetFailureFromCode(code: string, hostname: string): TargetFailedError {
  const [rule, text] = SOCKET_ERRORS[code] ?? ['other', 'the connection to the target failed']
  return new TargetFailedError(rule, `${text} (${hostname}: ${code})`)
}

export interface FailureContext {
  /** aborted with the request's own reason (deadline → PageTimeoutError, client gone…) */
  readonly signal: AbortSignal
  /** the browser died under the request */
  readonly crashed: boolean
  /** the page's renderer process died under the request (the browser lives on) */
  readonly pageCrashed?: boolean
  /** what the egress proxy last saw for a host: HTTPS failures reach Chromium only as a failed tunnel */
  readonly egressFailure?: (hostname: string) => EgressOutcome | undefined
}

/** Turns whatever Playwright threw into the error the caller should see. */
export function classifyPageError(err: unknown, ctx: FailureContext): CrawlfleetError {
  if (err instanceof CrawlfleetError) return err
  if (ctx.signal.aborted && ctx.signal.reason instanceof CrawlfleetError) return ctx.signal.reason
  if (ctx.crashed) return new BrowserCrashedError(undefined, { cause: err })
  const message = err instanceof Error ? err.message : String(err)
  if (ctx.pageCrashed || /Target crashed|Page crashed/i.test(message)) {
    return new BrowserCrashedError("the page's renderer process crashed", { cause: err })
  }
  for (const [pattern, field, text] of CONTEXT_OPTION_ERRORS) {
    if (pattern.test(message)) return new InvalidFieldError(field, text)
  }
  const badWaitFor = waitForError(err, message)
  if (badWaitFor) return badWaitFor
  if (/ERR_TUNNEL_CONNECTION_FAILED/.test(message)) return tunnelFailure(message, ctx)
  if (/ERR_UNSAFE_REDIRECT|ERR_UNKNOWN_URL_SCHEME|ERR_DISALLOWED_URL_SCHEME/.test(message)) {
    return new UrlRefusedError('scheme', 'the page redirected to a URL that is not http or https', 'url')
  }
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new PageTimeoutError(`the page did not finish in time: ${firstLine(message)}`, { cause: err })
  }
  for (const [pattern, rule, text] of NET_ERRORS) {
    // the whole code (ERR_SSL_PROTOCOL_ERROR), not the part the pattern matched (ERR_SSL_)
    if (pattern.test(message)) return new TargetFailedError(rule, `${text} (${/\bERR_[A-Z0-9_]+/.exec(message)?.[0]})`, { cause: err })
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

/** A wait_for that cannot run (a selector that does not parse, a predicate that throws) is the caller's error. */
function waitForError(err: unknown, message: string): InvalidFieldError | undefined {
  if (err instanceof Error && err.name === 'TimeoutError') return undefined
  if (!/^(page|frame)\.waitFor(Selector|Function): /.test(message)) return undefined
  if (/has been closed|Target closed|navigating|Execution context was destroyed/i.test(message)) return undefined
  return new InvalidFieldError('wait_for', firstLine(message).replace(/^(page|frame)\.waitFor(Selector|Function): /, '').slice(0, 300))
}

function tunnelFailure(message: string, ctx: FailureContext): CrawlfleetError {
  const url = /\bat (https?:\/\/\S+)/.exec(message)?.[1]
  const hostname = url ? safeHostname(url) : undefined
  const seen = hostname ? ctx.egressFailure?.(hostname) : undefined
  if (seen?.kind === 'refused' && seen.error instanceof CrawlfleetError) return seen.error
  if (seen?.kind === 'upstream') return targetFailureFromCode(seen.code, hostname!)
  return new TargetFailedError('refused', `could not connect to the target${hostname ? ` (${hostname})` : ''}`)
}

function safeHostname(url: string): string | undefined {
  try {
    return new URL(url).hostname
  } catch {
    return undefined
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s
}
