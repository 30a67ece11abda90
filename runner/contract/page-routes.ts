import { CrawlRequest, ExecuteJsRequest, HtmlRequest, LlmRequest, MdRequest, PdfRequest, ScreenshotRequest } from './request-schemas.ts'

/**
 * Every page route and the schema of its body, in one table: the edge validates and forwards exactly
 * these, the runner serves exactly these (runner/routes/index.ts is typed against this table).
 */
export const PAGE_ROUTE_BODIES = {
  '/html': HtmlRequest,
  '/screenshot': ScreenshotRequest,
  '/pdf': PdfRequest,
  '/execute_js': ExecuteJsRequest,
  '/md': MdRequest,
  '/llm': LlmRequest,
  '/crawl': CrawlRequest,
  '/crawl/stream': CrawlRequest,
} as const

export type PagePath = keyof typeof PAGE_ROUTE_BODIES

export const PAGE_ROUTES = Object.keys(PAGE_ROUTE_BODIES) as readonly PagePath[]
