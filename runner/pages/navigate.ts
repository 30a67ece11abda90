import type { Page } from 'playwright-core'

export interface NavigateOptions {
  readonly waitUntil: 'load' | 'domcontentloaded' | 'networkidle' | 'commit'
  /** a CSS selector (crawl4ai's "css:" prefix accepted) or "js:<predicate>" */
  readonly waitFor?: string
  readonly timeoutMs: number
}

export interface Navigated {
  readonly statusCode: number | null
  readonly finalUrl: string
}

export async function navigate(page: Page, url: string, o: NavigateOptions): Promise<Navigated> {
  page.setDefaultTimeout(o.timeoutMs)
  page.setDefaultNavigationTimeout(o.timeoutMs)
  const response = await page.goto(url, { waitUntil: o.waitUntil, timeout: o.timeoutMs })
  if (o.waitFor) await waitFor(page, o.waitFor, o.timeoutMs)
  return { statusCode: response?.status() ?? null, finalUrl: page.url() }
}

async function waitFor(page: Page, spec: string, timeoutMs: number): Promise<void> {
  if (spec.startsWith('js:')) {
    await page.waitForFunction(spec.slice(3), undefined, { timeout: timeoutMs })
    return
  }
  const selector = spec.startsWith('css:') ? spec.slice(4) : spec
  await page.waitForSelector(selector, { state: 'attached', timeout: timeoutMs })
}
