import { HtmlRequest, HtmlResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { renderHtml } from '../pages/html.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'

export default definePageRoute({
  summary: 'Rendered HTML of a page',
  body: HtmlRequest,
  ok: HtmlResponse,
  checkUrlUpFront: true,
  timeoutMs: pageTimeoutMsOf,
  run: async (input, work, c) => c.json(await work.withPage((page, ms) => renderHtml(page, input, ms))),
})
