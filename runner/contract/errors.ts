import { RULE_TEXT } from './url-policy/refusal-rules.ts'

// Errors that cross the edge ↔ runner boundary. The `code` is the contract (classes do not cross
// processes): ERRORS says, per code, the HTTP status, whether another runner may succeed, and when
// it happens. Each error answers for itself (toResponse, as Hono's HTTPException.getResponse()),
// the edge decides failover from the code a runner's answer carries, and the OpenAPI document and
// the README's error table are generated from ERRORS.

export type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 415 | 429 | 499 | 500 | 501 | 502 | 503 | 504

export interface ErrorDefinition {
  readonly status: ErrorStatus
  /** true: another runner may well succeed, so the edge tries the next one (and the answer has Retry-After) */
  readonly retryElsewhere: boolean
  /** one line for the README and the OpenAPI document */
  readonly when: string
  /** the values of `rule` this error may carry, with their meaning */
  readonly rules?: Readonly<Record<string, string>>
}

/** Why a target failed: the `rule` of a 502 TARGET_FAILED. */
export const TARGET_FAILURES = {
  dns: 'the host name could not be resolved',
  refused: 'the target refused the connection, or could not be reached',
  reset: 'the target closed the connection, or sent a truncated answer',
  tls: 'the TLS handshake with the target failed (the message has the whole net::ERR_ code)',
  http: 'the target redirected too many times',
  aborted: 'the navigation was aborted (often a download, or a navigation away)',
  other: 'any other network failure (the message has its code)',
} as const
export type TargetFailure = keyof typeof TARGET_FAILURES

export const ERRORS = {
  INVALID_FIELD: { status: 400, retryElsewhere: false, when: 'a field is invalid; `field` names it (`browser_config.extra_args.0`)' },
  API_KEY_MISSING: { status: 401, retryElsewhere: false, when: 'no API key (`Authorization: Bearer <key>`)' },
  UNSIGNED: { status: 401, retryElsewhere: false, when: 'a runner got a request without a valid edge signature, or the edge one without the origin secret' },
  API_KEY_WRONG: { status: 403, retryElsewhere: false, when: 'the API key is not accepted' },
  NOT_VIA_ENTRY: { status: 403, retryElsewhere: false, when: 'a call to the edge that skipped the public entry (CloudFront and its WAF): no valid origin header' },
  URL_REFUSED: { status: 403, retryElsewhere: false, when: 'the URL policy refused a URL the request or the page led to; `rule` says which', rules: RULE_TEXT },
  NOT_FOUND: { status: 404, retryElsewhere: false, when: 'no such route' },
  JOB_NOT_FOUND: { status: 404, retryElsewhere: false, when: 'no job has this task id, or its result expired (`CRAWLFLEET_JOB_TTL_SEC`)' },
  BODY_TOO_LARGE: { status: 413, retryElsewhere: false, when: 'the request body is over the limit (2 MiB by default)' },
  RESPONSE_TOO_LARGE: {
    status: 413,
    retryElsewhere: false,
    when: 'the answer would be larger than the runner sends (`CRAWLFLEET_MAX_RESPONSE_BYTES`, 32 MiB; `/crawl` in total `CRAWLFLEET_MAX_CRAWL_BYTES`, 64 MiB); the message names the limit',
  },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryElsewhere: false, when: 'the body is not sent as `application/json`' },
  QUEUE_FULL: {
    status: 429,
    retryElsewhere: true,
    when: 'the predicted wait is past the queue budget (or its own deadline), or the queue is at its cap; come back after `Retry-After`: the place is kept',
  },
  BUSIER_THAN_ALTERNATIVE: {
    status: 429,
    retryElsewhere: true,
    when: 'edge → runner only: the edge asked the runner to refuse at once when busier than another candidate (`x-crawlfleet-refuse-above-load`); the edge tries that one',
  },
  JOBS_FULL: { status: 429, retryElsewhere: true, when: 'the runner holds as many unfinished jobs, or as many result bytes, as it may (`CRAWLFLEET_JOBS_MAX`, `CRAWLFLEET_JOB_STORE_BYTES`)' },
  CLIENT_GONE: { status: 499, retryElsewhere: false, when: 'the client closed the connection (logged; nobody reads the answer)' },
  INTERNAL: { status: 500, retryElsewhere: false, when: 'a bug: the message has a request id to find it in the logs' },
  LLM_NOT_CONFIGURED: { status: 501, retryElsewhere: false, when: 'an LLM feature was asked for and no LLM is configured' },
  WEBHOOKS_NOT_CONFIGURED: { status: 501, retryElsewhere: false, when: 'a job asked for a webhook and no signing secret is configured (`CRAWLFLEET_WEBHOOK_SECRET`)' },
  TARGET_FAILED: { status: 502, retryElsewhere: false, when: 'the target failed; `rule` says how', rules: TARGET_FAILURES },
  LLM_FAILED: { status: 502, retryElsewhere: false, when: "the LLM failed, or its answer does not fit the caller's schema" },
  QUEUE_TIMEOUT: { status: 503, retryElsewhere: true, when: 'the predicted wait was wrong: no page slot freed up within three queue budgets; try again after `Retry-After`' },
  MEMORY_PRESSURE: { status: 503, retryElsewhere: true, when: 'the runner has no memory for another browser' },
  DRAINING: { status: 503, retryElsewhere: true, when: 'the runner is shutting down' },
  BROWSER_CRASHED: { status: 503, retryElsewhere: true, when: 'the browser or the page crashed under the request' },
  NO_RUNNER: { status: 503, retryElsewhere: true, when: 'the edge found no runner that could take the request' },
  PAGE_TIMEOUT: { status: 504, retryElsewhere: false, when: 'the page did not finish within `page_timeout` (or the request its deadline)' },
} as const satisfies Readonly<Record<string, ErrorDefinition>>

export type ErrorCode = keyof typeof ERRORS

/** The header on every error answer that names its code, so the edge can tell one runner's refusal from a target's failure. */
export const ERROR_CODE_HEADER = 'x-crawlfleet-error'

export interface ErrorBody {
  success: false
  error: {
    code: ErrorCode
    message: string
    /** the request field at fault, dotted (`browser_config.user_data_dir`) */
    field?: string
    /** the URL-policy rule that refused a URL, or the target failure kind */
    rule?: string
    retry_after_sec?: number
  }
}

export function isErrorCode(code: string | null | undefined): code is ErrorCode {
  return code !== null && code !== undefined && Object.hasOwn(ERRORS, code)
}

export abstract class CrawlfleetError extends Error {
  readonly code: ErrorCode
  readonly status: ErrorStatus
  /** true: another runner may well succeed, so the edge tries the next one */
  readonly retryElsewhere: boolean
  readonly retryAfterSec: number | undefined = undefined
  readonly field: string | undefined = undefined
  readonly rule: string | undefined = undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
    this.status = ERRORS[code].status
    this.retryElsewhere = ERRORS[code].retryElsewhere
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message }
    if (this.field !== undefined) error.field = this.field
    if (this.rule !== undefined) error.rule = this.rule
    if (this.retryAfterSec !== undefined) error.retry_after_sec = this.retryAfterSec
    return { success: false, error }
  }

  /** Retry-After, when the caller should come back */
  headers(): Record<string, string> {
    return this.retryAfterSec === undefined ? {} : { 'retry-after': String(this.retryAfterSec) }
  }

  /** The whole HTTP answer this error gives: its status, its body, its Retry-After and its code. */
  toResponse(): Response {
    return new Response(JSON.stringify(this.toBody()), {
      status: this.status,
      headers: { 'content-type': 'application/json', [ERROR_CODE_HEADER]: this.code, ...this.headers() },
    })
  }
}

export class InvalidFieldError extends CrawlfleetError {
  override readonly field: string
  constructor(field: string, message: string) {
    super('INVALID_FIELD', `${field}: ${message}`)
    this.field = field
  }
}

export class UrlRefusedError extends CrawlfleetError {
  override readonly rule: string
  override readonly field: string | undefined
  constructor(rule: string, message: string, field?: string) {
    super('URL_REFUSED', message)
    this.rule = rule
    this.field = field
  }
}

export class MissingApiKeyError extends CrawlfleetError {
  constructor() {
    super('API_KEY_MISSING', 'an API key is required: send "Authorization: Bearer <key>"')
  }
}

export class WrongApiKeyError extends CrawlfleetError {
  constructor() {
    super('API_KEY_WRONG', 'the API key is not valid')
  }
}

export class UnsignedRequestError extends CrawlfleetError {
  constructor(message: string) {
    super('UNSIGNED', message)
  }
}

/** A call to the edge that skipped the public entry (CloudFront and its WAF): no valid origin header. */
export class NotViaEntryError extends CrawlfleetError {
  constructor() {
    super('NOT_VIA_ENTRY', 'requests must come through the public entry point')
  }
}

export class NotFoundError extends CrawlfleetError {
  constructor(message: string) {
    super('NOT_FOUND', message)
  }
}

export class JobNotFoundError extends CrawlfleetError {
  constructor(taskId: string) {
    super('JOB_NOT_FOUND', `no job ${taskId}: it never existed, or its result expired`)
  }
}

export class BodyTooLargeError extends CrawlfleetError {
  constructor(limitBytes: number) {
    super('BODY_TOO_LARGE', `the request body is larger than ${limitBytes} bytes`)
  }
}

export class ResponseTooLargeError extends CrawlfleetError {
  constructor(setting: string, limitBytes: number) {
    super('RESPONSE_TOO_LARGE', `the answer is larger than ${limitBytes} bytes (${setting}); ask for fewer URLs or smaller outputs`)
  }
}

export class UnsupportedMediaTypeError extends CrawlfleetError {
  constructor(message: string) {
    super('UNSUPPORTED_MEDIA_TYPE', message)
  }
}

/** Pressure of one kind or another: always with a Retry-After, and worth trying on another runner. */
abstract class PressureError extends CrawlfleetError {
  override readonly retryAfterSec: number
  constructor(code: ErrorCode, message: string, retryAfterSec: number, options?: { cause?: unknown }) {
    super(code, message, options)
    this.retryAfterSec = Math.max(1, Math.ceil(retryAfterSec))
  }
}

export class QueueFullError extends PressureError {
  constructor(retryAfterSec = 2) {
    super('QUEUE_FULL', 'the runner is busy: every page slot is taken and the queue is full', retryAfterSec)
  }
}

/** Not pressure: a runner the edge placed against another candidate's probed load has become busier than it. */
export class BusierThanAlternativeError extends CrawlfleetError {
  constructor(
    readonly load: number,
    readonly bound: number,
  ) {
    super('BUSIER_THAN_ALTERNATIVE', `load ${load.toFixed(3)} is above the alternative's ${bound.toFixed(3)}`)
  }
}

export class JobsFullError extends PressureError {
  constructor(message: string, retryAfterSec = 5) {
    super('JOBS_FULL', message, retryAfterSec)
  }
}

export class QueueTimeoutError extends PressureError {
  constructor(waitedMs: number, retryAfterSec = 2) {
    super('QUEUE_TIMEOUT', `no page slot freed up within ${waitedMs} ms`, retryAfterSec)
  }
}

export class MemoryPressureError extends PressureError {
  constructor(message = 'the runner is under memory pressure', retryAfterSec = 5) {
    super('MEMORY_PRESSURE', message, retryAfterSec)
  }
}

export class DrainingError extends PressureError {
  constructor(retryAfterSec = 5) {
    super('DRAINING', 'the runner is shutting down', retryAfterSec)
  }
}

export class BrowserCrashedError extends PressureError {
  constructor(message = 'the browser serving this request crashed', options?: { cause?: unknown }) {
    super('BROWSER_CRASHED', message, 1, options)
  }
}

export class NoRunnerError extends PressureError {
  constructor(message = 'no runner could take the request', retryAfterSec = 2) {
    super('NO_RUNNER', message, retryAfterSec)
  }
}

export class TargetFailedError extends CrawlfleetError {
  override readonly rule: TargetFailure
  constructor(rule: TargetFailure, message: string, options?: { cause?: unknown }) {
    super('TARGET_FAILED', message, options)
    this.rule = rule
  }
}

export class PageTimeoutError extends CrawlfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAGE_TIMEOUT', message, options)
  }
}

export class LlmNotConfiguredError extends CrawlfleetError {
  constructor() {
    super('LLM_NOT_CONFIGURED', 'no LLM is configured on this deployment (set CRAWLFLEET_LLM_BASE_URL and CRAWLFLEET_LLM_MODEL)')
  }
}

export class WebhooksNotConfiguredError extends CrawlfleetError {
  constructor() {
    super('WEBHOOKS_NOT_CONFIGURED', 'webhooks are not configured on this deployment (set CRAWLFLEET_WEBHOOK_SECRET on the runners)')
  }
}

export class LlmFailedError extends CrawlfleetError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LLM_FAILED', message, options)
  }
}

/** The client closed the connection; nobody reads this answer, but the work must stop. */
export class ClientGoneError extends CrawlfleetError {
  constructor() {
    super('CLIENT_GONE', 'the client closed the connection')
  }
}

/** Anything that is not a CrawlfleetError, as the caller sees it: logged in full, answered without details. */
export class InternalError extends CrawlfleetError {
  constructor(requestId: string | undefined, options?: { cause?: unknown }) {
    super('INTERNAL', `internal error${requestId ? ` (request ${requestId})` : ''}`, options)
  }
}

export function isCrawlfleetError(err: unknown): err is CrawlfleetError {
  return err instanceof CrawlfleetError
}

/**
 * What the caller sees for any error: ours as they are; Hono's own 400 (a body that is not JSON)
 * and 415 (a content type that does not parse) as ours, so every 4xx names its field; anything
 * else as INTERNAL (the caller logs the original, which is its cause).
 */
export function asCrawlfleetError(err: unknown, requestId: string | undefined): CrawlfleetError {
  if (err instanceof CrawlfleetError) return err
  // Hono's HTTPException, recognised by shape: the contract does not import Hono
  const { status, getResponse } = (err ?? {}) as { status?: unknown; getResponse?: unknown }
  const fromHono = err instanceof Error && typeof getResponse === 'function'
  if (fromHono && status === 400) return new InvalidFieldError('body', 'is not valid JSON')
  if (fromHono && status === 415) return new UnsupportedMediaTypeError('send the body as application/json (the content type does not parse)')
  return new InternalError(requestId, { cause: err })
}

/**
 * Whether the edge may send the same request to the next runner after this answer: the error code the
 * runner put on it decides; an answer without one (not from a runner of ours) only on 429 and 503.
 */
export function mayRetryElsewhere(status: number, code: string | null): boolean {
  if (isErrorCode(code)) return ERRORS[code].retryElsewhere
  return status === 429 || status === 503
}
