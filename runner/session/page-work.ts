import type { Page } from 'playwright-core'
import type { BrowserRequest } from '../contract/browser-request.ts'
import type { RequestDeadline } from './request-deadline.ts'

/**
 * What a page route's body gets, made once per request by its route definition: the request's
 * deadline, fresh pages of the browser the request asked for, and the URL policy for URLs checked
 * one by one (a crawl's). A route body is just the page work.
 */
export interface PageWork {
  readonly deadline: RequestDeadline
  /** the browser (launch options, signature, context options) every page of this request uses */
  readonly browser: BrowserRequest
  /** Runs `fn` on a fresh page: a page slot, a lease, a new context (or a warm spare), all returned in finally. */
  withPage<T>(fn: (page: Page, remainingMs: number) => Promise<T>, o?: WithPageOptions): Promise<T>
  checkUrl(url: string, field: string): Promise<void>
  /** how long this request's pages have waited for a page slot so far, ms (the Server-Timing `queue` metric) */
  queuedMs(): number
}

export interface WithPageOptions {
  /**
   * wait for a slot as long as the request's deadline allows instead of a 429 past the queue budget:
   * for a crawl's own pages, where a refusal fails one URL that no other runner can take
   */
  readonly waitUntilDeadline?: boolean
}

/** Makes the PageWork of one request; `caller` is the id the edge sent (HEADER.caller), for fair queueing. */
export type PageWorkFactory = (browser: BrowserRequest, deadline: RequestDeadline, caller?: string) => PageWork
