// Bounds the HTML handed to the DOM parser: a linkedom tree costs many times its source size, and
// this runs next to Chromium on the runner, so one huge page must not take the process's memory.

/** 5 M UTF-16 code units, about 5 MB for mostly ASCII markup */
export const DEFAULT_MAX_HTML_CHARS = 5 * 1024 * 1024

const TAG_SEARCH_CHARS = 64 * 1024

export interface HtmlTrim {
  readonly originalChars: number
  readonly keptChars: number
}

export interface CappedHtml {
  readonly html: string
  /** null when the page fit */
  readonly trim: HtmlTrim | null
}

export function capHtml(html: string, maxHtmlChars = DEFAULT_MAX_HTML_CHARS): CappedHtml {
  if (!(maxHtmlChars > 0)) throw new Error(`maxHtmlChars must be > 0, got ${maxHtmlChars}`)
  if (html.length <= maxHtmlChars) return { html, trim: null }
  // Cut before the last tag that starts near the end of the budget, so no element is split
  // mid-attribute (the parser closes whatever is left open); a long run of text with no tag in it
  // is cut where the budget ends rather than thrown away.
  const lastTag = html.lastIndexOf('<', maxHtmlChars)
  const keptChars = lastTag > maxHtmlChars - TAG_SEARCH_CHARS ? lastTag : maxHtmlChars
  return { html: html.slice(0, keptChars), trim: { originalChars: html.length, keptChars } }
}

export function trimNote(trim: HtmlTrim): string {
  const mb = (chars: number) => (chars / (1024 * 1024)).toFixed(1)
  return `_[crawlfleet: the page's HTML has ${mb(trim.originalChars)} M characters; only the first ${mb(trim.keptChars)} M were converted]_`
}
