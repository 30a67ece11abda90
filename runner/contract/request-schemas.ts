import { z } from '@hono/zod-openapi'
import { BrowserConfig, Headers, Viewport } from './browser-config.ts'

// Request and response bodies, shared by the edge (validation, routing) and the runner (work).
// Field names follow the crawl4ai Docker API where it has the endpoint.

export const MAX_PAGE_TIMEOUT_MS = 120_000
export const DEFAULT_PAGE_TIMEOUT_MS = 30_000
export const MAX_CRAWL_URLS = 100
/** the whole of one /crawl request; each page also has its own page_timeout */
export const CRAWL_TIMEOUT_MS = 300_000

export const TargetUrl = z
  .string()
  .min(1)
  .max(8192)
  .openapi({ example: 'https://example.com/', description: 'an http or https URL' })

export const WaitUntil = z.enum(['load', 'domcontentloaded', 'networkidle', 'commit'])

/** Options every page endpoint takes. */
export const pageOptionsShape = {
  browser_config: BrowserConfig.optional(),
  wait_until: WaitUntil.optional().openapi({ description: 'navigation event to wait for; default "load"' }),
  wait_for: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .openapi({ description: 'a CSS selector to wait for (crawl4ai\'s "css:" prefix is accepted)' }),
  page_timeout: z
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_TIMEOUT_MS)
    .optional()
    .openapi({ description: `ms for the whole page work; default ${DEFAULT_PAGE_TIMEOUT_MS}` }),
  viewport: Viewport.optional(),
  user_agent: z.string().min(1).max(1024).optional(),
  locale: z.string().min(2).max(35).optional(),
  timezone_id: z.string().min(1).max(64).optional(),
  headers: Headers.optional(),
  java_script_enabled: z.boolean().optional(),
}

export const PageOptions = z.object({ url: TargetUrl, ...pageOptionsShape }).strict()
export type PageOptions = z.infer<typeof PageOptions>

export const HtmlRequest = PageOptions.openapi('HtmlRequest')
export type HtmlRequest = z.infer<typeof HtmlRequest>
export const HtmlResponse = z
  .object({ success: z.literal(true), url: z.string(), html: z.string(), status_code: z.number().int().nullable() })
  .openapi('HtmlResponse')

export const ScreenshotRequest = z
  .object({
    url: TargetUrl,
    ...pageOptionsShape,
    full_page: z.boolean().optional(),
    screenshot_wait_for: z
      .number()
      .min(0)
      .max(30)
      .optional()
      .openapi({ description: 'seconds to wait after load before the shot' }),
    wait_for_images: z.boolean().optional(),
  })
  .strict()
  .openapi('ScreenshotRequest')
export type ScreenshotRequest = z.infer<typeof ScreenshotRequest>
export const ScreenshotResponse = z
  .object({ success: z.literal(true), screenshot: z.string().openapi({ description: 'base64 PNG' }) })
  .openapi('ScreenshotResponse')

export const PdfRequest = z
  .object({
    url: TargetUrl,
    ...pageOptionsShape,
    format: z.enum(['A4', 'Letter', 'Legal', 'A3', 'A5', 'Tabloid']).optional(),
    landscape: z.boolean().optional(),
    print_background: z.boolean().optional(),
  })
  .strict()
  .openapi('PdfRequest')
export type PdfRequest = z.infer<typeof PdfRequest>
export const PdfResponse = z
  .object({ success: z.literal(true), pdf: z.string().openapi({ description: 'base64 PDF' }) })
  .openapi('PdfResponse')

export const ExecuteJsRequest = z
  .object({
    url: TargetUrl,
    ...pageOptionsShape,
    scripts: z
      .array(z.string().min(1).max(100_000))
      .min(1)
      .max(32)
      .openapi({ description: 'function bodies or expressions, run in order; each result is JSON-serialised' }),
  })
  .strict()
  .openapi('ExecuteJsRequest')
export type ExecuteJsRequest = z.infer<typeof ExecuteJsRequest>
export const ExecuteJsResponse = z
  .object({
    success: z.literal(true),
    url: z.string(),
    js_execution_result: z.object({
      success: z.boolean().openapi({ description: 'false when any script threw; its entry in results is {error}' }),
      results: z.array(z.unknown()),
    }),
    html: z.string(),
  })
  .openapi('ExecuteJsResponse')

export const MarkdownFilter = z.enum(['raw', 'fit', 'bm25', 'llm'])
export const MdRequest = z
  .object({
    url: TargetUrl,
    ...pageOptionsShape,
    f: MarkdownFilter.default('fit'),
    q: z.string().max(2000).nullish(),
    c: z.union([z.string(), z.number()]).nullish().openapi({ description: 'cache-bust token (accepted, unused)' }),
  })
  .strict()
  .openapi('MdRequest')
export type MdRequest = z.infer<typeof MdRequest>
export const MdResponse = z
  .object({
    url: z.string(),
    filter: MarkdownFilter,
    query: z.string().nullable(),
    cache: z.string().nullable(),
    markdown: z.string(),
    text: z.string().nullable().openapi({ description: 'f=fit: the plain text of the main content (figure captions left out); null for the other filters' }),
    success: z.literal(true),
  })
  .openapi('MdResponse')

export const LlmRequest = z
  .object({
    url: TargetUrl,
    ...pageOptionsShape,
    q: z.string().min(1).max(4000),
    schema: z.record(z.string(), z.unknown()).optional().openapi({ description: 'a JSON schema the answer must fit' }),
  })
  .strict()
  .openapi('LlmRequest')
export type LlmRequest = z.infer<typeof LlmRequest>
export const LlmResponse = z
  .union([z.object({ answer: z.string() }), z.object({ data: z.unknown() })])
  .openapi('LlmResponse')

const CrawlerParams = z
  .object({
    wait_until: WaitUntil.optional(),
    wait_for: pageOptionsShape.wait_for,
    page_timeout: pageOptionsShape.page_timeout,
    screenshot: z.boolean().optional(),
    pdf: z.boolean().optional(),
    js_code: z.union([z.string().max(100_000), z.array(z.string().max(100_000)).max(32)]).optional(),
    stream: z.boolean().optional(),
    // accepted for crawl4ai compatibility; there is no cache here
    cache_mode: z.string().max(32).optional(),
    verbose: z.boolean().optional(),
  })
  .strict()

export const CrawlerConfig = z
  .preprocess((input) => {
    if (input && typeof input === 'object' && (input as { type?: unknown }).type === 'CrawlerRunConfig') {
      return (input as { params?: unknown }).params ?? {}
    }
    return input
  }, CrawlerParams)
  .openapi('CrawlerConfig', {
    description: "Per-page settings, as a plain object or crawl4ai's {type: \"CrawlerRunConfig\", params}.",
  })
export type CrawlerConfig = z.infer<typeof CrawlerParams>

export const CrawlRequest = z
  .object({
    urls: z.array(TargetUrl).min(1).max(MAX_CRAWL_URLS),
    browser_config: BrowserConfig.optional(),
    crawler_config: CrawlerConfig.optional(),
  })
  .strict()
  .openapi('CrawlRequest')
export type CrawlRequest = z.infer<typeof CrawlRequest>

export const CrawlResult = z
  .object({
    url: z.string(),
    success: z.boolean().openapi({ description: 'true when the page was rendered, whatever its HTTP status (see status_code); false with error_message when it was not' }),
    status_code: z.number().int().nullable(),
    html: z.string(),
    markdown: z.object({
      raw: z.string(),
      fit: z.string(),
      fit_html: z.string().openapi({ description: "the main content's own HTML, cleaned (crawl4ai's markdown.fit_html)" }),
    }),
    links: z.object({
      internal: z.array(z.object({ href: z.string(), text: z.string() })),
      external: z.array(z.object({ href: z.string(), text: z.string() })),
    }),
    media: z.object({ images: z.array(z.object({ src: z.string(), alt: z.string() })) }),
    metadata: z.record(z.string(), z.string().nullable()),
    screenshot: z.string().optional(),
    pdf: z.string().optional(),
    error_message: z.string().optional(),
  })
  .openapi('CrawlResult')
export type CrawlResult = z.infer<typeof CrawlResult>
export const CrawlResponse = z
  .object({ success: z.boolean().openapi({ description: 'true when every result is' }), results: z.array(CrawlResult) })
  .openapi('CrawlResponse')

export const ErrorResponse = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      rule: z.string().optional(),
      retry_after_sec: z.number().optional(),
    }),
  })
  .openapi('ErrorResponse')
