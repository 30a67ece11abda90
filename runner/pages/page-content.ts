import type { Page, Route } from 'playwright-core'

/** reads that may fail because the page moved on before the page is held where it is */
const READS_BEFORE_HOLDING = 3

/**
 * page.content(), retried while the page is between two documents. A page that navigates itself
 * away (a script redirect, a timer setting location) makes content() throw "the page is navigating";
 * waiting for the next document and reading that one is what a caller expects. A page that never
 * stays long enough for a read (a timer sending it away every 20 ms, on a loaded machine) is held
 * after a few tries: its next main-frame navigations are aborted (ERR_ABORTED leaves the current
 * document in place, no error page), so the document it is on is the one read. The request's
 * deadline closes the page, which ends the retries with a "closed" error.
 */
export async function settledContent(page: Page, timeoutMs: number): Promise<string> {
  let failedReads = 0
  let held = false
  const holdMainFrame = (route: Route) => {
    const request = route.request()
    return request.isNavigationRequest() && request.frame() === page.mainFrame() ? route.abort('aborted') : route.fallback()
  }
  try {
    for (;;) {
      try {
        return await page.content()
      } catch (err) {
        if (!isBetweenDocuments(err)) throw err
        if (++failedReads >= READS_BEFORE_HOLDING && !held) {
          held = true
          await page.route('**/*', holdMainFrame)
        }
        await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs }).catch(() => undefined)
      }
    }
  } finally {
    if (held) await page.unroute('**/*', holdMainFrame).catch(() => undefined)
  }
}

function isBetweenDocuments(err: unknown): boolean {
  return err instanceof Error && /page is navigating|Execution context was destroyed/.test(err.message)
}
