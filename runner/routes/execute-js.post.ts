import { ExecuteJsRequest, ExecuteJsResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { executeScripts } from '../pages/execute-js.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'

export default definePageRoute({
  summary: 'Run scripts in a page and return their results and the HTML after them',
  body: ExecuteJsRequest,
  ok: ExecuteJsResponse,
  checkUrlUpFront: true,
  timeoutMs: pageTimeoutMsOf,
  run: async (input, work, c) => c.json(await work.withPage((page, ms) => executeScripts(page, input, ms))),
})
