import type { Page } from 'playwright-core'
import type { CrawlerRunConfig } from '../contract/crawl4ai/crawler-run-config.ts'
import { MAX_SCRIPT_RESULTS_CHARS, runScript, runScripts } from './execute-js.ts'
import { navigate, waitFor } from './navigate.ts'
import { captureMhtml, fitViewportToContent, inlineIframes, removeOverlays, scanFullPage, waitForImages } from './page-actions.ts'
import { stripSignals } from '../content/signals.ts'
import { collectSignals } from './collect-signals.ts'
import { settledContent } from './page-content.ts'
import { robotsAllow } from './robots.ts'

export interface CrawledPage {
  readonly statusCode: number | null
  readonly finalUrl: string
  /** the page as served to the caller */
  readonly html: string
  /** the same, with the rendered-page signals the main-content extractor reads */
  readonly markedHtml: string
  readonly headers: Record<string, string> | null
  readonly screenshot?: string
  readonly pdf?: string
  readonly mhtml?: string
  readonly jsResult?: { success: boolean; results: unknown[] }
  readonly networkRequests?: Record<string, unknown>[]
  readonly consoleMessages?: Record<string, unknown>[]
  /** check_robots_txt found the page disallowed: nothing was fetched but robots.txt */
  readonly robotsDenied?: boolean
}

export interface CrawlPageOptions {
  readonly timeoutMs: number
  /** browser_config.init_scripts */
  readonly initScripts?: readonly string[]
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const MAX_CAPTURED_EVENTS = 1000

function capture(page: Page, c: CrawlerRunConfig) {
  const network: Record<string, unknown>[] | undefined = c.capture_network_requests ? [] : undefined
  const consoleMessages: Record<string, unknown>[] | undefined = c.capture_console_messages ? [] : undefined
  const push = (list: Record<string, unknown>[] | undefined, e: Record<string, unknown>) => {
    if (list && list.length < MAX_CAPTURED_EVENTS) list.push({ ...e, timestamp: Date.now() / 1000 })
  }
  if (network) {
    page.on('request', (r) => push(network, { event_type: 'request', url: r.url(), method: r.method(), resource_type: r.resourceType() }))
    page.on('response', (r) => push(network, { event_type: 'response', url: r.url(), status: r.status(), status_text: r.statusText() }))
    page.on('requestfailed', (r) => push(network, { event_type: 'request_failed', url: r.url(), failure_text: r.failure()?.errorText ?? '' }))
  }
  if (consoleMessages) {
    page.on('console', (m) => push(consoleMessages, { type: m.type(), text: m.text() }))
    page.on('pageerror', (e) => push(consoleMessages, { type: 'error', text: e.message }))
  }
  return { network, consoleMessages }
}

/**
 * One URL of a crawl inside its page, in crawl4ai's order: robots.txt, navigation, images, full-page
 * scroll, js_code_before_wait, wait_for, delay_before_return_html, js_code, iframes, overlays, then
 * the HTML and what the config asks to capture.
 */
export async function crawlPage(page: Page, url: string, c: CrawlerRunConfig, o: CrawlPageOptions): Promise<CrawledPage> {
  const deadlineAt = Date.now() + o.timeoutMs
  const left = () => Math.max(1, deadlineAt - Date.now())
  const captured = capture(page, c)
  if (c.check_robots_txt) {
    const ua = c.user_agent ?? (await page.evaluate(() => navigator.userAgent))
    if (!(await robotsAllow(page, url, ua, left()))) return { statusCode: 403, finalUrl: url, html: '', markedHtml: '', headers: null, robotsDenied: true }
  }
  const nav = await navigate(page, url, { waitUntil: c.wait_until ?? 'load', timeoutMs: left(), initScripts: o.initScripts })
  if (c.wait_for_images) await waitForImages(page, Math.min(left(), 10_000))
  if (c.scan_full_page) await scanFullPage(page, { scrollDelaySec: c.scroll_delay ?? 0.2, maxSteps: c.max_scroll_steps, deadlineAt })
  for (const script of c.js_code_before_wait ?? []) await runScript(page, script, MAX_SCRIPT_RESULTS_CHARS)
  if (c.wait_for) await waitFor(page, c.wait_for, Math.min(c.wait_for_timeout ?? left(), left()))
  if (c.delay_before_return_html) await sleep(Math.min(c.delay_before_return_html * 1000, left()))
  const jsResult = c.js_code?.length ? await runScripts(page, c.js_code) : undefined
  if (c.process_iframes) await inlineIframes(page)
  if (c.remove_overlay_elements || c.remove_consent_popups) await removeOverlays(page, { overlays: c.remove_overlay_elements ?? false, consent: c.remove_consent_popups ?? false })
  // one pass in the page marks what only the rendered page knows (hidden, small print, beside the column)
  await collectSignals(page)
  const markedHtml = await settledContent(page, left())
  const html = stripSignals(markedHtml)
  if (c.adjust_viewport_to_content) await fitViewportToContent(page)
  let screenshot: string | undefined
  if (c.screenshot) {
    if (c.screenshot_wait_for) await sleep(Math.min(c.screenshot_wait_for * 1000, left()))
    screenshot = (await page.screenshot({ type: 'png', fullPage: !c.force_viewport_screenshot, timeout: left() })).toString('base64')
  }
  const pdf = c.pdf ? (await page.pdf({ format: 'A4', printBackground: true })).toString('base64') : undefined
  const mhtml = c.capture_mhtml ? await captureMhtml(page) : undefined
  return {
    statusCode: nav.statusCode,
    finalUrl: nav.finalUrl,
    html,
    markedHtml,
    headers: nav.headers,
    screenshot,
    pdf,
    mhtml,
    jsResult,
    networkRequests: captured.network,
    consoleMessages: captured.consoleMessages,
  }
}
