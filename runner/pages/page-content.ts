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
export async function settledContent(page: Page, timeoutMs: number, o: { readonly prepare?: string } = {}): Promise<string> {
  let failedReads = 0
  let held = false
  const holdMainFrame = (route: Route) => {
    const request = route.request()
    return request.isNavigationRequest() && request.frame() === page.mainFrame() ? route.abort('aborted') : route.fallback()
  }
  try {
    for (;;) {
      try {
        return await chunkedContent(page, o.prepare ?? '')
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

/**
 * page.content() in pieces. One CDP message carrying a 2 MB page is parsed on the runner's event
 * loop in one go (≈ 100 ms measured on 2 cores, 200 ms with the extractor's marks); pieces of
 * CHUNK_CHARS keep each parse a few milliseconds, so every other caller's request keeps moving.
 * A page of one piece or less (most pages) comes back from the evaluate that serializes it; a larger
 * one waits in the page between reads, under a key no page script knows.
 * `prepare` (page script statements) runs first, in the same evaluate as the serialization.
 */
const CHUNK_CHARS = 128 * 1024

async function chunkedContent(page: Page, prepare: string): Promise<string> {
  const key = `__crawlfleet_content_${Math.random().toString(36).slice(2)}`
  const whole = (await page.evaluate(`(() => {
    ${prepare}
    const doctype = document.doctype ? new XMLSerializer().serializeToString(document.doctype) : ''
    const html = doctype + (document.documentElement ? document.documentElement.outerHTML : '')
    if (html.length <= ${CHUNK_CHARS}) return html
    Object.defineProperty(window, ${JSON.stringify(key)}, { value: html, configurable: true, enumerable: false })
    return html.length
  })()`)) as string | number
  if (typeof whole === 'string') return whole
  const length = whole
  try {
    const parts: string[] = []
    for (let at = 0; at < length; at += CHUNK_CHARS) {
      const part = await page.evaluate(([k, from, n]) => ((window as unknown as Record<string, string>)[k] ?? '').slice(from, from + n), [key, at, CHUNK_CHARS] as const)
      // a new document between two reads has no stored copy: read again rather than answer a cut page
      if (part.length !== Math.min(CHUNK_CHARS, length - at)) throw new Error('the page is navigating: its document changed between two reads')
      parts.push(part)
    }
    return parts.join('')
  } finally {
    await page.evaluate((k) => delete (window as unknown as Record<string, unknown>)[k], key).catch(() => undefined)
  }
}
