// Cleaning inside the chosen story, bottom up. Readability's conditional rules (link-heavy
// containers, image galleries without text, lone embeds) plus what the rendered page knows: a block
// placed beside the story's text column is a rail, not the story; a short block set smaller than the
// body text is a credit, a dateline or a label. Code, tables of data and semantic captions stay.
import type { Box } from '../signals.ts'
import { BLOCK_TAGS, classWeight, isTaskCheckbox, looksLikeByline } from './classify.ts'
import { isElement, isText, remove, textOf, type AnyNode, type Element } from './dom.ts'
import { collapsedLength } from './measure.ts'
import { sameFont } from './score.ts'

export interface Column {
  readonly left: number
  readonly right: number
}

export interface CleanContext {
  readonly box: (el: Element) => Box | null
  readonly bodyFont: number | null
  readonly column: Column | null
  readonly scores: Map<Element, number>
  /** normalised text of the page title, to drop the heading that repeats it */
  readonly title: string | null
  /** fingerprints of blocks seen on other pages of the same site */
  readonly repeated: ReadonlySet<string> | null
  /** characters of the story before cleaning: a subtree holding most of it is never dropped whole */
  readonly storyChars: number
  /** captions found (figcaption, caption-named blocks): kept in the HTML, left out of the plain text */
  readonly captions: Set<Element>
  /** set to the text of the heading dropped as the page title */
  titleHeading?: string
  /** told of every subtree dropped, and why (for debugging) */
  readonly onDrop?: (el: Element, why: string) => void
}

interface Counts {
  chars: number
  linkChars: number
  commas: number
  listChars: number
  p: number
  img: number
  li: number
  input: number
  embed: number
  code: boolean
  /** characters in text directly inside or in inline children: the part set in this element's own font */
  inlineChars: number
}

/** containers judged by what they hold (Readability's conditional cleaning) */
const CONDITIONAL = new Set(['div', 'section', 'ul', 'ol', 'dl', 'table', 'form', 'fieldset', 'aside', 'header', 'footer', 'center'])
const EMBEDS = new Set(['object', 'embed', 'iframe', 'video', 'audio'])
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'])
/** never judged by size or place: what a page shows as data, code or a caption */
const PROTECTED = new Set(['pre', 'code', 'table', 'figcaption', 'caption', 'math', 'sup', 'sub', 'tr', 'td', 'th', 'thead', 'tbody'])
const COMMAS = /[,，、،]/g
/** a short line that only announces something else: a teaser, a promotion, a date stamp */
const ANNOUNCEMENT = /^(related( stories| articles| posts| coverage)?|read (more|next|also)|more( on)? |see (more|also)|also read|recommended|you (may|might) (also )?like|most (read|popular)|trending|click here|sign up|subscribe|follow us|published|updated|posted|last updated|advertisement|sponsored|don'?t miss|leggi anche|veja também|leia também|lesen sie auch|lire aussi|читайте также)\b/i
/** a short line that opens with a date, or with "By <Name>": a dateline or a byline */
const DATELINE = /^(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}|\d{1,2}\.? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4})\b/i
const BYLINE_TEXT = /^(by|von|por|par|di|door) \p{Lu}/u
const CAPTION_WORDS = /caption/i
const CREDIT_WORDS = /credit|copyright/i
const BIO_WORDS = /(^|[\s_-])(bio|biography|author-?info|about-?the-?author|contributor|author-?bio)s?($|[\s_-])/i
/** a heading that opens a section about other pages: it and everything after it in its container go */
const ELSEWHERE_HEADING = /^(related( stories| articles| posts| content| coverage| reading)?|you (may|might) (also )?(like|enjoy)|more (from|on|in|great|stories|news|articles)\b|recommended|recommendations|read (more|next)|most (read|popular|viewed)|trending|popular (now|stories)|also on|elsewhere on|further reading|other stories|don'?t miss|você pode gostar|veja também|leia também|artigos relacionados|notícias relacionadas|articoli correlati|potrebbe interessarti|noticias relacionadas|te puede interesar|ähnliche artikel|das könnte sie auch interessieren|à lire aussi|sur le même sujet|читайте также|похожие (статьи|записи))/i

const normalise = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()

export function fingerprint(text: string): string {
  return normalise(text).slice(0, 200)
}

function isDataTable(t: Element, c: Counts): boolean {
  if (t.attribs.role === 'presentation' || t.attribs.datatable === '0') return false
  if (t.attribs.summary || hasDescendant(t, (e) => e.name === 'caption' || e.name === 'th' || e.name === 'thead' || e.name === 'col')) return true
  if (hasDescendant(t, (e) => e.name === 'table')) return false
  return c.chars > 0 && !c.img
}

function hasDescendant(el: Element, test: (e: Element) => boolean): boolean {
  for (const c of el.children) if (isElement(c) && (test(c) || hasDescendant(c, test))) return true
  return false
}

function inside(el: Element, names: ReadonlySet<string>): boolean {
  for (let p = el.parent; isElement(p); p = p.parent) if (names.has(p.name)) return true
  return false
}
const FIGURE = new Set(['figure'])

/** Cleans the subtree under `el` (not `el` itself); returns what is left of its counts. */
function clean(el: Element, ctx: CleanContext, protectedAbove: boolean): Counts {
  const c: Counts = { chars: 0, linkChars: 0, commas: 0, listChars: 0, p: 0, img: 0, li: 0, input: 0, embed: 0, code: false, inlineChars: 0 }
  const isProtected = protectedAbove || PROTECTED.has(el.name)
  const doomed: AnyNode[] = []
  for (const child of el.children) {
    if (isText(child)) {
      const n = collapsedLength(child.data)
      if (n === 0) continue
      c.chars += n
      c.inlineChars += n
      if (el.name === 'a') c.linkChars += n
      c.commas += child.data.match(COMMAS)?.length ?? 0
      continue
    }
    if (!(isElement(child))) continue
    const k = clean(child, ctx, isProtected)
    const why = isProtected ? null : dropReason(child, k, ctx)
    if (why) {
      ctx.onDrop?.(child, why)
      doomed.push(child)
      continue
    }
    c.chars += k.chars
    if (!BLOCK_TAGS.has(child.name)) c.inlineChars += k.chars
    c.linkChars += child.name === 'a' ? k.chars : k.linkChars
    c.commas += k.commas
    c.listChars += child.name === 'ul' || child.name === 'ol' ? k.chars : k.listChars
    // Readability counts a block of bare text as the paragraph it turns it into
    c.p += k.p + (child.name === 'p' || (BLOCK_TAGS.has(child.name) && k.inlineChars >= 25) ? 1 : 0)
    c.img += k.img + (child.name === 'img' ? 1 : 0)
    c.li += k.li + (child.name === 'li' ? 1 : 0)
    c.input += k.input + (child.name === 'input' && !isTaskCheckbox(child) ? 1 : 0)
    c.embed += k.embed + (EMBEDS.has(child.name) ? 1 : 0)
    c.code ||= k.code || child.name === 'pre' || child.name === 'code'
  }
  for (const d of doomed) remove(d)
  dropAfterElsewhereHeading(el, ctx)
  return c
}

/** A heading such as "Related stories" opens the rest of its container to other pages: that rest goes. */
function dropAfterElsewhereHeading(el: Element, ctx: CleanContext): void {
  const kids = el.children
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!
    if (!isElement(k) || !(HEADINGS.has(k.name) || (BLOCK_TAGS.has(k.name) && k.name !== 'ul' && k.name !== 'ol'))) continue
    const t = textOf(k)
    // "Related post: <a title>" is one teaser, not a section
    if (t.length === 0 || t.length > 50 || !ELSEWHERE_HEADING.test(t) || /[:|]\s*\S/.test(t)) continue
    const rest = kids.slice(i).filter(isElement)
    for (const r of rest) {
      ctx.onDrop?.(r, 'after a related heading')
      remove(r)
    }
    return
  }
}

/** why the subtree goes, or null when it stays */
function dropReason(el: Element, c: Counts, ctx: CleanContext): string | null {
  const tag = el.name
  if (c.chars === 0 && c.img === 0 && !c.code && !KEEP_EMPTY.has(tag)) return 'empty'
  const box = ctx.box(el)
  // beside the story's text column: a rail or a floated teaser
  if (box && ctx.column && c.chars <= ctx.storyChars * 0.5 && box.width > 0 && (box.x >= ctx.column.right - 2 || box.x + box.width <= ctx.column.left + 2)) return 'beside the column'
  if (ctx.repeated && c.chars >= 15 && c.chars <= 600 && ctx.repeated.has(fingerprint(textOf(el)))) return 'seen on other pages'
  if (HEADINGS.has(tag)) {
    if (classWeight(el) < 0) return 'heading class'
    if (ctx.title && (tag === 'h1' || tag === 'h2') && normalise(textOf(el)) === ctx.title) {
      ctx.titleHeading ??= textOf(el)
      return 'the title'
    }
    return null
  }
  if (c.code) return null
  const words = `${el.attribs.class ?? ''} ${el.attribs.id ?? ''}`
  if (CREDIT_WORDS.test(words) && c.chars < 200) return 'credit'
  if (tag === 'figcaption' || (CAPTION_WORDS.test(words) && c.chars < 600)) {
    ctx.captions.add(el)
    return null
  }
  if (c.chars > ctx.storyChars * 0.5) return null
  // the story's own header: headline, standfirst, byline, date (a reader has them apart, as the title)
  if (tag === 'header' && c.chars < ctx.storyChars * 0.3) return 'story header'
  if (looksLikeByline(el) && c.chars < 200) return 'byline'
  if (BIO_WORDS.test(words) && c.chars < 800) return 'author bio'
  if (BLOCK_TAGS.has(tag) && c.chars < 250 && c.linkChars >= c.chars * 0.7 && tag !== 'ul' && tag !== 'ol' && tag !== 'table') return 'a line of links'
  if (BLOCK_TAGS.has(tag) && c.chars < 160) {
    const t = textOf(el)
    if (ANNOUNCEMENT.test(t)) return 'announcement'
    if (DATELINE.test(t) || (c.chars < 100 && BYLINE_TEXT.test(t))) return 'dateline'
  }
  // a short line set smaller than the body text: a credit, a dateline, a label
  if (box && c.inlineChars * 2 >= c.chars && ctx.bodyFont && sameFont(box.fontSize, ctx.bodyFont) === false && box.fontSize < ctx.bodyFont && !inside(el, FIGURE) && tag !== 'a' && tag !== 'li') {
    // much smaller: fine print of any length (a company boilerplate, a disclaimer); a little smaller: short lines only
    if (c.chars < 160 || box.fontSize <= ctx.bodyFont * 0.8) return 'small print'
  }
  if (!CONDITIONAL.has(tag)) return null
  if (tag === 'table' && isDataTable(el, c)) return null
  const weight = classWeight(el)
  const score = ctx.scores.get(el) ?? 0
  if (weight < 0 && weight + score < 0) return 'class weight'
  if (c.commas >= 10) return null
  const ld = c.chars > 0 ? c.linkChars / c.chars : 0
  const isList = tag === 'ul' || tag === 'ol' || (c.chars > 0 && c.listChars / c.chars > 0.9)
  const inFigure = inside(el, FIGURE)
  if (isList && ld > 0.5 && c.li > 0 && c.chars / c.li < 120) return 'list of links'
  if (c.img > 1 && c.p / c.img < 0.5 && c.chars < 100 * c.img && !inFigure) return 'images'
  if (c.input > Math.floor(c.p / 3)) return 'inputs'
  if (!isList && c.chars < 25 && (c.img === 0 || c.img > 2) && !inFigure) return 'little text'
  if (!isList && weight < 25 && ld > 0.2) return 'links'
  if (weight >= 25 && ld > 0.5) return 'links'
  if ((c.embed === 1 && c.chars < 75) || c.embed > 1) return 'embeds'
  return null
}

const KEEP_EMPTY = new Set(['br', 'hr', 'img', 'td', 'th', 'picture', 'source', 'input'])

/** Cleans each of the story's top elements in place; returns those that still hold something. */
export function cleanContent(nodes: readonly Element[], ctx: CleanContext): Element[] {
  const kept: Element[] = []
  for (const n of nodes) {
    const c = clean(n, ctx, false)
    const why = PROTECTED.has(n.name) ? null : dropReason(n, c, ctx)
    if (why) ctx.onDrop?.(n, why)
    else kept.push(n)
  }
  return kept
}
