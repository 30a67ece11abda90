import type { Page } from 'playwright-core'
import type { ScreenshotRequest } from '../contract/request-schemas.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'

export async function renderScreenshot(page: Page, input: ScreenshotRequest, timeoutMs: number): Promise<Buffer> {
  await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  if (input.wait_for_images) await waitForImages(page, timeoutMs)
  // crawl4ai's screenshot_wait_for is a settle time the caller asks for, in seconds
  if (input.screenshot_wait_for) await page.waitForTimeout(input.screenshot_wait_for * 1000)
  return page.screenshot({ fullPage: input.full_page ?? false, type: 'png', timeout: timeoutMs })
}

async function waitForImages(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete), undefined, { timeout: timeoutMs })
}
