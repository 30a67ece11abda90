import type { Page, Request } from 'playwright-core'
import { UrlRefusedError } from '../contract/errors.ts'
import { EGRESS_HEADER } from '../egress/egress-proxy.ts'
import { targetFailureFromCode } from '../session/classify-error.ts'

export interface NavigateOptions {
  readonly waitUntil: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'
  /** a CSS selector (crawl4ai's "css:" prefix accepted) or "js:<predicate>" */
  readonly waitFor?: string
  readonly timeoutMs: number
  /** browser_config.init_scripts: run in every document before its own scripts */
  readonly initScripts?: readonly string[]
}

export interface Navigated {
  readonly statusCode: number | null
  readonly finalUrl: string
  /** the main document's response headers (lower-case names), null without a response */
  readonly headers: Record<string, string> | null
}

export async function navigate(page: Page, url: string, o: NavigateOptions): Promise<Navigated> {
  page.setDefaultTimeout(o.timeoutMs)
  page.setDefaultNavigationTimeout(o.timeoutMs)
  for (const script of o.initScripts ?? []) await page.addInitScript(script)
  const response = await gotoOrFail(page, url, o)
  // the egress proxy answers plain HTTP only (HTTPS reaches it as a tunnel), and drops these headers from targets' answers
  if (response && new URL(response.url()).protocol === 'http:') throwIfAnsweredByEgressProxy(response.headers(), new URL(response.url()).hostname)
  if (o.waitFor) await waitFor(page, o.waitFor, o.timeoutMs)
  return { statusCode: response?.status() ?? null, finalUrl: page.url(), headers: response?.headers() ?? null }
}

/** The egress proxy answers for targets it refused or could not reach; that answer is not the page. */
function throwIfAnsweredByEgressProxy(headers: Record<string, string>, hostname: string): void {
  const rule = headers[EGRESS_HEADER.refused]
  if (rule === 'scheme') throw new UrlRefusedError(rule, `${hostname} redirected the browser to a URL that is not http or https`, 'url')
  if (rule) throw new UrlRefusedError(rule, `the page led the browser to ${hostname}, which the URL policy refuses`, 'url')
  const code = headers[EGRESS_HEADER.upstreamError]
  if (code) throw targetFailureFromCode(code, hostname)
}

/**
 * Chromium never fires DOMContentLoaded for a document whose connection dies mid-body, so goto
 * would wait for its whole timeout; a failure of the main document ends the wait at once instead.
 */
async function gotoOrFail(page: Page, url: string, o: NavigateOptions) {
  let onFailed: ((req: Request) => void) | undefined
  const mainDocumentFailed = new Promise<never>((_, reject) => {
    onFailed = (req) => {
      const errorText = req.failure()?.errorText ?? ''
      // ERR_ABORTED is a navigation replaced by another one, which goto itself reports
      if (isMainDocument(page, req) && !errorText.includes('ERR_ABORTED')) {
        reject(new Error(`the main document failed: ${errorText}`))
      }
    }
    page.on('requestfailed', onFailed)
  })
  mainDocumentFailed.catch(() => undefined)
  try {
    return await Promise.race([page.goto(url, { waitUntil: o.waitUntil, timeout: o.timeoutMs }), mainDocumentFailed])
  } finally {
    page.off('requestfailed', onFailed!)
  }
}

function isMainDocument(page: Page, req: Request): boolean {
  try {
    return req.isNavigationRequest() && req.frame() === page.mainFrame()
  } catch {
    return false // a service worker's request has no frame
  }
}

export async function waitFor(page: Page, spec: string, timeoutMs: number): Promise<void> {
  if (spec.startsWith('js:')) {
    await page.waitForFunction(spec.slice(3), undefined, { timeout: timeoutMs })
    return
  }
  const selector = spec.startsWith('css:') ? spec.slice(4) : spec
  await page.waitForSelector(selector, { state: 'attached', timeout: timeoutMs })
}
