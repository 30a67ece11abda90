import type { BrowserConfigInput } from './browser-config.ts'
import type { CrawlRequest, PageOptions } from './request-schemas.ts'
import { contextOptionsFrom, launchOptionsFrom, signatureOf, type ContextOptions, type LaunchOptions } from './signature.ts'

/** What a request needs from the pool: which browser (launch + signature) and how to make its context. */
export interface BrowserRequest {
  readonly launch: LaunchOptions
  readonly signature: string
  readonly context: ContextOptions
}

type WithBrowser = Partial<Pick<PageOptions, 'viewport' | 'user_agent' | 'locale' | 'timezone_id' | 'headers' | 'java_script_enabled'>> & {
  browser_config?: BrowserConfigInput
}

/** Top-level page options win over the same settings inside browser_config. */
export function browserRequestOf(body: WithBrowser | CrawlRequest): BrowserRequest {
  const launch = launchOptionsFrom(body.browser_config)
  const context = contextOptionsFrom(body.browser_config)
  if ('viewport' in body && body.viewport) context.viewport = body.viewport
  if ('user_agent' in body && body.user_agent) context.userAgent = body.user_agent
  if ('locale' in body && body.locale) context.locale = body.locale
  if ('timezone_id' in body && body.timezone_id) context.timezoneId = body.timezone_id
  if ('headers' in body && body.headers) context.extraHTTPHeaders = { ...context.extraHTTPHeaders, ...body.headers }
  if ('java_script_enabled' in body && body.java_script_enabled !== undefined) context.javaScriptEnabled = body.java_script_enabled
  // crawl4ai's CrawlerRunConfig carries identity options too; they win over browser_config's
  const crawler = 'crawler_config' in body ? body.crawler_config : undefined
  if (crawler?.user_agent) context.userAgent = crawler.user_agent
  if (crawler?.locale) context.locale = crawler.locale
  if (crawler?.timezone_id) context.timezoneId = crawler.timezone_id
  if (crawler?.geolocation) {
    context.geolocation = crawler.geolocation
    context.permissions = ['geolocation']
  }
  return { launch, signature: signatureOf(launch), context }
}

/** True when a context made with these options is interchangeable with a default one (warm spares). */
export function isDefaultContext(context: ContextOptions): boolean {
  return Object.keys(context).length === 0
}
