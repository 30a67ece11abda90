import { PdfRequest, PdfResponse } from '../contract/request-schemas.ts'
import { definePageRoute } from '../http/define-route.ts'
import { pageTimeoutMsOf } from '../pages/page-options.ts'
import { renderPdf } from '../pages/pdf.ts'
import { fileResponse, type ResponseLimits } from './respond.ts'

export function pdfRoute(limits: ResponseLimits) {
  return definePageRoute({
    summary: 'PDF of a page (base64 JSON, or raw with Accept: application/pdf); at most PDF_MAX_PAGES (100) pages',
    body: PdfRequest,
    ok: PdfResponse,
    binary: 'application/pdf',
    errors: ['RESPONSE_TOO_LARGE'],
    checkUrlUpFront: true,
    timeoutMs: pageTimeoutMsOf,
    run: async (input, work, c) => {
      const pdf = await work.withPage((page, ms) => renderPdf(page, input, ms))
      return fileResponse(c, pdf, 'application/pdf', 'pdf', limits)
    },
  })
}
