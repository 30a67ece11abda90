import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { UrlRefusedError } from '../contract/errors.ts'
import type { ContextOptions } from '../contract/signature.ts'
import { installUrlGuard, type UrlCheck } from './url-guard.ts'

/** A fresh context and page for one request. Never reused: close() ends both. */
export interface PageSession {
  readonly context: BrowserContext
  readonly page: Page
  /** the first URL the guard refused in this session, if any */
  refusal(): UrlRefusedError | undefined
  close(): Promise<void>
}

export async function openPageSession(browser: Browser, options: ContextOptions, check: UrlCheck): Promise<PageSession> {
  const context = await browser.newContext({
    ...options,
    serviceWorkers: 'block', // a service worker's fetches would bypass the URL guard
    acceptDownloads: false,
  })
  try {
    const refusal = await installUrlGuard(context, check)
    const page = await context.newPage()
    // popups and dialogs would otherwise block or multiply the work of one request
    page.on('popup', (p) => void p.close().catch(() => undefined))
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined))
    let closing: Promise<void> | undefined
    return {
      context,
      page,
      refusal,
      close: () => (closing ??= context.close().catch(() => undefined)),
    }
  } catch (err) {
    await context.close().catch(() => undefined)
    throw err
  }
}
