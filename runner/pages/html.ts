import type { Page } from 'playwright-core'
import type { HtmlRequest } from '../contract/request-schemas.ts'
import { extractorPreparation } from './collect-signals.ts'
import { navigate } from './navigate.ts'
import { navigateOptionsOf } from './page-options.ts'
import { settledContent } from './page-content.ts'

/** built once: the page script is the same for every request */
const EXTRACTOR_PREPARATION = extractorPreparation()

/**
 * `signals`: the page is read only by the main-content extractor: marked with the rendered-page
 * signals and stripped of what the extractor drops, in the evaluate that serializes it
 */
export async function renderHtml(page: Page, input: HtmlRequest, timeoutMs: number, o: { signals?: boolean } = {}) {
  const nav = await navigate(page, input.url, navigateOptionsOf(input, timeoutMs))
  const html = await settledContent(page, timeoutMs, o.signals ? { prepare: EXTRACTOR_PREPARATION } : {})
  return { success: true as const, url: nav.finalUrl, html, status_code: nav.statusCode }
}
