import { own } from '../../contract/crawl4ai/serialization.ts'

// crawl4ai's PruningContentFilter (content_filter_strategy.py): every node gets a score from its
// text density, link density, tag, class/id and text length; nodes under the threshold are removed,
// top-down. What is left of the body's children is the fit content.

export interface PruningOptions {
  readonly minWordThreshold?: number
  readonly thresholdType?: 'fixed' | 'dynamic'
  /** @default 0.48 */
  readonly threshold?: number
  readonly preserveClasses?: readonly string[]
  readonly preserveTags?: readonly string[]
}

export const FILTER_EXCLUDED_TAGS = ['nav', 'footer', 'header', 'aside', 'script', 'style', 'form', 'iframe', 'noscript']
export const NEGATIVE_PATTERNS = /nav|footer|header|sidebar|ads|comment|promo|advert|social|share/i
const TAG_IMPORTANCE: Record<string, number> = { article: 1.5, main: 1.4, section: 1.3, p: 1.2, h1: 1.4, h2: 1.3, h3: 1.2, div: 0.7, span: 0.6 }
const TAG_WEIGHTS: Record<string, number> = {
  div: 0.5, p: 1.0, article: 1.5, section: 1.0, span: 0.3, li: 0.5, ul: 0.5, ol: 0.5, h1: 1.2, h2: 1.1, h3: 1.0, h4: 0.9, h5: 0.8, h6: 0.7,
}

const textLen = (el: Element) => (el.textContent ?? '').replace(/\s+/g, '').length

// Python's re.match: the pattern anchored at the start
const NEGATIVE_AT_START = new RegExp(`^(?:${NEGATIVE_PATTERNS.source})`, 'i')

function classIdWeight(el: Element): number {
  let w = 0
  if (NEGATIVE_AT_START.test(el.getAttribute('class') ?? '')) w -= 0.5
  if (NEGATIVE_AT_START.test(el.getAttribute('id') ?? '')) w -= 0.5
  return w
}

function score(el: Element, o: PruningOptions): number {
  const tag = el.tagName.toLowerCase()
  const tLen = textLen(el)
  if (o.minWordThreshold) {
    const words = (el.textContent ?? '').trim().split(/\s+/).filter(Boolean).length
    if (words < o.minWordThreshold) return -1
  }
  const tagLen = el.innerHTML.length
  let linkLen = 0
  for (const a of el.children) if (a.tagName === 'A') linkLen += (a.textContent ?? '').trim().length
  const density = tagLen > 0 ? tLen / tagLen : 0
  const linkDensity = 1 - (tLen > 0 ? linkLen / tLen : 0)
  const total = 0.4 * density + 0.2 * linkDensity + 0.2 * (own(TAG_WEIGHTS, tag) ?? 0.5) + 0.1 * Math.max(0, classIdWeight(el)) + 0.1 * Math.log(tLen + 1)
  return total / 1.0
}

function threshold(el: Element, o: PruningOptions): number {
  const base = o.threshold ?? 0.48
  if (o.thresholdType !== 'dynamic') return base
  const tag = el.tagName.toLowerCase()
  const tLen = textLen(el)
  const tagLen = el.innerHTML.length
  let linkLen = 0
  for (const a of el.children) if (a.tagName === 'A') linkLen += (a.textContent ?? '').trim().length
  let t = base
  if ((own(TAG_IMPORTANCE, tag) ?? 0.7) > 1) t *= 0.8
  if ((tagLen > 0 ? tLen / tagLen : 0) > 0.4) t *= 0.9
  if ((tLen > 0 ? linkLen / tLen : 1) > 0.6) t *= 1.2
  return t
}

function preserved(el: Element, o: PruningOptions): boolean {
  if (o.preserveTags?.includes(el.tagName.toLowerCase())) return true
  const classes = (el.getAttribute('class') ?? '').split(/\s+/)
  return o.preserveClasses?.some((c) => classes.includes(c)) ?? false
}

function prune(el: Element, o: PruningOptions): void {
  if (preserved(el, o)) return
  if (score(el, o) < threshold(el, o)) {
    el.remove()
    return
  }
  for (const child of [...el.children]) prune(child, o)
}

/** Mutates `body`; the HTML of each remaining top-level block that still holds text. */
export function pruneContent(body: Element, o: PruningOptions = {}): string[] {
  for (const tag of FILTER_EXCLUDED_TAGS) for (const el of [...body.querySelectorAll(tag)]) el.remove()
  for (const child of [...body.children]) prune(child, o)
  return [...body.children].filter((c) => (c.textContent ?? '').trim()).map((c) => c.outerHTML)
}
