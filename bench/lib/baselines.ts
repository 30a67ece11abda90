import { chromium, type Browser, type BrowserContextOptions, type LaunchOptions } from 'playwright-core'
import { BASE_CHROMIUM_ARGS, DISABLE_FEATURES_ARG, egressLockdownArgs, PLAYWRIGHT_DISABLE_FEATURES_ARG } from '../../runner/browser/chromium-flags.ts'
import { createDnsResolver } from '../../runner/egress/dns-resolver.ts'
import { startEgressProxy } from '../../runner/egress/egress-proxy.ts'
import { nodeDnsQuery } from '../../runner/egress/node-dns-query.ts'
import { systemClock } from '../../runner/util/clock.ts'
import { createUrlPolicy } from '../../runner/contract/url-policy/check-url.ts'
import { openPageSession } from '../../runner/session/page-session.ts'
import { chromiumPath } from './machine.ts'
import type { Answer } from './load.ts'

// The comparisons for the runner, in this process, with the runner's own Chromium and flags so
// that only the serving model differs. Each answers 200 when the page's marker came back.

export interface Target {
  readonly name: string
  send(): Promise<Answer>
  close(): Promise<void>
}

export const FIXTURE_MARKER = 'crawlfleet-fixture-home'

/** The runner's base flags (its one merged --disable-features included), minus the egress lockdown and proxy. */
export function launchOptions(): LaunchOptions {
  return { executablePath: chromiumPath(), headless: true, args: [...BASE_CHROMIUM_ARGS, DISABLE_FEATURES_ARG], ignoreDefaultArgs: [PLAYWRIGHT_DISABLE_FEATURES_ARG] }
}

/** 200 when the HTML holds the marker; 1 = rendered, but not the page asked for. */
export const checked = (html: string): Answer => ({ status: html.includes(FIXTURE_MARKER) ? 200 : 1 })

async function render(browser: Browser, url: string, contextOptions: BrowserContextOptions = {}): Promise<Answer> {
  const context = await browser.newContext(contextOptions)
  try {
    const page = await context.newPage()
    await page.goto(url)
    return checked(await page.content())
  } finally {
    await context.close()
  }
}

/** One warm browser; a new context and page per request, as a careful Playwright user would do. */
export async function rawPlaywright(url: string): Promise<Target> {
  const browser = await chromium.launch(launchOptions())
  return { name: 'raw-playwright', send: () => render(browser, url), close: () => browser.close() }
}

/** Launch, context, page, goto, content, close: what a service without a pool pays per request. */
export async function launchAndRender(url: string, extraArgs: readonly string[] = [], contextOptions: BrowserContextOptions = {}): Promise<Answer> {
  const o = launchOptions()
  const browser = await chromium.launch({ ...o, args: [...(o.args ?? []), ...extraArgs] })
  try {
    return await render(browser, url, contextOptions)
  } finally {
    await browser.close()
  }
}

export function launchPerRequest(url: string): Target {
  return { name: 'launch-per-request', send: () => launchAndRender(url), close: async () => undefined }
}

/**
 * The runner's own page session and egress proxy (the URL policy on every request the browser
 * makes) in this process, without HTTP, admission or the pool: runner − this ≈ serving overhead,
 * this − raw ≈ the proxy hop and the session's context options.
 */
export async function egressSession(url: string): Promise<Target> {
  const policy = createUrlPolicy({ allowCidrs: ['127.0.0.0/8'] })
  const egress = await startEgressProxy({ policy, dns: createDnsResolver({ query: nodeDnsQuery({ servers: [], timeoutMs: 1000, tries: 2 }), clock: systemClock }) })
  const o = launchOptions()
  const browser = await chromium.launch({ ...o, args: [...(o.args ?? []), ...egressLockdownArgs(egress.url)], proxy: { server: egress.url } })
  return {
    name: 'in-process-egress-session',
    send: async () => {
      const s = await openPageSession(browser, {}, await egress.openSession())
      try {
        await s.page.goto(url)
        return checked(await s.page.content())
      } finally {
        await s.close()
      }
    },
    close: async () => {
      await browser.close()
      await egress.close()
    },
  }
}
