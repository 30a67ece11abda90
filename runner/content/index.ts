// The content API the routes call with a rendered page's HTML (`page.content()`) and its URL.
// Everything here is synchronous CPU work on the runner, next to Chromium: each entry parses the
// HTML once, and `analysePage` serves /crawl's several outputs from that one parse.

import { InvalidFieldError } from '../contract/errors.ts'
import { selectRelevant, type Bm25Options } from './bm25.ts'
import { splitBlocks } from './content-blocks.ts'
import { extractMainContent } from './fit-content.ts'
import { trimNote, type HtmlTrim } from './limits.ts'
import { collectPageFacts, type PageFacts } from './page-facts.ts'
import { parseHtml, type ParsedPage } from './parse-html.ts'
import { createMarkdownConverter, type MarkdownConverter } from './to-markdown.ts'

export type { Bm25Options } from './bm25.ts'
export type { HtmlTrim } from './limits.ts'
export type { PageFacts, PageImage, PageLink } from './page-facts.ts'
export { DEFAULT_MAX_HTML_CHARS } from './limits.ts'

export type ContentFilter = 'raw' | 'fit' | 'bm25'

export interface ContentOptions {
  /** HTML beyond this many characters is not converted; the Markdown ends with a note saying so @default DEFAULT_MAX_HTML_CHARS */
  readonly maxHtmlChars?: number
  /**
   * fit skips readability on pages longer than this and uses the page's own markup: readability
   * is about half of fit's CPU (≈ 0.6 s of 1.1 s on a 2 M-character page)
   * @default DEFAULT_MAX_READABILITY_CHARS
   */
  readonly maxReadabilityChars?: number
  readonly bm25?: Bm25Options
}

export const DEFAULT_MAX_READABILITY_CHARS = 1024 * 1024

export interface PageAnalysis extends PageFacts {
  readonly markdown: { readonly raw: string; readonly fit: string }
  /** null when the whole page was converted */
  readonly trim: HtmlTrim | null
}

const withNote = (markdown: string, page: ParsedPage) => (page.trim ? `${markdown}\n\n${trimNote(page.trim)}` : markdown)

function raw(page: ParsedPage, convert: MarkdownConverter): string {
  return withNote(convert(page.document.body), page)
}

/** Mutates `page.document`: call it after anything else that reads the page. */
function fit(page: ParsedPage, html: string, convert: MarkdownConverter, o: ContentOptions): string {
  const parsedChars = page.trim?.keptChars ?? html.length
  const readability = parsedChars <= (o.maxReadabilityChars ?? DEFAULT_MAX_READABILITY_CHARS)
  const main = extractMainContent(page.document, () => parseHtml(html, page.pageUrl, o).document, { readability })
  let markdown = convert(main.root)
  // readability drops the heading that repeats the title it reports; a reader still wants it
  if (main.title && !markdown.slice(0, main.title.length + 200).includes(main.title)) markdown = `# ${main.title}\n\n${markdown}`
  return withNote(markdown, page)
}

/** Mutates `page.document`: call it after anything else that reads the page. */
function bm25(page: ParsedPage, convert: MarkdownConverter, query: string, o: Bm25Options | undefined): string {
  const blocks = splitBlocks(page.document.body)
  const kept = selectRelevant(
    blocks.map((b) => b.text),
    query,
    o,
  )
  // turndown converts a node's children, so each block is moved into a box of its own; the tree
  // is not read again after the split
  const markdown = kept
    .map(({ index }) => {
      const box = page.document.createElement('div')
      box.append(...blocks[index]!.elements)
      return convert(box)
    })
    .filter(Boolean)
    .join('\n\n')
  return withNote(markdown, page)
}

function requireQuery(query: string | null | undefined): string {
  if (!query?.trim()) throw new InvalidFieldError('q', 'a query is required when f is "bm25"')
  return query
}

export function rawMarkdown(html: string, pageUrl: string, o: ContentOptions = {}): string {
  const page = parseHtml(html, pageUrl, o)
  return raw(page, createMarkdownConverter(page.baseUrl))
}

export function fitMarkdown(html: string, pageUrl: string, o: ContentOptions = {}): string {
  const page = parseHtml(html, pageUrl, o)
  return fit(page, html, createMarkdownConverter(page.baseUrl), o)
}

/** The blocks (a heading and what follows it) that BM25 finds relevant to `query`, in page order; '' when none match. */
export function bm25Markdown(html: string, pageUrl: string, query: string, o: ContentOptions = {}): string {
  const q = requireQuery(query)
  const page = parseHtml(html, pageUrl, o)
  return bm25(page, createMarkdownConverter(page.baseUrl), q, o.bm25)
}

export function pageFacts(html: string, pageUrl: string, o: ContentOptions = {}): PageFacts {
  const page = parseHtml(html, pageUrl, o)
  return collectPageFacts(page.document, page.baseUrl, page.pageUrl)
}

/** /md's one entry: throws InvalidFieldError('q') for bm25 without a query. */
export function renderMarkdown(html: string, pageUrl: string, filter: ContentFilter, query?: string | null, o: ContentOptions = {}): string {
  switch (filter) {
    case 'raw':
      return rawMarkdown(html, pageUrl, o)
    case 'fit':
      return fitMarkdown(html, pageUrl, o)
    case 'bm25':
      return bm25Markdown(html, pageUrl, requireQuery(query), o)
  }
}

/** /crawl's per-page outputs from one parse: facts and raw read the tree, fit then consumes it. */
export function analysePage(html: string, pageUrl: string, o: ContentOptions = {}): PageAnalysis {
  const page = parseHtml(html, pageUrl, o)
  const convert = createMarkdownConverter(page.baseUrl)
  const facts = collectPageFacts(page.document, page.baseUrl, page.pageUrl)
  const rawMd = raw(page, convert)
  const fitMd = fit(page, html, convert, o)
  return { ...facts, markdown: { raw: rawMd, fit: fitMd }, trim: page.trim }
}
