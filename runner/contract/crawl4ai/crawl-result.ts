import { CrawlfleetError } from '../errors.ts'
import type { CrawlResult } from '../request-schemas.ts'

/** The result of a URL that was not crawled: crawl4ai's CrawlResult shape, empty, with the reason. */
export function failedCrawlResult(url: string, reason: unknown, statusCode: number | null = null): CrawlResult {
  const message =
    // what the endpoint would answer: the code, the message, and the rule (URL_REFUSED: … (rule: loopback))
    typeof reason === 'string'
      ? reason
      : reason instanceof CrawlfleetError
        ? `${reason.code}: ${reason.message}${reason.rule ? ` (rule: ${reason.rule})` : ''}`
        : `INTERNAL: ${reason instanceof Error ? reason.message : String(reason)}`
  return {
    url,
    success: false,
    status_code: statusCode,
    html: '',
    cleaned_html: null,
    fit_html: null,
    markdown: { raw_markdown: '', markdown_with_citations: '', references_markdown: '', fit_markdown: null, fit_html: null, raw: '', fit: '' },
    extracted_content: null,
    links: { internal: [], external: [] },
    media: { images: [], videos: [], audios: [] },
    tables: [],
    metadata: {},
    response_headers: null,
    redirected_url: null,
    js_execution_result: null,
    mhtml: null,
    error_message: message,
    session_id: null,
    downloaded_files: null,
    ssl_certificate: null,
    network_requests: null,
    console_messages: null,
  }
}
