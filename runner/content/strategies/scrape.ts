import type { CrawlerRunConfig } from '../../contract/crawl4ai/crawler-run-config.ts'
import { InvalidFieldError } from '../../contract/errors.ts'
import { SOCIAL_MEDIA_DOMAINS } from '../../contract/crawl4ai/crawler-run-config.ts'
import { collectMetadata } from '../page-facts.ts'
import { parseHtml } from '../parse-html.ts'
import { collectC4aLinks, collectC4aMedia, type C4aLink, type C4aMedia } from './links-media.ts'
import { extractTables, type C4aTable } from './tables.ts'

// crawl4ai's scraping step (LXMLWebScrapingStrategy._scrap) on a linkedom tree: removals
// (excluded_tags, excluded_selector, remove_forms, images), links and media with their exclusions,
// tables, only_text, word_count_threshold, then the content element that css_selector and
// target_elements choose. Pure: an HTML string in, plain data out.

export interface Scraped {
  readonly document: Document
  /** the chosen content with its attributes, for the Markdown and fit; cleanedHtmlOf strips it */
  readonly content: Element
  readonly links: { internal: C4aLink[]; external: C4aLink[] }
  readonly media: { images: C4aMedia[]; videos: C4aMedia[]; audios: C4aMedia[] }
  readonly tables: C4aTable[]
  readonly metadata: Record<string, string | null>
  readonly baseUrl: string
}

const IMPORTANT_ATTRS = new Set(['src', 'href', 'alt', 'title', 'width', 'height', 'colspan', 'rowspan', 'srcset', 'lang', 'dir', 'start', 'type', 'datetime'])
const ALWAYS_REMOVED = 'script, style, link, meta, noscript, template'
const ONLY_TEXT_TAGS = 'b, i, u, span, del, ins, sub, sup, strong, em, code, kbd, var, s, q, abbr, cite, dfn, time, small, mark, a, font'
const WORD_BLOCKS = 'p, li, div, span, td, dd, dt, blockquote, section, figcaption, label'
const KEEP_EMPTY = new Set(['A', 'IMG', 'BR', 'HR', 'INPUT', 'SOURCE', 'TRACK', 'WBR', 'TR', 'TD', 'TH', 'VIDEO', 'AUDIO', 'IFRAME', 'SVG'])

const words = (s: string | null | undefined) => (s ?? '').trim().split(/\s+/).filter(Boolean).length

function removeAll(root: ParentNode, selector: string): void {
  for (const el of [...root.querySelectorAll(selector)]) el.remove()
}

/** a selector the DOM library refuses is the caller's, named by its field */
function safeSelectAll(root: ParentNode, selector: string, field: string): Element[] {
  try {
    return [...root.querySelectorAll(selector)]
  } catch {
    throw new InvalidFieldError(field, `"${selector}" is not a CSS selector this server reads`)
  }
}

/** Every CSS selector of a config, checked before any page is rendered (400 naming the field). */
export function checkSelectors(c: CrawlerRunConfig): void {
  const { document } = parseHtml('<p></p>', 'http://selector.check/')
  if (c.css_selector) safeSelectAll(document, c.css_selector, 'crawler_config.css_selector')
  if (c.excluded_selector) safeSelectAll(document, c.excluded_selector, 'crawler_config.excluded_selector')
  c.target_elements?.forEach((s, i) => safeSelectAll(document, s, `crawler_config.target_elements.${i}`))
  const strategy = c.extraction_strategy
  if (strategy?.type === 'JsonCssExtractionStrategy' || strategy?.type === 'JsonLxmlExtractionStrategy') {
    const schema = (strategy.params as { schema: { baseSelector: string } }).schema
    safeSelectAll(document, schema.baseSelector, 'crawler_config.extraction_strategy.schema.baseSelector')
  }
}

function inCode(el: Element): boolean {
  return el.closest('pre, code') !== null
}

/** word_count_threshold: text blocks with fewer words (and no element inside) go; headings stay */
function dropShortBlocks(root: Element, threshold: number): void {
  for (const el of [...root.querySelectorAll(WORD_BLOCKS)].reverse()) {
    if (el.children.length === 0 && words(el.textContent) < threshold && !inCode(el)) el.remove()
  }
}

// cheapest checks first: most elements have children or text, and `closest` walks up the tree
function dropEmpty(root: Element): void {
  for (const el of [...root.querySelectorAll('*')].reverse()) {
    if (el.children.length > 0 || KEEP_EMPTY.has(el.tagName) || (el.textContent ?? '').trim()) continue
    if (!inCode(el)) el.remove()
  }
}

function stripAttributes(root: Element, keep: ReadonlySet<string>, keepData: boolean): void {
  for (const el of [root, ...root.querySelectorAll('*')]) {
    for (const a of [...el.attributes]) if (!keep.has(a.name) && !(keepData && a.name.startsWith('data-'))) el.removeAttribute(a.name)
  }
}

function onlyText(root: Element): void {
  for (const el of [...root.querySelectorAll(ONLY_TEXT_TAGS)].reverse()) el.replaceWith(el.ownerDocument.createTextNode(el.textContent ?? ''))
  removeAll(root, 'img, video, audio, picture, svg, canvas')
}

function contentOf(doc: Document, body: Element, c: CrawlerRunConfig): Element {
  let source: Element = body
  if (c.css_selector) {
    const selected = safeSelectAll(body, c.css_selector, 'crawler_config.css_selector')
    if (selected.length) {
      source = doc.createElement('div')
      source.append(...selected.map((el) => el.cloneNode(true)))
    }
  }
  if (c.target_elements?.length) {
    const box = doc.createElement('div')
    for (const selector of c.target_elements) box.append(...safeSelectAll(source, selector, 'crawler_config.target_elements').map((el) => el.cloneNode(true)))
    return box
  }
  return source
}

export function scrape(html: string, pageUrl: string, c: CrawlerRunConfig): Scraped {
  const page = parseHtml(html, pageUrl)
  const doc = page.document
  const metadata = collectMetadata(doc, page.baseUrl)
  const body = doc.body
  removeAll(body, ALWAYS_REMOVED)
  if (c.exclude_all_images) removeAll(body, 'img')
  for (const tag of c.excluded_tags ?? []) removeAll(body, tag)
  if (c.excluded_selector) for (const el of safeSelectAll(body, c.excluded_selector, 'crawler_config.excluded_selector')) el.remove()
  if (c.remove_forms) removeAll(body, 'form')

  const excludeDomains = [...(c.exclude_domains ?? []), ...(c.exclude_social_media_links ? (c.exclude_social_media_domains ?? SOCIAL_MEDIA_DOMAINS) : [])]
  const rules = { excludeExternalLinks: c.exclude_external_links, excludeInternalLinks: c.exclude_internal_links, excludeDomains, excludeExternalImages: c.exclude_external_images }
  const links = collectC4aLinks(body, page.baseUrl, page.pageUrl, rules)
  const media = collectC4aMedia(body, page.baseUrl, page.pageUrl, rules)
  const tableStrategy = c.table_extraction
  const tables =
    c.excluded_tags?.includes('table') || tableStrategy?.type === 'NoTableExtraction'
      ? []
      : extractTables(body, {
          scoreThreshold: (tableStrategy?.params as { table_score_threshold?: number } | undefined)?.table_score_threshold ?? c.table_score_threshold,
          minRows: (tableStrategy?.params as { min_rows?: number } | undefined)?.min_rows,
          minCols: (tableStrategy?.params as { min_cols?: number } | undefined)?.min_cols,
        })

  if (c.only_text) onlyText(body)
  if (c.word_count_threshold && c.word_count_threshold > 1) dropShortBlocks(body, c.word_count_threshold)
  dropEmpty(body)
  const content = contentOf(doc, body, c)
  return { document: doc, content, links, media, tables, metadata, baseUrl: page.baseUrl }
}

/** crawl4ai's cleaned_html: the content with only the attributes it keeps. Strips `content` in place: call it last. */
export function cleanedHtmlOf(content: Element, c: CrawlerRunConfig): string {
  stripAttributes(content, new Set([...IMPORTANT_ATTRS, ...(c.keep_attrs ?? [])]), c.keep_data_attributes ?? false)
  return content.outerHTML
}
