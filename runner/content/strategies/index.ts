import type { CrawlerRunConfig } from '../../contract/crawl4ai/crawler-run-config.ts'
import { extractWithoutLlm, type ExtractionInputs } from './extract.ts'
import type { C4aLink, C4aMedia } from './links-media.ts'
import { generateMarkdown, type MarkdownResult } from './markdown.ts'
import { cleanedHtmlOf, scrape } from './scrape.ts'
import type { C4aTable } from './tables.ts'

export { checkSelectors } from './scrape.ts'
export { extractWithoutLlm, inputOf, toExtractedContent, type ExtractionInputs } from './extract.ts'
export type { MarkdownResult } from './markdown.ts'

// The entry the crawl calls with a rendered page: one HTML string in, crawl4ai's result parts out,
// all plain data (no DOM, no Playwright), so the work can move to a worker. Only the LLM steps are
// left to the caller: `llmFilterInput` (the markdown generator's LLMContentFilter) and an
// `extractedContent` of undefined (an LLM extraction strategy, or one that reads fit Markdown that
// the LLM filter has yet to write).

export interface PageContent {
  readonly cleanedHtml: string
  readonly markdown: MarkdownResult
  readonly links: { internal: C4aLink[]; external: C4aLink[] }
  readonly media: { images: C4aMedia[]; videos: C4aMedia[]; audios: C4aMedia[] }
  readonly tables: C4aTable[]
  readonly metadata: Record<string, string | null>
  /** the texts an extraction strategy may read (crawl4ai's input_format) */
  readonly extractionInputs: ExtractionInputs
  /** null: no strategy; undefined: the caller runs it (LLM) */
  readonly extractedContent: string | null | undefined
  /** the HTML an LLMContentFilter should filter into fit Markdown */
  readonly llmFilterInput?: string
  /** the page's text blocks, when fit came from the main-content extractor (for `seenElsewhere` on the site's other pages) */
  readonly fitFingerprints?: readonly string[]
}

export interface PageContentOptions {
  /** the page with the rendered-page signals (runner/pages/collect-signals.ts) the main-content extractor reads */
  readonly markedHtml?: string
  /** fingerprints of blocks the site's other pages showed */
  readonly seenElsewhere?: readonly string[]
}

/** no option changes which part of the page is the content */
const selectsNothing = (c: CrawlerRunConfig) =>
  !c.css_selector &&
  !c.target_elements?.length &&
  !c.excluded_tags?.length &&
  !c.excluded_selector &&
  !c.remove_forms &&
  !c.only_text &&
  !(c.word_count_threshold && c.word_count_threshold > 1) &&
  !c.exclude_external_links &&
  !c.exclude_social_media_links &&
  !c.exclude_domains?.length &&
  !c.exclude_external_images &&
  !c.exclude_all_images


/** `url` is the URL as requested (crawl4ai reports it in regex matches); `pageUrl` the page's final URL. */
export function pageContent(html: string, url: string, pageUrl: string, c: CrawlerRunConfig, o: PageContentOptions = {}): PageContent {
  const scraped = scrape(html, pageUrl, c)
  const md = generateMarkdown(scraped, html, pageUrl, c.markdown_generator, selectsNothing(c), o)
  const cleanedHtml = cleanedHtmlOf(scraped.content, c)
  const extractionInputs: ExtractionInputs = {
    html,
    cleaned_html: cleanedHtml,
    markdown: md.result.raw_markdown,
    fit_markdown: md.result.fit_markdown ?? '',
    fit_html: cleanedHtml,
    text: (scraped.content.textContent ?? '').replace(/\s+/g, ' ').trim(),
  }
  const strategy = c.prefetch ? undefined : c.extraction_strategy
  const waitsForLlmFit = md.llmFilterInput !== undefined && (strategy?.params as { input_format?: string } | undefined)?.input_format === 'fit_markdown'
  const extractedContent = !strategy ? null : waitsForLlmFit ? undefined : extractWithoutLlm(strategy, url, pageUrl, extractionInputs)
  return {
    cleanedHtml,
    markdown: md.result,
    links: scraped.links,
    media: scraped.media,
    tables: scraped.tables,
    metadata: scraped.metadata,
    extractionInputs,
    extractedContent,
    ...(md.llmFilterInput !== undefined ? { llmFilterInput: md.llmFilterInput } : {}),
    ...(md.fitFingerprints ? { fitFingerprints: md.fitFingerprints } : {}),
  }
}
