import { PdfRequest, PdfResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { renderPdf } from '../pages/pdf.ts'
import { fileResponse } from './respond.ts'

export default definePageRoute({
  summary: 'PDF of a page (base64 JSON, or raw with Accept: application/pdf)',
  body: PdfRequest,
  ok: PdfResponse,
  binary: 'application/pdf',
  checkUrlUpFront: true,
  timeoutMs: pageTimeoutMsOf,
  run: async (input, work, c) => {
    const pdf = await work.withPage((page, ms) => renderPdf(page, input, ms))
    return fileResponse(c, pdf, 'application/pdf', 'pdf')
  },
})
