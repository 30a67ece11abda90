import type { CrawlerRunConfig } from '../contract/crawl4ai/crawler-run-config.ts'
import { InvalidFieldError, LlmNotConfiguredError } from '../contract/errors.ts'
import type { CrawlResult } from '../contract/request-schemas.ts'
import { failedCrawlResult } from '../contract/crawl4ai/crawl-result.ts'
import { checkSelectors, inputOf, toExtractedContent } from '../content/strategies/index.ts'
import { offload } from '../workers/offload.ts'
import { llmExtract, llmFilterContent } from '../llm/strategies.ts'
import type { LlmClient } from '../llm/openai-client.ts'
import type { CrawledPage } from './crawl-page.ts'
import type { SiteBlocks } from './site-blocks.ts'

// A rendered page made into crawl4ai's CrawlResult: the scraping, Markdown and extraction its
// CrawlerRunConfig asks for. CPU work on the HTML string (no page held); the LLM steps await the
// deployment's model.

const needsLlm = (c: CrawlerRunConfig) => c.extraction_strategy?.type === 'LLMExtractionStrategy' || c.markdown_generator?.content_filter?.type === 'LLMContentFilter'

/** What can be refused before any page is rendered (400, 501). */
export function checkCrawlerConfig(c: CrawlerRunConfig, llm: LlmClient | undefined): void {
  if (c.deep_crawl_strategy) throw new InvalidFieldError('crawler_config.deep_crawl_strategy', 'deep crawls are run by the edge, which spreads their pages over the fleet: send the request to the edge')
  checkSelectors(c)
  if (needsLlm(c) && !llm) throw new LlmNotConfiguredError()
}

export async function crawlResultOf(url: string, page: CrawledPage, c: CrawlerRunConfig, llm: LlmClient | undefined, signal: AbortSignal, siteBlocks?: SiteBlocks): Promise<CrawlResult> {
  if (page.robotsDenied) return failedCrawlResult(url, 'Access denied by robots.txt', 403)
  // scraping, Markdown and extraction are CPU work on strings: a content worker does them
  const content = await offload('pageContent', [page.html, url, page.finalUrl, c, { markedHtml: page.markedHtml, seenElsewhere: siteBlocks?.seenBefore(page.finalUrl) }], { signal })
  if (content.fitFingerprints) siteBlocks?.add(page.finalUrl, content.fitFingerprints)
  const markdown = { ...content.markdown }
  const inputs = { ...content.extractionInputs }
  if (content.llmFilterInput !== undefined) {
    const p = c.markdown_generator!.content_filter!.params as { instruction?: string; chunk_token_threshold?: number; overlap_rate?: number }
    const parts = await llmFilterContent({ client: llm, url, text: content.llmFilterInput, instruction: p.instruction, chunkTokens: p.chunk_token_threshold, overlapRate: p.overlap_rate, signal })
    markdown.fit_markdown = parts.join('\n\n')
    markdown.fit_html = parts.map((m) => `<div>${escapeHtml(m)}</div>`).join('\n')
    inputs.fit_markdown = markdown.fit_markdown
  }
  let extracted = content.extractedContent
  const strategy = c.extraction_strategy
  if (extracted === undefined && strategy) extracted = await offload('extractWithoutLlm', [strategy, url, page.finalUrl, inputs], { signal })
  if (extracted === undefined && strategy) {
    const p = strategy.params as { instruction?: string; schema?: Record<string, unknown>; extraction_type?: 'schema' | 'block'; apply_chunking?: boolean; chunk_token_threshold?: number; overlap_rate?: number }
    const items = await llmExtract({
      client: llm,
      url,
      text: inputOf(strategy, inputs),
      instruction: p.instruction,
      schema: p.schema,
      extractionType: p.extraction_type,
      applyChunking: p.apply_chunking,
      chunkTokens: p.chunk_token_threshold,
      overlapRate: p.overlap_rate,
      signal,
    })
    extracted = toExtractedContent(items)
  }
  const prefetch = c.prefetch === true
  return {
    url,
    // success means the page was rendered, whatever its HTTP status (status_code says it): one rule for every endpoint
    success: true,
    status_code: page.statusCode,
    html: page.html,
    cleaned_html: prefetch ? null : content.cleanedHtml,
    fit_html: markdown.fit_html,
    markdown: { ...markdown, raw: markdown.raw_markdown, fit: markdown.fit_markdown ?? '' },
    extracted_content: extracted ?? null,
    links: content.links,
    media: prefetch ? { images: [], videos: [], audios: [] } : content.media,
    tables: prefetch ? [] : (content.tables as unknown as Record<string, unknown>[]),
    metadata: content.metadata,
    response_headers: page.headers,
    redirected_url: page.finalUrl,
    js_execution_result: page.jsResult ?? null,
    ...(page.screenshot ? { screenshot: page.screenshot } : {}),
    ...(page.pdf ? { pdf: page.pdf } : {}),
    mhtml: page.mhtml ?? null,
    session_id: null,
    downloaded_files: null,
    ssl_certificate: null,
    network_requests: page.networkRequests ?? null,
    console_messages: page.consoleMessages ?? null,
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
