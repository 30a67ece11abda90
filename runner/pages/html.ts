import type { Page } from 'playwright-core'
import type { HtmlRequest } from '../contract/request-schemas.ts'
import { collectSignals } from './collect-signals.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'
import { settledContent } from './page-content.ts'

/** `signals`: mark the page for the main-content extractor first (the HTML then carries them) */
export async function renderHtml(page: Page, input: HtmlRequest, timeoutMs: number, o: { signals?: boolean } = {}) {
  const nav = await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  if (o.signals) await collectSignals(page)
  return { success: true as const, url: nav.finalUrl, html: await settledContent(page, timeoutMs), status_code: nav.statusCode }
}
