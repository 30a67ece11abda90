import { HEADER } from '../contract/http-names.ts'
import { ScreenshotRequest, ScreenshotResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { renderScreenshot } from '../pages/screenshot.ts'
import { fileResponse, type ResponseLimits } from './respond.ts'

export function screenshotRoute(limits: ResponseLimits) {
  return definePageRoute({
    summary: `PNG screenshot of a page (base64 JSON, or raw with Accept: image/png); a full page is cut to 16384 px high and 25 Mpx (header ${HEADER.screenshotClipped} says why)`,
    body: ScreenshotRequest,
    ok: ScreenshotResponse,
    binary: 'image/png',
    errors: ['RESPONSE_TOO_LARGE'],
    checkUrlUpFront: true,
    timeoutMs: pageTimeoutMsOf,
    run: async (input, work, c) => {
      const shot = await work.withPage((page, ms) => renderScreenshot(page, input, ms))
      return fileResponse(c, shot.png, 'image/png', 'screenshot', limits, shot.clipped ? { [HEADER.screenshotClipped]: shot.clipped } : {})
    },
  })
}
