import { ScreenshotRequest, ScreenshotResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { renderScreenshot } from '../pages/screenshot.ts'
import { fileResponse } from './respond.ts'

export default definePageRoute({
  summary: 'PNG screenshot of a page (base64 JSON, or raw with Accept: image/png)',
  body: ScreenshotRequest,
  ok: ScreenshotResponse,
  binary: 'image/png',
  checkUrlUpFront: true,
  timeoutMs: pageTimeoutMsOf,
  run: async (input, work, c) => {
    const png = await work.withPage((page, ms) => renderScreenshot(page, input, ms))
    return fileResponse(c, png, 'image/png', 'screenshot')
  },
})
