import { z } from '@hono/zod-openapi'
import { BrowserConfig, Headers, Viewport } from './browser-config.ts'
import { CrawlerRunConfig, type CrawlerRunConfig as CrawlerRunConfigType } from './crawl4ai/crawler-run-config.ts'
import { dropNulls, type Refusals } from './crawl4ai/serialization.ts'

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

/** crawl4ai's CrawlerRunConfig (runner/contract/crawl4ai/crawler-run-config.ts) */
export const CrawlerConfig = CrawlerRunConfig
export type CrawlerConfig = CrawlerRunConfigType

const REFUSED_CRAWL_FIELDS: Refusals = {
  hooks: 'hooks run code on the server; they are not served (use crawler_config.js_code)',
  crawler_configs: 'one config per URL is not served: send one request per config',
}

/** A /crawl body, with `extra` fields beside crawl4ai's (the job API adds webhook_config); null means unset. */
export function crawlRequestWith<S extends z.ZodRawShape>(extra: S) {
  return z.preprocess(
    (input, ctx) => {
      if (!input || typeof input !== 'object' || Array.isArray(input)) return input
      const body = dropNulls(input as Record<string, unknown>)
      for (const [key, message] of Object.entries(REFUSED_CRAWL_FIELDS)) if (key in body) ctx.addIssue({ code: 'custom', path: [key], message: message as string })
      return body
    },
    z
      .object({
        urls: z.array(TargetUrl).min(1).max(MAX_CRAWL_URLS),
        browser_config: BrowserConfig.optional(),
        crawler_config: CrawlerConfig.optional(),
        hooks: z.unknown().optional(),
        crawler_configs: z.unknown().optional(),
        ...extra,
      })
      .strict(),
  )
}

export const CrawlRequest = crawlRequestWith({}).openapi('CrawlRequest')
export type CrawlRequest = z.infer<typeof CrawlRequest>

const CrawlLink = z.object({ href: z.string(), text: z.string(), title: z.string(), base_domain: z.string() }).catchall(z.unknown())
const CrawlMedia = z.object({ src: z.string(), alt: z.string() }).catchall(z.unknown())

/** crawl4ai's MarkdownGenerationResult, plus crawlfleet's own {raw, fit} from before */
export const CrawlMarkdown = z
  .object({
    raw_markdown: z.string(),
    markdown_with_citations: z.string(),
    references_markdown: z.string(),
    fit_markdown: z.string().nullable(),
    fit_html: z.string().nullable(),
    raw: z.string().openapi({ description: 'the same as raw_markdown (crawlfleet\'s first shape)' }),
    fit: z.string().openapi({ description: 'the same as fit_markdown (crawlfleet\'s first shape)' }),
  })
  .openapi('CrawlMarkdown')

/** crawl4ai's CrawlResult, field for field where crawlfleet has the data; the rest are null. */
export const CrawlResult = z
  .object({
    url: z.string(),
    success: z.boolean().openapi({ description: 'true when the page was rendered, whatever its HTTP status (see status_code); false with error_message when it was not' }),
    status_code: z.number().int().nullable(),
    html: z.string(),
    cleaned_html: z.string().nullable(),
    fit_html: z.string().nullable(),
    markdown: CrawlMarkdown,
    extracted_content: z.string().nullable().openapi({ description: 'the extraction strategy\'s result as a JSON string, as crawl4ai returns it' }),
    links: z.object({ internal: z.array(CrawlLink), external: z.array(CrawlLink) }),
    media: z.object({ images: z.array(CrawlMedia), videos: z.array(CrawlMedia), audios: z.array(CrawlMedia) }).catchall(z.unknown()),
    tables: z.array(z.record(z.string(), z.unknown())),
    metadata: z.record(z.string(), z.unknown()),
    response_headers: z.record(z.string(), z.string()).nullable(),
    redirected_url: z.string().nullable(),
    js_execution_result: z.record(z.string(), z.unknown()).nullable(),
    screenshot: z.string().nullable().optional(),
    pdf: z.string().nullable().optional(),
    mhtml: z.string().nullable(),
    error_message: z.string().optional(),
    session_id: z.null(),
    downloaded_files: z.null(),
    ssl_certificate: z.null(),
    network_requests: z.array(z.record(z.string(), z.unknown())).nullable(),
    console_messages: z.array(z.record(z.string(), z.unknown())).nullable(),
  })
  .openapi('CrawlResult')
export type CrawlResult = z.infer<typeof CrawlResult>
export const CrawlResponse = z
  .object({
    success: z.boolean().openapi({ description: 'true when at least one page succeeded (crawl4ai answers an error when none did); each result has its own' }),
    results: z.array(CrawlResult),
  })
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
