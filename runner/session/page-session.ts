import type { Browser, BrowserContext, Page } from 'playwright-core'
import { InvalidFieldError } from '../contract/errors.ts'
import type { ContextOptions } from '../contract/signature.ts'
import type { EgressSession } from '../egress/egress-proxy.ts'

// No request interception here: the URL policy is enforced for every request the browser makes by
// the egress proxy (runner/egress/egress-proxy.ts), which also sees redirects and DNS answers.
// Interception would not see redirects, and Playwright turns the HTTP cache off when it is on.

/** A fresh context and page for one request. Never reused: close() ends both. */
export interface PageSession {
  readonly context: BrowserContext
  readonly page: Page
  /** true once the page's renderer process died (killed, out of memory): the session is closed then */
  crashed(): boolean
  /** the context's own way out (its proxy), closed with the session */
  readonly egress?: EgressSession
  close(): Promise<void>
}

/** Framing and hop-by-hop headers: Chromium sets them itself and fails the navigation when a caller does. */
const BROWSER_OWNED_HEADER = /^(connection|content-length|cookie2|host|keep-alive|te|trailer|transfer-encoding|upgrade|set-cookie|proxy-.*)$/i
/** RFC 9110 field values allow tabs, visible characters and obs-text, no other control characters */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/

/**
 * Headers (and a user agent) that can never be sent are the caller's error (400), found before a page exists:
 * otherwise Chromium fails the navigation (a 502 blaming the target) or sends a request that the
 * egress proxy answers with its own 400 (a success carrying someone else's error page).
 */
export function checkHeaderValues(options: Pick<ContextOptions, 'extraHTTPHeaders' | 'userAgent'>): void {
  for (const [name, value] of Object.entries(options.extraHTTPHeaders ?? {})) {
    if (BROWSER_OWNED_HEADER.test(name)) throw new InvalidFieldError('headers', `"${name}" is set by the browser itself and cannot be sent`)
    if (CONTROL_CHARACTER.test(value)) throw new InvalidFieldError('headers', `the value of "${name}" holds a control character`)
  }
  if (options.userAgent !== undefined && CONTROL_CHARACTER.test(options.userAgent)) throw new InvalidFieldError('user_agent', 'holds a control character')
}

/** A fresh context and page; with `egress`, the context's traffic leaves through that session, which closes with it. */
export async function openPageSession(browser: Browser, options: ContextOptions, egress?: EgressSession): Promise<PageSession> {
  let context: BrowserContext
  try {
    checkHeaderValues(options)
    context = await browser.newContext({
      ...options,
      ...(egress ? { proxy: { server: egress.url } } : {}),
      serviceWorkers: 'block', // a worker could outlive the request inside this context
      acceptDownloads: false,
    })
  } catch (err) {
    await egress?.close()
    throw err
  }
  try {
    const page = await context.newPage()
    // popups and dialogs would otherwise block or multiply the work of one request
    page.on('popup', (p) => void p.close().catch(() => undefined))
    page.on('dialog', (d) => void d.dismiss().catch(() => undefined))
    let closing: Promise<void> | undefined
    let crashed = false
    const close = () => (closing ??= context.close().catch(() => undefined).then(() => egress?.close()))
    // a crashed page is not "closed" to Playwright: closing it keeps a warm spare from handing it out
    page.once('crash', () => {
      crashed = true
      void close()
    })
    return { context, page, crashed: () => crashed, egress, close }
  } catch (err) {
    await context.close().catch(() => undefined)
    await egress?.close()
    throw err
  }
}
