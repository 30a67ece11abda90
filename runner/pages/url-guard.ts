import type { BrowserContext } from 'playwright-core'
import { UrlRefusedError } from '../contract/errors.ts'

/** Throws UrlRefusedError when the URL may not be fetched by the browser. */
export type UrlCheck = (url: string) => Promise<void>

/**
 * Every request the browser makes in this context (navigations, redirects, subresources, fetch/XHR
 * from page scripts, WebSockets) passes the URL policy first; the edge only ever sees the first URL.
 * Returns a getter for the first refusal, so a failed navigation can say why.
 */
export async function installUrlGuard(context: BrowserContext, check: UrlCheck): Promise<() => UrlRefusedError | undefined> {
  let firstRefusal: UrlRefusedError | undefined
  const refuse = (err: unknown): void => {
    if (!firstRefusal) {
      firstRefusal = err instanceof UrlRefusedError ? err : new UrlRefusedError('policy', `refused: ${String(err)}`)
    }
  }
  await context.route('**/*', async (route) => {
    const url = route.request().url()
    try {
      await check(url)
    } catch (err) {
      refuse(err)
      return route.abort('blockedbyclient').catch(() => undefined)
    }
    return route.continue().catch(() => undefined) // the context may close under us
  })
  await context.routeWebSocket(/.*/, async (ws) => {
    try {
      await check(ws.url().replace(/^ws/, 'http'))
      ws.connectToServer()
    } catch (err) {
      refuse(err)
      await ws.close({ code: 1008, reason: 'refused by the URL policy' }).catch(() => undefined)
    }
  })
  return () => firstRefusal
}
