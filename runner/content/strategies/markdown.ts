import type { MarkdownGenerator } from '../../contract/crawl4ai/strategies.ts'
import { fitContent } from '../index.ts'
import { parseHtml } from '../parse-html.ts'
import { createMarkdownConverter } from '../to-markdown.ts'
import { bm25Blocks } from './bm25-filter.ts'
import { markdownWithCitations } from './citations.ts'
import { pruneContent } from './pruning.ts'
import type { Scraped } from './scrape.ts'

// crawl4ai's DefaultMarkdownGenerator: raw Markdown of the chosen source, the same with citations
// and a reference list, and fit Markdown from its content_filter. Without a filter, fit comes from
// crawlfleet's own main-content extraction (runner/content), where crawl4ai leaves it empty.

export interface MarkdownResult {
  raw_markdown: string
  markdown_with_citations: string
  references_markdown: string
  fit_markdown: string | null
  fit_html: string | null
}

type Options = NonNullable<MarkdownGenerator['options']>

/** html2text's switches, applied to a copy of the tree before it is converted */
function applyOptions(root: Element, o: Options): void {
  const unwrap = (el: Element) => el.replaceWith(...el.childNodes)
  if (o.ignore_images) for (const el of [...root.querySelectorAll('img')]) el.remove()
  if (o.ignore_links) for (const el of [...root.querySelectorAll('a')]) unwrap(el)
  else if (o.skip_internal_links) for (const el of [...root.querySelectorAll('a[href^="#"]')]) unwrap(el)
  if (o.ignore_emphasis) for (const el of [...root.querySelectorAll('em, i, strong, b')]) unwrap(el)
}

const mutates = (o: Options) => Boolean(o.ignore_images || o.ignore_links || o.skip_internal_links || o.ignore_emphasis)

/** a copy only when the options will change the tree: the scraped content is read again afterwards */
function sourceElement(s: Scraped, html: string, pageUrl: string, source: MarkdownGenerator['content_source'], copy: boolean): Element {
  if (source === 'raw_html') return parseHtml(html, pageUrl).document.body
  return copy ? (s.content.cloneNode(true) as Element) : s.content
}

/** the chosen content inside the page's <head>, so fit extraction still sees the title */
function asPage(s: Scraped, body: Element): string {
  return `<!doctype html><html><head>${s.document.head?.innerHTML ?? ''}</head><body>${body.outerHTML}</body></html>`
}

export interface MarkdownWork {
  readonly result: MarkdownResult
  /** set when the content filter is an LLM's: the HTML it filters (the caller fills fit_* then) */
  readonly llmFilterInput?: string
  /** the page's text blocks, when fit came from the main-content extractor on the whole page */
  readonly fitFingerprints?: readonly string[]
}

/**
 * `pageAsIs`: nothing was selected or excluded (css_selector, exclusions, only_text…), so fit reads
 * the page's own HTML, as crawlfleet's /md and /crawl always have, without a second serialisation.
 */
export function generateMarkdown(
  s: Scraped,
  html: string,
  pageUrl: string,
  gen: MarkdownGenerator | undefined,
  pageAsIs = false,
  fitFrom: { readonly markedHtml?: string; readonly seenElsewhere?: readonly string[] } = {},
): MarkdownWork {
  const options = gen?.options ?? {}
  const convert = createMarkdownConverter(s.baseUrl)
  const root = sourceElement(s, html, pageUrl, gen?.content_source, mutates(options))
  applyOptions(root, options)
  const raw = convert(root)
  const cited = options.citations === false ? { markdownWithCitations: raw, referencesMarkdown: '' } : markdownWithCitations(raw, s.baseUrl)
  const result: MarkdownResult = {
    raw_markdown: raw,
    markdown_with_citations: cited.markdownWithCitations,
    references_markdown: cited.referencesMarkdown,
    fit_markdown: null,
    fit_html: null,
  }
  const filter = gen?.content_filter
  if (filter?.type === 'LLMContentFilter') return { result, llmFilterInput: root.outerHTML }
  if (filter) {
    const copy = parseHtml(asPage(s, root), pageUrl).document
    const p = filter.params as Record<string, never>
    const blocks =
      filter.type === 'PruningContentFilter'
        ? pruneContent(copy.body, { minWordThreshold: p.min_word_threshold, thresholdType: p.threshold_type, threshold: p.threshold, preserveClasses: p.preserve_classes, preserveTags: p.preserve_tags })
        : bm25Blocks(copy, copy.body, { userQuery: p.user_query, threshold: p.bm25_threshold })
    result.fit_html = blocks.map((b) => `<div>${b}</div>`).join('\n')
    const fitRoot = parseHtml(result.fit_html, pageUrl).document.body
    applyOptions(fitRoot, options)
    result.fit_markdown = convert(fitRoot)
    return { result }
  }
  // the whole page as rendered: the main-content extractor reads the signals the page marked; a
  // selection or other generator options: their part of the page, without signals
  const whole = pageAsIs && gen?.content_source !== 'raw_html' && !gen?.options
  const fit = fitContent(whole ? (fitFrom.markedHtml || html) : asPage(s, root), pageUrl, { seenElsewhere: whole ? fitFrom.seenElsewhere : undefined })
  result.fit_markdown = fit.markdown
  result.fit_html = fit.html
  return { result, fitFingerprints: whole ? fit.fingerprints : undefined }
}
