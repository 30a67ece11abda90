import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { ContextOptions } from '../contract/signature.ts'

// No request interception here: the URL policy is enforced for every request the browser makes by
// the egress proxy (runner/browser/egress-proxy.ts), which also sees redirects and DNS answers.
// Interception would not see redirects, and Playwright turns the HTTP cache off when it is on.

/** A fresh context and page for one request. Never reused: close() ends both. */
export interface PageSession {
  readonly context: BrowserContext
  readonly page: Page
  close(): Promise<void>
}

export async function openPageSession(browser: Browser, options: ContextOptions): Promise<PageSession> {
  const context = await browser.newContext({
    ...options,
    serviceWorkers: 'block', // a worker could outlive the request inside this context
    acceptDownloads: false,
  })
  try {
    const page = await context.newPage()
    // popups and dialogs would otherwise block or multiply the work of one request
    page.on('popup', (p) => void p.close().catch(() => undefined))
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined))
    let closing: Promise<void> | undefined
    return { context, page, close: () => (closing ??= context.close().catch(() => undefined)) }
  } catch (err) {
    await context.close().catch(() => undefined)
    throw err
  }
}
