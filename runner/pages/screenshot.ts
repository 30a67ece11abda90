import type { Page } from 'playwright-core'
import type { ScreenshotRequest } from '../contract/request-schemas.ts'
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
  if (!input.full_page) return { png: await page.screenshot({ type: 'png', timeout: timeoutMs }), clipped: null }
  // a 50,000 px page would be a 100+ MB bitmap: cut it to the documented bounds
  const size = await page.evaluate(() => ({
    width: Math.max(document.documentElement.scrollWidth, window.innerWidth),
    height: Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0),
  }))
  const clip = screenshotClip(size.width, size.height)
  if (!clip) return { png: await page.screenshot({ fullPage: true, type: 'png', timeout: timeoutMs }), clipped: null }
  const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: size.width, height: clip.heightPx }, type: 'png', timeout: timeoutMs })
  return { png, clipped: clip.reason }
}

async function waitForImages(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete), undefined, { timeout: timeoutMs })
}
