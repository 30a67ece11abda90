import type { Page } from 'playwright-core'

/**
 * page.content(), retried while the page is between two documents. A page that navigates itself
 * away (a script redirect, a timer setting location) makes content() throw "the page is navigating";
 * waiting for the next document and reading that one is what a caller expects. The request's
 * deadline closes the page, which ends the retries with a "closed" error.
 */
export async function settledContent(page: Page, timeoutMs: number): Promise<string> {
  for (;;) {
    try {
      return await page.content()
    } catch (err) {
      if (!isBetweenDocuments(err)) throw err
      await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs }).catch(() => undefined)
    }
  }
}

function isBetweenDocuments(err: unknown): boolean {
  return err instanceof Error && /page is navigating|Execution context was destroyed/.test(err.message)
}
