// Errors that cross the edge ↔ runner boundary. The `code` is the contract (classes do not cross
// processes); the status belongs to the class, so call sites never pick an HTTP status themselves.

export type ErrorCode =
  | 'INVALID_FIELD'
  | 'URL_REFUSED'
  | 'API_KEY_MISSING'
  | 'API_KEY_WRONG'
  | 'UNSIGNED'
  | 'NOT_VIA_ENTRY'
  | 'NOT_FOUND'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'QUEUE_FULL'
  | 'QUEUE_TIMEOUT'
  | 'MEMORY_PRESSURE'
  | 'DRAINING'
  | 'BROWSER_CRASHED'
  | 'NO_RUNNER'
  | 'TARGET_FAILED'
  | 'PAGE_TIMEOUT'
  | 'LLM_NOT_CONFIGURED'
  | 'LLM_FAILED'
  | 'CLIENT_GONE'
  | 'INTERNAL'

export type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 415 | 429 | 499 | 500 | 501 | 502 | 503 | 504

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

export abstract class CrawlfleetError extends Error {
  abstract readonly code: ErrorCode
  abstract readonly status: ErrorStatus
  /** true: another runner may well succeed, so the edge tries the next one */
  readonly retryElsewhere: boolean = false
  readonly retryAfterSec: number | undefined = undefined
  readonly field: string | undefined = undefined
  readonly rule: string | undefined = undefined

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message }
    if (this.field !== undefined) error.field = this.field
    if (this.rule !== undefined) error.rule = this.rule
    if (this.retryAfterSec !== undefined) error.retry_after_sec = this.retryAfterSec
    return { success: false, error }
  }

  headers(): Record<string, string> {
    return this.retryAfterSec === undefined ? {} : { 'retry-after': String(this.retryAfterSec) }
  }
}

export class InvalidFieldError extends CrawlfleetError {
  readonly code = 'INVALID_FIELD'
  readonly status = 400
  override readonly field: string
  constructor(field: string, message: string) {
    super(`${field}: ${message}`)
    this.field = field
  }
}

export class UrlRefusedError extends CrawlfleetError {
  readonly code = 'URL_REFUSED'
  readonly status = 403
  override readonly rule: string
  override readonly field: string | undefined
  constructor(rule: string, message: string, field?: string) {
    super(message)
    this.rule = rule
    this.field = field
  }
}

export class MissingApiKeyError extends CrawlfleetError {
  readonly code = 'API_KEY_MISSING'
  readonly status = 401
  constructor() {
    super('an API key is required: send "Authorization: Bearer <key>"')
  }
}

export class WrongApiKeyError extends CrawlfleetError {
  readonly code = 'API_KEY_WRONG'
  readonly status = 403
  constructor() {
    super('the API key is not valid')
  }
}

export class UnsignedRequestError extends CrawlfleetError {
  readonly code = 'UNSIGNED'
  readonly status = 401
}

/** A call to the edge that skipped the public entry (CloudFront and its WAF): no valid origin header. */
export class NotViaEntryError extends CrawlfleetError {
  readonly code = 'NOT_VIA_ENTRY'
  readonly status = 403
  constructor() {
    super('requests must come through the public entry point')
  }
}

export class NotFoundError extends CrawlfleetError {
  readonly code = 'NOT_FOUND'
  readonly status = 404
}

export class BodyTooLargeError extends CrawlfleetError {
  readonly code = 'BODY_TOO_LARGE'
  readonly status = 413
  constructor(limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`)
  }
}

export class UnsupportedMediaTypeError extends CrawlfleetError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE'
  readonly status = 415
}

abstract class PressureError extends CrawlfleetError {
  override readonly retryElsewhere = true
  override readonly retryAfterSec: number
  constructor(message: string, retryAfterSec: number, options?: { cause?: unknown }) {
    super(message, options)
    this.retryAfterSec = Math.max(1, Math.ceil(retryAfterSec))
  }
}

export class QueueFullError extends PressureError {
  readonly code = 'QUEUE_FULL'
  readonly status = 429
  constructor(retryAfterSec = 2) {
    super('the runner is busy: every page slot is taken and the queue is full', retryAfterSec)
  }
}

export class QueueTimeoutError extends PressureError {
  readonly code = 'QUEUE_TIMEOUT'
  readonly status = 503
  constructor(waitedMs: number, retryAfterSec = 2) {
    super(`no page slot freed up within ${waitedMs} ms`, retryAfterSec)
  }
}

export class MemoryPressureError extends PressureError {
  readonly code = 'MEMORY_PRESSURE'
  readonly status = 503
  constructor(message = 'the runner is under memory pressure', retryAfterSec = 5) {
    super(message, retryAfterSec)
  }
}

export class DrainingError extends PressureError {
  readonly code = 'DRAINING'
  readonly status = 503
  constructor(retryAfterSec = 5) {
    super('the runner is shutting down', retryAfterSec)
  }
}

export class BrowserCrashedError extends PressureError {
  readonly code = 'BROWSER_CRASHED'
  readonly status = 503
  constructor(message = 'the browser serving this request crashed', options?: { cause?: unknown }) {
    super(message, 1, options)
  }
}

export class NoRunnerError extends PressureError {
  readonly code = 'NO_RUNNER'
  readonly status = 503
  constructor(message = 'no runner could take the request', retryAfterSec = 2) {
    super(message, retryAfterSec)
  }
}

export type TargetFailure = 'dns' | 'refused' | 'reset' | 'tls' | 'http' | 'aborted' | 'other'

export class TargetFailedError extends CrawlfleetError {
  readonly code = 'TARGET_FAILED'
  readonly status = 502
  override readonly rule: TargetFailure
  constructor(rule: TargetFailure, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.rule = rule
  }
}

export class PageTimeoutError extends CrawlfleetError {
  readonly code = 'PAGE_TIMEOUT'
  readonly status = 504
}

export class LlmNotConfiguredError extends CrawlfleetError {
  readonly code = 'LLM_NOT_CONFIGURED'
  readonly status = 501
  constructor() {
    super('no LLM is configured on this deployment (set CRAWLFLEET_LLM_BASE_URL and CRAWLFLEET_LLM_MODEL)')
  }
}

export class LlmFailedError extends CrawlfleetError {
  readonly code = 'LLM_FAILED'
  readonly status = 502
}

/** The client closed the connection; nobody reads this answer, but the work must stop. */
export class ClientGoneError extends CrawlfleetError {
  readonly code = 'CLIENT_GONE'
  readonly status = 499
  constructor() {
    super('the client closed the connection')
  }
}

export class InternalError extends CrawlfleetError {
  readonly code = 'INTERNAL'
  readonly status = 500
}

export function isCrawlfleetError(err: unknown): err is CrawlfleetError {
  return err instanceof CrawlfleetError
}

/** Statuses after which the edge may send the same request to the next runner. */
export function isRetryElsewhereStatus(status: number): boolean {
  return status === 429 || status === 503
}
