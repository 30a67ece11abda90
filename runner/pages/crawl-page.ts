import type { Page } from 'playwright-core'
import type { CrawlerConfig } from '../contract/request-schemas.ts'
import { stripSignals } from '../content/signals.ts'
import { collectSignals } from './collect-signals.ts'
import { navigate } from './navigate.ts'
import { settledContent } from './page-content.ts'

export interface CrawledPage {
  readonly statusCode: number | null
  readonly finalUrl: string
  /** the page as served to the caller */
  readonly html: string
  /** the same, with the rendered-page signals the extractor reads */
  readonly markedHtml: string
  readonly screenshot?: string
  readonly pdf?: string
}

/** One URL of a crawl, inside its page: navigate, run js_code, take what the config asks for. */
export async function crawlPage(page: Page, url: string, config: CrawlerConfig, timeoutMs: number): Promise<CrawledPage> {
  const nav = await navigate(page, url, { waitUntil: config.wait_until ?? 'load', waitFor: config.wait_for, timeoutMs })
  const scripts = config.js_code === undefined ? [] : Array.isArray(config.js_code) ? config.js_code : [config.js_code]
  // results are dropped in the page: a script returning megabytes must not send them over
  for (const script of scripts) await page.evaluate(`(async () => {\n${script}\n})().then(() => undefined)`)
  await collectSignals(page)
  const markedHtml = await settledContent(page, timeoutMs)
  const screenshot = config.screenshot ? (await page.screenshot({ type: 'png', fullPage: true, timeout: timeoutMs })).toString('base64') : undefined
  const pdf = config.pdf ? (await page.pdf({ format: 'A4', printBackground: true })).toString('base64') : undefined
  return { statusCode: nav.statusCode, finalUrl: nav.finalUrl, html: stripSignals(markedHtml), markedHtml, screenshot, pdf }
}
