// One bottom-up pass over the page: drops what is never content (by tag, by markup, by what the
// rendered page hid, by chrome words) and counts, for every element left, the text a reader sees.
import { parseBox, HIDDEN_ATTR, BOX_ATTR, type Box } from '../signals.ts'
import { BLOCK_TAGS, chromeVerdict } from './classify.ts'
import { isElement, isText, remove, type AnyNode, type Element } from './dom.ts'

export interface Stats {
  /** characters of visible text, white space collapsed */
  chars: number
  /** of which inside links */
  linkChars: number
  commas: number
  /** characters of text directly in this element or in inline children, not in block children */
  inlineChars: number
  /** the element has block-level children */
  hasBlocks: boolean
  /** paragraphs (<p>) of 80 characters or more inside */
  longParagraphs: number
}

export interface Measured {
  readonly stats: Map<Element, Stats>
  /** characters of text in subtrees the rendered page hid */
  readonly hiddenChars: number
  readonly box: (el: Element) => Box | null
}

const COMMAS = /[,，、،]/g
const INLINE_SKIP = new Set(['br', 'wbr', 'img', 'hr'])

/** length of the text with every run of white space as one space; 0 for white space only */
export function collapsedLength(t: string): number {
  let n = 0
  let space = false
  let any = false
  for (let i = 0; i < t.length; i++) {
    const ch = t.charCodeAt(i)
    if (ch === 32 || ch === 10 || ch === 9 || ch === 13 || ch === 12 || ch === 160) {
      space = true
    } else {
      if (space) n++
      n++
      space = false
      any = true
    }
  }
  if (!any) return 0
  return space ? n + 1 : n
}

export interface MeasureOptions {
  /** drop subtrees the rendered page did not show @default true */
  readonly useHidden?: boolean
}

/** Mutates the tree under `root`: dropped subtrees are removed. */
export function measure(root: Element, o: MeasureOptions = {}): Measured {
  const stats = new Map<Element, Stats>()
  const boxes = new Map<Element, Box | null>()
  let hiddenChars = 0
  const useHidden = o.useHidden !== false

  const visit = (el: Element, inArticle: boolean, inLink: boolean): Stats | null => {
    if (el.type !== 'tag') return null // script, style
    const hidden = el.attribs[HIDDEN_ATTR] !== undefined
    const s: Stats = { chars: 0, linkChars: 0, commas: 0, inlineChars: 0, hasBlocks: false, longParagraphs: 0 }
    const article = inArticle || el.name === 'article' || el.name === 'main' || el.attribs.itemprop === 'articleBody'
    const link = inLink || (el.name === 'a' && el.attribs.href !== undefined)
    const doomed: AnyNode[] = []
    for (const c of el.children) {
      if (isText(c)) {
        const t = c.data
        const n = collapsedLength(t)
        if (n === 0) continue
        s.chars += n
        s.inlineChars += n
        if (link) s.linkChars += n
        s.commas += t.match(COMMAS)?.length ?? 0
      } else if (isElement(c)) {
        const cs = visit(c, article, link)
        if (!cs) {
          doomed.push(c)
          continue
        }
        s.chars += cs.chars
        s.linkChars += cs.linkChars
        s.commas += cs.commas
        s.longParagraphs += cs.longParagraphs
        if (BLOCK_TAGS.has(c.name)) s.hasBlocks = true
        else if (!INLINE_SKIP.has(c.name)) s.inlineChars += cs.chars
      } else {
        doomed.push(c) // comments, processing instructions
      }
    }
    for (const d of doomed) remove(d)
    if (el.name === 'p' && s.chars >= 80) s.longParagraphs++
    if (hidden && useHidden) {
      hiddenChars += s.chars
      return null
    }
    if (chromeVerdict(el, s.chars, s.longParagraphs, inArticle) === 'drop') return null
    stats.set(el, s)
    return s
  }

  visit(root, false, false)
  return {
    stats,
    hiddenChars,
    box: (el) => {
      let b = boxes.get(el)
      if (b === undefined) boxes.set(el, (b = parseBox(el.attribs[BOX_ATTR])))
      return b
    },
  }
}
