// Readability-class scoring on the measured tree: every paragraph gives points to its ancestors,
// the best-scored container (after a link-density penalty) is the story, and its siblings that
// score close to it join. The rendered page adds one input: a paragraph set in the page's body-text
// font counts in full; one in another size (captions, teasers, bylines) counts less.
import type { Box } from '../signals.ts'
import { classWeight, PARAGRAPH_TAGS } from './classify.ts'
import { isElement, type Element, type ParentNode } from './dom.ts'
import type { Measured, Stats } from './measure.ts'

export interface Paragraph {
  /** the element scored: a paragraph element, or a container scored for its own inline text */
  readonly el: Element
  /** whose inline text it is, when `el` holds block children too */
  readonly inline: boolean
  readonly chars: number
  readonly linkChars: number
  readonly commas: number
}

const SCORED_TAGS = new Set(['p', 'pre', 'td', 'blockquote'])
const CONTAINER_TAGS = new Set(['div', 'section', 'article', 'main', 'span', 'font', 'center', 'dd', 'li'])

/** The paragraphs of the tree, in document order. */
export function paragraphsOf(root: Element, m: Measured): Paragraph[] {
  const out: Paragraph[] = []
  const walk = (el: Element) => {
    const s = m.stats.get(el)
    if (!s) return
    if (SCORED_TAGS.has(el.name) || (CONTAINER_TAGS.has(el.name) && !s.hasBlocks)) {
      if (s.chars >= 25) out.push({ el, inline: false, chars: s.chars, linkChars: s.linkChars, commas: s.commas })
      if (el.name !== 'blockquote' && el.name !== 'td') return
    } else if (CONTAINER_TAGS.has(el.name) && s.inlineChars >= 25) {
      out.push({ el, inline: true, chars: s.inlineChars, linkChars: 0, commas: 0 })
    }
    for (const c of el.children) if (isElement(c)) walk(c)
  }
  walk(root)
  return out
}

/** The font size most body text is set in (by characters, 0.5 px buckets); null without signals. */
export function bodyFontSize(paragraphs: readonly Paragraph[], box: (el: Element) => Box | null): number | null {
  const weight = new Map<number, number>()
  for (const p of paragraphs) {
    if (p.chars < 80 || p.linkChars > p.chars * 0.3) continue
    const fs = box(p.el)?.fontSize
    if (!fs) continue
    const k = Math.round(fs * 2) / 2
    weight.set(k, (weight.get(k) ?? 0) + p.chars)
  }
  let best: number | null = null
  let bestW = 0
  for (const [k, w] of weight) if (w > bestW) [best, bestW] = [k, w]
  return best
}

export const sameFont = (fs: number | undefined, body: number | null): boolean | null =>
  fs === undefined || body === null ? null : Math.abs(fs - body) <= Math.max(1, body * 0.08)

function tagBase(tag: string): number {
  switch (tag) {
    case 'div':
    case 'article':
    case 'section':
      return 5
    case 'pre':
    case 'td':
    case 'blockquote':
      return 3
    case 'address':
    case 'ol':
    case 'ul':
    case 'dl':
    case 'dd':
    case 'dt':
    case 'li':
    case 'form':
      return -3
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6':
    case 'th':
      return -5
    default:
      return 0
  }
}

export const linkDensity = (s: Stats | undefined): number => (s && s.chars > 0 ? s.linkChars / s.chars : 0)

export interface Chosen {
  /** the story's elements, in document order: the top candidate and the siblings that joined it */
  readonly nodes: Element[]
  readonly top: Element
  readonly scores: Map<Element, number>
  readonly bodyFont: number | null
}

/** null when nothing on the page scores (no paragraph of 25 characters) */
export function chooseContent(root: Element, m: Measured, paragraphs: readonly Paragraph[]): Chosen | null {
  const bodyFont = bodyFontSize(paragraphs, m.box)
  const scores = new Map<Element, number>()
  const init = (el: Element) => {
    let s = scores.get(el)
    if (s === undefined) scores.set(el, (s = tagBase(el.name) + classWeight(el)))
    return s
  }
  for (const p of paragraphs) {
    const same = sameFont(m.box(p.el)?.fontSize, bodyFont)
    const points = (1 + p.commas + Math.min(3, Math.floor(p.chars / 100))) * (same === false ? 0.5 : 1)
    let anc: ParentNode | null = p.inline ? p.el : p.el.parent
    for (let level = 0; isElement(anc) && level < 5; level++, anc = anc.parent) {
      if (!m.stats.has(anc)) break
      init(anc)
      scores.set(anc, scores.get(anc)! + points / (level === 0 ? 1 : level === 1 ? 2 : level * 3))
    }
  }
  if (scores.size === 0) return null
  const final = new Map<Element, number>()
  for (const [el, s] of scores) final.set(el, s * (1 - linkDensity(m.stats.get(el))))
  const ranked = [...final].sort((a, b) => b[1] - a[1])
  let top = ranked[0]![0]
  const topScore = ranked[0]![1]

  // three or more near-equal candidates under one ancestor: the story is that ancestor (sections of one article)
  const rivals = ranked.slice(1, 5).filter(([, s]) => s >= topScore * 0.75).map(([el]) => el)
  if (rivals.length >= 3) {
    for (let anc = top.parent; isElement(anc) && anc !== root; anc = anc.parent) {
      if (rivals.filter((r) => isAncestor(anc as Element, r)).length >= 3) {
        top = anc
        break
      }
    }
  }
  // climb while a parent scores more than the candidate (Readability's rule)
  let last = final.get(top) ?? 0
  const floor = last / 3
  for (let p = top.parent; isElement(p) && p !== root; p = p.parent) {
    const ps = final.get(p)
    if (ps === undefined) continue
    if (ps < floor) break
    if (ps > last) {
      top = p
      break
    }
    last = ps
  }
  // a story split over containers of its own (chunks between ads): their nearest common ancestor,
  // when it holds little else
  for (const [el, sc] of ranked.slice(1, 8)) {
    if (sc < (final.get(top) ?? 0) * 0.4) break
    if (isAncestor(top, el) || isAncestor(el, top) || el === top) continue
    const chars = (x: Element) => m.stats.get(x)?.chars ?? 0
    // a part, not a label that scores on its class name alone
    if (chars(el) < Math.max(300, chars(top) * 0.2)) continue
    const lca = commonAncestor(top, el)
    if (lca && lca !== root && chars(lca) <= (chars(top) + chars(el)) * 1.3) top = lca
  }
  // an only child stands for its parent
  while (isElement(top.parent) && top.parent !== root && elementCount(top.parent) === 1) top = top.parent

  return { nodes: gatherSiblings(top, final, m), top, scores: final, bodyFont }
}

function isAncestor(anc: Element, el: Element): boolean {
  for (let p = el.parent; p; p = p.parent) if (p === anc) return true
  return false
}

function commonAncestor(a: Element, b: Element): Element | null {
  const mine = new Set<ParentNode>()
  for (let p: ParentNode | null = a; p; p = p.parent) mine.add(p)
  for (let p: ParentNode | null = b; p; p = p.parent) if (mine.has(p) && isElement(p)) return p
  return null
}

function elementCount(n: ParentNode): number {
  let k = 0
  for (const c of n.children) if (isElement(c)) k++
  return k
}

function gatherSiblings(top: Element, final: Map<Element, number>, m: Measured): Element[] {
  const parent = top.parent
  if (!(isElement(parent))) return [top]
  const topScore = final.get(top) ?? 0
  const threshold = Math.max(10, topScore * 0.2)
  const topClass = top.attribs.class ?? ''
  const out: Element[] = []
  for (const sib of parent.children) {
    if (!(isElement(sib))) continue
    if (sib === top) {
      out.push(sib)
      continue
    }
    const s = m.stats.get(sib)
    if (!s) continue
    const bonus = topClass && sib.attribs.class === topClass ? topScore * 0.2 : 0
    const score = final.get(sib)
    if (score !== undefined && score + bonus >= threshold) {
      out.push(sib)
      continue
    }
    // a part of the story in a wrapper of its own (sections split by figures or ads)
    if (s.longParagraphs >= 2 && linkDensity(s) < 0.2) {
      out.push(sib)
      continue
    }
    if (sib.name === 'p' || (PARAGRAPH_TAGS.has(sib.name) && sib.name !== 'li')) {
      const ld = linkDensity(s)
      if ((s.chars > 80 && ld < 0.25) || (s.chars > 0 && s.chars <= 80 && ld === 0 && /\.( |$)/.test(textTail(sib)))) out.push(sib)
    }
  }
  return out
}

function textTail(el: Element): string {
  let t = ''
  const walk = (n: Element) => {
    for (const c of n.children) {
      if (isElement(c)) walk(c)
      else if ('data' in c && c.type === 'text') t += (c as { data: string }).data
    }
  }
  walk(el)
  return t.replace(/\s+/g, ' ').trim()
}
