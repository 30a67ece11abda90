import { parseHTML } from 'linkedom'
import { absoluteUrl } from './urls.ts'
import { capHtml, DEFAULT_MAX_HTML_CHARS, type HtmlTrim } from './limits.ts'

export interface ParsedPage {
  readonly document: Document
  readonly pageUrl: string
  /** what relative URLs resolve against: `<base href>` when the page has one, else the page URL */
  readonly baseUrl: string
  readonly trim: HtmlTrim | null
}

export interface ParseOptions {
  /** @default DEFAULT_MAX_HTML_CHARS */
  readonly maxHtmlChars?: number
}

export function parseHtml(html: string, pageUrl: string, o: ParseOptions = {}): ParsedPage {
  const page = new URL(pageUrl).href // throws on a bad URL before any parsing work
  const capped = capHtml(html, o.maxHtmlChars ?? DEFAULT_MAX_HTML_CHARS)
  // linkedom makes a fragment's first element the document element and drops its siblings from
  // any body; the wrapper gives every input the same document shape.
  const source = /<html[\s>]/i.test(capped.html.slice(0, 4096)) ? capped.html : `<!doctype html><html><head></head><body>${capped.html}</body></html>`
  const { document } = parseHTML(source)
  adoptStrayContent(document)
  const baseHref = document.querySelector('base[href]')?.getAttribute('href')
  return { document, pageUrl: page, baseUrl: absoluteUrl(baseHref, page) ?? page, trim: capped.trim }
}

/**
 * linkedom does not run the HTML5 tree builder: content outside <body> (or a page with no <body>)
 * stays a child of <html>, where `document.body` does not see it. Chromium's serialisation never
 * does this, but hand-written HTML does.
 */
function adoptStrayContent(document: Document): void {
  const html = document.documentElement
  if (!html) return
  const kids = [...html.childNodes]
  let body = kids.find((n) => n.nodeName === 'BODY') as HTMLElement | undefined
  const strays = kids.filter((n) => n.nodeName !== 'HEAD' && n.nodeName !== 'BODY' && !(n.nodeType === 3 && !n.textContent?.trim()) && n.nodeType !== 8)
  if (body && strays.length === 0) return
  if (!body) {
    body = document.createElement('body')
    html.appendChild(body)
  }
  const before = strays.filter((n) => kids.indexOf(n) < kids.indexOf(body!))
  const after = strays.filter((n) => kids.indexOf(n) > kids.indexOf(body!))
  body.prepend(...before)
  body.append(...after)
}
