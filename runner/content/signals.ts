// Rendered-page signals as they travel from the page to the extractor: data attributes written on
// the live DOM by one evaluate pass (runner/pages/collect-signals.ts) just before the page is
// serialized, read back from the parsed HTML. They ride on their own elements, so no path has to
// match between Chromium's tree and the parser's, and HTML without them (raw input, a failed
// pass) simply has none: every reader here answers "unknown" then.

/** on <html>: "viewportWidth,viewportHeight,documentWidth,documentHeight"; its presence says the pass ran */
export const PAGE_ATTR = 'data-cf-page'
/** on the top element of a subtree the reader does not see: display none, visibility hidden, clipped to nothing, off the page */
export const HIDDEN_ATTR = 'data-cf-hidden'
/** on each rendered block box: "x,y,width,height,fontSizePx" in CSS pixels of the document */
export const BOX_ATTR = 'data-cf-box'

export interface PageGeometry {
  readonly viewportWidth: number
  readonly viewportHeight: number
  readonly documentWidth: number
  readonly documentHeight: number
}

export interface Box {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  readonly fontSize: number
}

const numbers = (s: string | null): number[] | null => {
  if (!s) return null
  const parts = s.split(',').map(Number)
  return parts.every(Number.isFinite) ? parts : null
}

/** the value of PAGE_ATTR; null when absent or malformed (the page then carries no signals) */
export function parsePageGeometry(value: string | null | undefined): PageGeometry | null {
  const n = numbers(value ?? null)
  if (!n || n.length !== 4) return null
  return { viewportWidth: n[0]!, viewportHeight: n[1]!, documentWidth: n[2]!, documentHeight: n[3]! }
}

/** the value of BOX_ATTR; null when absent or malformed */
export function parseBox(value: string | null | undefined): Box | null {
  const n = numbers(value ?? null)
  if (!n || n.length !== 5) return null
  return { x: n[0]!, y: n[1]!, width: n[2]!, height: n[3]!, fontSize: n[4]! }
}

const SIGNAL_ATTRS = new RegExp(` (?:${PAGE_ATTR}|${HIDDEN_ATTR}|${BOX_ATTR})="[^"<>]*"`, 'g')

/** The page's HTML as it was before the pass: for outputs that return the page itself (/crawl's html). */
export function stripSignals(html: string): string {
  return html.replace(SIGNAL_ATTRS, '')
}

