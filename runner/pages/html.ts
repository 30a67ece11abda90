import type { Page } from 'playwright-core'
import type { HtmlRequest } from '../contract/request-schemas.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'
import { settledContent } from './page-content.ts'

export async function renderHtml(page: Page, input: HtmlRequest, timeoutMs: number) {
  const nav = await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  return { success: true as const, url: nav.finalUrl, html: await settledContent(page, timeoutMs), status_code: nav.statusCode }
}
