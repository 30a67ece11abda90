import type { Page } from 'playwright-core'
import type { PdfRequest } from '../contract/request-schemas.ts'
import { PDF_MAX_PAGES } from '../contract/response-limits.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'

export async function renderPdf(page: Page, input: PdfRequest, timeoutMs: number): Promise<Buffer> {
  await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  return page.pdf({
    format: input.format ?? 'A4',
    landscape: input.landscape ?? false,
    printBackground: input.print_background ?? true,
    // a page that prints to thousands of pages is cut (a range past the last page is fine for Chromium)
    pageRanges: `1-${PDF_MAX_PAGES}`,
  })
}
