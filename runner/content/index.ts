// The content API the routes call with a rendered page's HTML (`page.content()`, with the
// rendered-page signals written into it for fit) and its URL. Everything here is synchronous CPU
// work on plain data, so it can move to a worker. Fit is the main-content extractor
// (./extract/), which parses with htmlparser2 on its own; raw, bm25 and the page facts share one
// linkedom parse.

import { InvalidFieldError } from '../contract/errors.ts'
import { selectRelevant, type Bm25Options } from './bm25.ts'
import { splitBlocks } from './content-blocks.ts'
import { extractMain } from './extract/index.ts'
import { stripSignals } from './signals.ts'
import { capHtml, DEFAULT_MAX_HTML_CHARS, trimNote, type HtmlTrim } from './limits.ts'
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
  readonly bm25?: Bm25Options
  /** fit: fingerprints of blocks on other pages of the same site (their `fingerprints`), dropped here as boilerplate */
  readonly seenElsewhere?: readonly string[]
}

/** The page's main content, three ways. */
export interface FitContent {
  readonly markdown: string
  /** the main content's own markup, cleaned (crawl4ai's fit_html) */
  readonly html: string
  /** its plain text: headings, paragraphs, lists, tables and code, without figure captions */
  readonly text: string
  /** this page's text blocks, for `seenElsewhere` on other pages of the site */
  readonly fingerprints: readonly string[]
}

export interface PageAnalysis extends PageFacts {
  readonly markdown: { readonly raw: string; readonly fit: string }
  readonly fit: FitContent
  /** null when the whole page was converted */
  readonly trim: HtmlTrim | null
}

const noted = (markdown: string, trim: HtmlTrim | null) => (trim ? `${markdown}\n\n${trimNote(trim)}` : markdown)
const withNote = (markdown: string, page: ParsedPage) => noted(markdown, page.trim)

function raw(page: ParsedPage, convert: MarkdownConverter): string {
  return withNote(convert(page.document.body), page)
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

/** The main content as Markdown, HTML and plain text, from one extraction. */
export function fitContent(html: string, pageUrl: string, o: ContentOptions = {}): FitContent {
  new URL(pageUrl) // throws on a bad URL before any parsing work, as the other entries do
  const max = o.maxHtmlChars ?? DEFAULT_MAX_HTML_CHARS
  // the cap is on the page's own characters: a page over it is cut, and read without its signals
  const capped = html.length > max ? capHtml(stripSignals(html), max) : capHtml(html, max)
  const main = extractMain(capped.html, pageUrl, { seenElsewhere: o.seenElsewhere })
  const fragment = parseHtml(main.html, pageUrl)
  let markdown = createMarkdownConverter(main.baseUrl)(fragment.document.body)
  // the extractor drops the heading that repeats the page title; a reader of the Markdown still wants it
  if (main.title && !markdown.slice(0, main.title.length + 200).includes(main.title)) markdown = `# ${main.title}\n\n${markdown}`
  return { markdown: noted(markdown, capped.trim), html: main.html, text: main.text, fingerprints: main.fingerprints }
}

export function fitMarkdown(html: string, pageUrl: string, o: ContentOptions = {}): string {
  return fitContent(html, pageUrl, o).markdown
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

/** /md's answer: the Markdown, and for fit the main content's plain text (null for the other filters). */
export function renderMd(html: string, pageUrl: string, filter: ContentFilter, query?: string | null, o: ContentOptions = {}): { markdown: string; text: string | null } {
  if (filter !== 'fit') return { markdown: renderMarkdown(html, pageUrl, filter, query, o), text: null }
  const fit = fitContent(html, pageUrl, o)
  return { markdown: fit.markdown, text: fit.text }
}

/** Markdown alone: throws InvalidFieldError('q') for bm25 without a query. */
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

/** /crawl's per-page outputs: facts and raw from one parse, fit from the extractor's own. */
export function analysePage(html: string, pageUrl: string, o: ContentOptions = {}): PageAnalysis {
  // raw and the facts are the page as served: the signals are the extractor's alone
  const page = parseHtml(stripSignals(html), pageUrl, o)
  const facts = collectPageFacts(page.document, page.baseUrl, page.pageUrl)
  const rawMd = raw(page, createMarkdownConverter(page.baseUrl))
  const fit = fitContent(html, pageUrl, o)
  return { ...facts, markdown: { raw: rawMd, fit: fit.markdown }, fit, trim: page.trim }
}
