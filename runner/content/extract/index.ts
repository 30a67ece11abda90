// The main-content extractor: a pure function of the page's HTML (with the rendered-page signals
// written into it by runner/pages/collect-signals.ts, or without them), its URL and what other
// pages of the same site showed. No browser, no DOM library, no state: it can run in a worker.
import { stripSignals } from '../signals.ts'
import { cleanContent, fingerprint, type CleanContext, type Column } from './clean.ts'
import { findFirst, isElement, parse, serialize, textOf, type Element, type ParentNode } from './dom.ts'
import { measure, type Measured } from './measure.ts'
import { chooseContent, paragraphsOf, sameFont, type Paragraph } from './score.ts'
import { toPlainText } from './text.ts'

export interface ExtractOptions {
  /**
   * Fingerprints of blocks seen on other pages of the same site (from their results'
   * `fingerprints`): such blocks are boilerplate here. Ignored when they would take most of the page.
   */
  readonly seenElsewhere?: readonly string[]
  /** told of what cleaning dropped inside the story, and why (debugging) */
  readonly onDrop?: (el: Element, why: string) => void
  /** told of the story's container (debugging) */
  readonly onChosen?: (top: Element, nodes: readonly Element[]) => void
}

export type ExtractMethod = 'scored' | 'whole-page'

export interface MainContent {
  /** the main content's HTML: the page's own markup, cleaned (crawl4ai's fit_html) */
  readonly html: string
  /** its plain text */
  readonly text: string
  /** the story's headline: the heading dropped for repeating the page title, else og:title, else <title> */
  readonly title: string | null
  /** what the page's relative URLs resolve against: its <base href>, else its URL */
  readonly baseUrl: string
  readonly method: ExtractMethod
  /** whether the rendered-page signals were present and used */
  readonly signals: boolean
  /** fingerprints of this page's text blocks, to pass as `seenElsewhere` for other pages of the site */
  readonly fingerprints: string[]
}

const normalise = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()

function pageTitle(doc: ParentNode): string | null {
  const t = findFirst(doc, 'title')
  const text = t ? textOf(t) : ''
  return text || null
}

interface Page {
  readonly body: Element
  readonly title: string | null
  readonly ogTitle: string | null
  readonly baseHref: string | null
  readonly signals: boolean
}

function metaContent(head: Element | null, property: string): string | null {
  if (!head) return null
  for (const c of head.children) {
    if (isElement(c) && c.name === 'meta' && (c.attribs.property === property || c.attribs.name === property)) return c.attribs.content?.trim() || null
  }
  return null
}

function bodyOf(html: string): Page {
  let doc = parse(html)
  let body = findFirst(doc, 'body')
  if (!body) {
    doc = parse(`<html><head></head><body>${html}</body></html>`)
    body = findFirst(doc, 'body')!
  }
  const root = findFirst(doc, 'html')
  const head = findFirst(doc, 'head')
  return {
    body,
    title: pageTitle(doc),
    ogTitle: metaContent(head, 'og:title'),
    baseHref: (head && findFirst(head, 'base')?.attribs.href) || null,
    signals: root?.attribs['data-cf-page'] !== undefined,
  }
}

/** The x range most of the story's body text is set in; null without signals or with too little text. */
function textColumn(paragraphs: readonly Paragraph[], within: readonly Element[], m: Measured, bodyFont: number | null): Column | null {
  if (bodyFont === null) return null
  const inside = (el: Element) => {
    for (let p: ParentNode | null = el; isElement(p); p = p.parent) if (within.includes(p)) return true
    return false
  }
  const lefts: number[] = []
  const rights: number[] = []
  for (const p of paragraphs) {
    if (p.chars < 80 || p.linkChars > p.chars * 0.3) continue
    const b = m.box(p.el)
    if (!b || sameFont(b.fontSize, bodyFont) !== true || !inside(p.el)) continue
    lefts.push(b.x)
    rights.push(b.x + b.width)
  }
  if (lefts.length < 2) return null
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return { left: median(lefts), right: median(rights) }
}

function titleKey(title: string | null): string | null {
  if (!title) return null
  // "Story headline | Site" and "Story headline - Site": the heading repeats the longest part
  const parts = title.split(/\s+[|\-–—:·»]\s+/).map(normalise)
  return parts.sort((a, b) => b.length - a.length)[0] || null
}

function resolve(href: string | null, base: string): string {
  if (!href) return base
  try {
    return new URL(href, base).href
  } catch {
    return base
  }
}

export function extractMain(html: string, pageUrl: string, o: ExtractOptions = {}): MainContent {
  let page = bodyOf(html)
  let m = measure(page.body)
  // a page whose content the pass saw hidden (a body kept invisible until a blocked script ran): the signal is wrong there
  if (!m.stats.has(page.body) || (m.hiddenChars > 500 && (m.stats.get(page.body)?.chars ?? 0) < m.hiddenChars / 4)) {
    page = bodyOf(html)
    m = measure(page.body, { useHidden: false })
  }
  const paragraphs = paragraphsOf(page.body, m)
  const fingerprints = [...new Set(paragraphs.filter((p) => p.chars <= 600).map((p) => fingerprint(textOf(p.el))))]
  const chosen = chooseContent(page.body, m, paragraphs)
  const nodes = chosen ? chosen.nodes : [page.body]
  if (chosen) o.onChosen?.(chosen.top, chosen.nodes)
  const repeated = repeatedBlocks(o.seenElsewhere, fingerprints)
  const captions = new Set<Element>()
  const ctx: CleanContext = {
    storyChars: nodes.reduce((n, el) => n + (m.stats.get(el)?.chars ?? 0), 0),
    captions,
    box: m.box,
    bodyFont: chosen?.bodyFont ?? null,
    column: chosen ? textColumn(paragraphs, chosen.nodes, m, chosen.bodyFont) : null,
    scores: chosen?.scores ?? new Map(),
    title: titleKey(page.title),
    repeated,
    onDrop: o.onDrop,
  }
  const kept = cleanContent(nodes, ctx)
  return {
    html: stripSignals(serialize(kept)),
    text: toPlainText(kept, captions),
    title: ctx.titleHeading ?? page.ogTitle ?? page.title,
    baseUrl: resolve(page.baseHref, pageUrl),
    method: chosen ? 'scored' : 'whole-page',
    signals: page.signals,
    fingerprints,
  }
}

/** The blocks of this page also seen elsewhere, unless they are most of it (the same page twice). */
function repeatedBlocks(seen: readonly string[] | undefined, mine: readonly string[]): ReadonlySet<string> | null {
  if (!seen || seen.length === 0) return null
  const s = new Set(seen)
  const shared = mine.filter((f) => s.has(f))
  return shared.length > 0 && shared.length < mine.length / 2 ? new Set(shared) : null
}
