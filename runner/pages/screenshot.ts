import type { Page, PageScreenshotOptions } from 'playwright-core'
import type { ScreenshotRequest } from '../contract/request-schemas.ts'
import { PageTimeoutError } from '../contract/errors.ts'
import { screenshotClip, type ScreenshotClip } from '../contract/response-limits.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'

export interface Screenshot {
  readonly png: Buffer
  /** set when a full-page screenshot was cut to SCREENSHOT_MAX_HEIGHT_PX or SCREENSHOT_MAX_PIXELS */
  readonly clipped: ScreenshotClip | null
}

export async function renderScreenshot(page: Page, input: ScreenshotRequest, timeoutMs: number): Promise<Screenshot> {
  await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  if (input.wait_for_images) await waitForImages(page, timeoutMs)
  // crawl4ai's screenshot_wait_for is a settle time the caller asks for, in seconds
  if (input.screenshot_wait_for) await page.waitForTimeout(input.screenshot_wait_for * 1000)
  if (!input.full_page) return { png: await capture(page, { type: 'png' }, timeoutMs), clipped: null }
  // a 50,000 px page would be a 100+ MB bitmap: cut it to the documented bounds
  const size = await page.evaluate(() => ({
    width: Math.max(document.documentElement.scrollWidth, window.innerWidth),
    height: Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
  }))
  const clip = screenshotClip(size.width, size.height)
  if (!clip) return { png: await capture(page, { fullPage: true, type: 'png' }, timeoutMs), clipped: null }
  const png = await capture(page, { fullPage: true, clip: { x: 0, y: 0, width: size.width, height: clip.heightPx }, type: 'png' }, timeoutMs)
  return { png, clipped: clip.reason }
}

async function waitForImages(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete), undefined, { timeout: timeoutMs })
}

/**
 * Chromium's answers when the page has no frame to give because it is between documents (a page that
 * keeps navigating): no frame yet, or, caught in the swap itself, the target not attached to a page
 */
const NO_FRAME = /Unable to capture screenshot|Not attached to an active page/

/**
 * A screenshot, tried again while Chromium has no frame to give, until the page holds still or the
 * time runs out (then the request's deadline answers 504 PAGE_TIMEOUT, as for any page that never settles).
 */
export async function capture(page: Pick<Page, 'screenshot' | 'waitForTimeout'>, options: PageScreenshotOptions, timeoutMs: number): Promise<Buffer> {
  const until = performance.now() + timeoutMs
  for (;;) {
    try {
      return await page.screenshot({ ...options, timeout: Math.max(1, until - performance.now()) })
    } catch (err) {
      if (!(err instanceof Error) || !NO_FRAME.test(err.message)) throw err
      if (performance.now() >= until) throw new PageTimeoutError('the page gave no frame to capture within its page_timeout (it kept navigating)', { cause: err })
      await page.waitForTimeout(50) // a retry's pause; the page or the deadline ends the loop
    }
  }
}
