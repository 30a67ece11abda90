import type { Page } from 'playwright-core'
import { BOX_ATTR, HIDDEN_ATTR, PAGE_ATTR } from '../content/signals.ts'

// One evaluate pass over the rendered page, just before it is serialized: what only the live page
// knows (what is shown, where, at what font size) is written as data attributes on the elements
// themselves (see runner/content/signals.ts), so the extractor reads it from the HTML string alone
// and can run anywhere (a worker thread) on plain data.

export interface SignalStats {
  readonly elements: number
  readonly boxes: number
  readonly hidden: number
  /** the walk stopped at `maxElements`; elements after that carry no box */
  readonly truncated: boolean
  readonly ms: number
}

/** Elements the pass looks at; past this a page is marked only partly, which the extractor reads as "unknown". */
export const DEFAULT_MAX_SIGNAL_ELEMENTS = 20_000

interface InPageOptions {
  readonly page: string
  readonly hidden: string
  readonly box: string
  readonly maxElements: number
}

/**
 * Runs in the page: no outside names. Walks the body depth first, once. A subtree that is not
 * rendered (display none, visibility hidden, clipped to nothing, placed off the page) is marked
 * at its top and not entered; every other box that is not inline gets its place and font size.
 * Opacity is not read: pages fade content in on scroll, so transparent is not hidden.
 */
function markInPage(o: InPageOptions): SignalStats {
  const started = performance.now()
  const body = document.body
  const root = document.documentElement
  if (!body || !root) return { elements: 0, boxes: 0, hidden: 0, truncated: false, ms: 0 }
  const sx = window.scrollX
  const sy = window.scrollY
  const docWidth = Math.max(root.scrollWidth, body.scrollWidth, window.innerWidth)
  const docHeight = Math.max(root.scrollHeight, body.scrollHeight, window.innerHeight)
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'LINK', 'META', 'svg', 'SVG', 'IFRAME', 'OBJECT', 'CANVAS', 'VIDEO', 'AUDIO', 'SELECT', 'BR', 'WBR', 'IMG', 'INPUT'])
  // read everything first, write after: no attribute change lands between two style reads
  const hiddenEls: Element[] = []
  const hiddenWhy: string[] = []
  const boxEls: Element[] = []
  const boxValues: string[] = []
  let elements = 0
  let truncated = false
  const stack: Element[] = []
  for (let c = body.lastElementChild; c; c = c.previousElementSibling) stack.push(c)
  while (stack.length > 0) {
    const el = stack.pop()!
    if (skip.has(el.tagName)) continue
    if (++elements > o.maxElements) {
      truncated = true
      break
    }
    const cs = getComputedStyle(el)
    const display = cs.display
    let why = ''
    if (display === 'none') why = 'display'
    else if (cs.visibility === 'hidden' || cs.visibility === 'collapse') why = 'visibility'
    let r: DOMRect | null = null
    // inline boxes are neither measured nor checked for clipping (a clipped "sr-only" span is
    // positioned absolutely, which makes it a block); content-visibility does not apply to them
    if (!why && display !== 'contents' && display !== 'inline') {
      if (cs.contentVisibility === 'hidden') why = 'visibility'
      else {
        r = el.getBoundingClientRect()
        // overflow and clip are read only for a box of (almost) no size: most boxes never need them
        if ((r.width <= 1 || r.height <= 1) && (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || cs.clip.startsWith('rect(0'))) why = 'clipped'
        else if (r.right + sx <= 0 || r.bottom + sy <= 0 || r.left + sx >= docWidth) why = 'offpage'
      }
    }
    if (why) {
      hiddenEls.push(el)
      hiddenWhy.push(why)
      continue
    }
    if (r && r.width > 0 && r.height > 0) {
      const fs = Math.round(parseFloat(cs.fontSize) * 10) / 10
      boxEls.push(el)
      boxValues.push(`${Math.round(r.left + sx)},${Math.round(r.top + sy)},${Math.round(r.width)},${Math.round(r.height)},${fs}`)
    }
    for (let c = el.lastElementChild; c; c = c.previousElementSibling) stack.push(c)
  }
  for (let i = 0; i < hiddenEls.length; i++) hiddenEls[i]!.setAttribute(o.hidden, hiddenWhy[i]!)
  for (let i = 0; i < boxEls.length; i++) boxEls[i]!.setAttribute(o.box, boxValues[i]!)
  root.setAttribute(o.page, `${window.innerWidth},${window.innerHeight},${docWidth},${docHeight}`)
  return { elements, boxes: boxEls.length, hidden: hiddenEls.length, truncated, ms: Math.round((performance.now() - started) * 10) / 10 }
}

/**
 * Runs in the page: removes what the extractor drops whatever it holds (scripts, style sheets,
 * noscript, templates, inline SVG, comments), which is 40–60 % of a news page's serialized bytes.
 * For a page that is read once more and then closed: its styles are gone after this.
 */
function stripForExtractorInPage(): void {
  for (const el of Array.from(document.querySelectorAll('script, style, noscript, template, svg'))) el.remove()
  const comments: Node[] = []
  const walker = document.createTreeWalker(document.documentElement ?? document, NodeFilter.SHOW_COMMENT)
  while (walker.nextNode()) comments.push(walker.currentNode)
  for (const c of comments) c.parentNode?.removeChild(c)
}

// tsx (esbuild keepNames) wraps inner functions in __name(); the page has no such helper
const NO_NAME = 'const __name = (f) => f;'
const markCall = (o: InPageOptions) => `(${markInPage.toString()})(${JSON.stringify(o)})`
const SCRIPT = (o: InPageOptions) => `(() => { ${NO_NAME} return ${markCall(o)} })()`
const inPageOptions = (maxElements: number): InPageOptions => ({ page: PAGE_ATTR, hidden: HIDDEN_ATTR, box: BOX_ATTR, maxElements })

/**
 * The page script that readies a page read only by the main-content extractor (/md fit, /llm):
 * the signal pass, then what the extractor drops removed. It runs in the same evaluate that
 * serializes the page (settledContent's `prepare`), so it costs no round trip of its own and a
 * document that replaced the first is marked too. A pass that throws leaves the page as it is.
 */
export function extractorPreparation(maxElements = DEFAULT_MAX_SIGNAL_ELEMENTS): string {
  return `${NO_NAME} try { ${markCall(inPageOptions(maxElements))}; (${stripForExtractorInPage.toString()})() } catch {}`
}

/**
 * Marks the page for the extractor. Best effort: a page that navigates away or throws in the
 * middle leaves no or partial marks, and the extractor then works from the markup alone. A page
 * that is gone (closed by the deadline) fails the serialization that follows, not this.
 */
export async function collectSignals(page: Page, maxElements = DEFAULT_MAX_SIGNAL_ELEMENTS): Promise<SignalStats | null> {
  try {
    return (await page.evaluate(SCRIPT(inPageOptions(maxElements)))) as SignalStats
  } catch {
    return null
  }
}
