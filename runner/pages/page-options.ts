import { DEFAULT_PAGE_TIMEOUT_MS, type PageOptions } from '../contract/request-schemas.ts'
import type { NavigateOptions } from './navigate.ts'

/** The navigation settings of a request; `timeoutMs` is what is left of its deadline. */
export function navigateOptionsOf(o: Pick<PageOptions, 'wait_until' | 'wait_for' | 'browser_config'>, timeoutMs: number): NavigateOptions {
  return { waitUntil: o.wait_until ?? 'load', waitFor: o.wait_for, timeoutMs, initScripts: o.browser_config?.init_scripts }
}

export function pageTimeoutMsOf(o: { page_timeout?: number }): number {
  return o.page_timeout ?? DEFAULT_PAGE_TIMEOUT_MS
}
